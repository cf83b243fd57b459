package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TsDemuxTest {
    @Test
    void cleanSyntheticStreamHasNoErrorsAndKnownInfo() {
        byte[] ts = new SyntheticStream().seconds(4).gop(25).bytes();
        Events events = new Events();
        TsDemux demux = new TsDemux(events);
        demux.feed(ts, 0, ts.length);
        demux.flush();

        assertThat(demux.errors().total()).as("%s", demux.errors()).isZero();
        assertThat(demux.garbageBytes()).isZero();
        assertThat(demux.malformed()).isZero();
        StreamInfo video = demux.video();
        assertThat(video.codec()).isEqualTo("h264");
        assertThat(video.width()).isEqualTo(1920);
        assertThat(video.height()).isEqualTo(1080);
        assertThat(video.fps()).isEqualTo(25.0);
        assertThat(video.frames()).isEqualTo(100);
        assertThat(video.keyframes()).isEqualTo(4);
        assertThat(video.gopLength()).isEqualTo(25);
        assertThat(video.parameterSets()).isTrue();
        assertThat(demux.stream(SyntheticStream.AUDIO_PID).codec()).isEqualTo("aac");
        assertThat(demux.stream(SyntheticStream.PMT_PID).codec()).isEqualTo("pmt");
        assertThat(demux.stream(0).codec()).isEqualTo("pat");
        assertThat(demux.stream(TsPacket.NULL_PID).codec()).isEqualTo("null");
        assertThat(demux.elapsedNanos()).isEqualTo(3_980_000_000L); // first to last PCR
        long total = demux.streams().stream().mapToLong(StreamInfo::bitrate).sum();
        assertThat(total).isCloseTo(ts.length * 8L * 1_000_000_000L / demux.elapsedNanos(),
                org.assertj.core.data.Percentage.withPercentage(1));
    }

    @Test
    void keyframePositionsPointAtThePesStartPacket() {
        List<SyntheticStream.Packet> packets = new SyntheticStream().seconds(3).gop(10).packets();
        Events events = Events.feed(SyntheticStream.concat(packets));
        assertThat(events.accessUnits).isEqualTo(75);
        assertThat(events.keyframePositions).hasSize(8);
        for (long position : events.keyframePositions) {
            assertThat(packets.get((int) (position / 188)).what()).isEqualTo("key-start");
        }
    }

    @Test
    void pesTimestampsAreReported() {
        Events events = Events.feed(new SyntheticStream().seconds(0.2).bytes());
        long dts = SyntheticStream.PTS_START;
        long pts = dts + 2 * SyntheticStream.TICK_PTS;
        assertThat(events.lines).contains("au 256 " + pts + " " + dts + " true @564");
        assertThat(events.lines).anyMatch(l -> l.startsWith("pes 257 192 " + dts + " " + dts + " "));
    }

    @Test
    void aRecorderCanCutAtAKeyframeAndReEmitPsi() {
        byte[] ts = new SyntheticStream().seconds(3).gop(25).bytes();
        Events events = new Events();
        TsDemux demux = new TsDemux(events);
        // feed up to just after the second keyframe was announced, as a live recorder would
        int chunk = 7 * 188;
        int fed = 0;
        while (events.keyframePositions.size() < 2) {
            demux.feed(ts, fed, Math.min(chunk, ts.length - fed));
            fed += chunk;
        }
        long cut = events.keyframePositions.get(1);
        byte[] psi = demux.psiPackets();
        byte[] segment = PsiTest.join(psi, java.util.Arrays.copyOfRange(ts, (int) cut, ts.length));

        Events seg = new Events();
        TsDemux check = new TsDemux(seg);
        check.feed(segment, 0, segment.length);
        check.flush();
        assertThat(check.errors().total()).as("%s", check.errors()).isZero();
        assertThat(seg.lines).filteredOn(l -> l.startsWith("au ")).first().asString().contains(" true @" + psi.length);
    }

    @Test
    void arrivalClockDrivesTimeoutsWhenGiven() {
        List<SyntheticStream.Packet> packets = new SyntheticStream().seconds(3).packets();
        TsDemux demux = new TsDemux(TsListener.NONE);
        for (SyntheticStream.Packet p : packets) {
            // the stream stalls for a second at tick 80 (PCR values keep their pace)
            long now = p.tick() * 20_000_000L + (p.tick() >= 80 ? 1_000_000_000L : 0);
            demux.feed(p.bytes(), 0, TsPacket.SIZE, now);
        }
        Tr101290.Snapshot errors = demux.errors();
        assertThat(errors.count(Tr101290.Kind.PAT_ERROR)).isEqualTo(1);
        assertThat(errors.count(Tr101290.Kind.PMT_ERROR)).isEqualTo(1);
        assertThat(errors.count(Tr101290.Kind.PTS_ERROR)).isEqualTo(2); // video and audio
        assertThat(errors.count(Tr101290.Kind.PID_ERROR)).isZero(); // 1 s is below the 5 s default
        assertThat(errors.count(Tr101290.Kind.PCR_REPETITION_ERROR)).isZero(); // judged on PCR values
    }

    @Test
    void tickReportsAStreamThatWentQuiet() {
        byte[] ts = new SyntheticStream().seconds(1).bytes();
        TsDemux demux = new TsDemux(TsListener.NONE);
        demux.feed(ts, 0, ts.length, 0);
        demux.tick(400_000_000L);
        assertThat(demux.errors().total()).isZero();
        demux.tick(6_000_000_000L);
        Tr101290.Snapshot errors = demux.errors();
        assertThat(errors.count(Tr101290.Kind.PAT_ERROR)).isEqualTo(1);
        assertThat(errors.count(Tr101290.Kind.PID_ERROR)).isEqualTo(2);
        assertThat(errors.count(Tr101290.Kind.PID_ERROR, SyntheticStream.VIDEO_PID)).isEqualTo(1);
    }
}
