package io.streamtee.ts;

import static io.streamtee.ts.SyntheticStream.AUDIO_PID;
import static io.streamtee.ts.SyntheticStream.PMT_PID;
import static io.streamtee.ts.SyntheticStream.VIDEO_PID;
import static io.streamtee.ts.Tr101290.Kind.CONTINUITY_COUNT_ERROR;
import static io.streamtee.ts.Tr101290.Kind.CRC_ERROR;
import static io.streamtee.ts.Tr101290.Kind.PAT_ERROR;
import static io.streamtee.ts.Tr101290.Kind.PCR_DISCONTINUITY_INDICATOR_ERROR;
import static io.streamtee.ts.Tr101290.Kind.PCR_REPETITION_ERROR;
import static io.streamtee.ts.Tr101290.Kind.PID_ERROR;
import static io.streamtee.ts.Tr101290.Kind.PMT_ERROR;
import static io.streamtee.ts.Tr101290.Kind.PTS_ERROR;
import static io.streamtee.ts.Tr101290.Kind.SYNC_BYTE_ERROR;
import static io.streamtee.ts.Tr101290.Kind.TRANSPORT_ERROR;
import static io.streamtee.ts.Tr101290.Kind.TS_SYNC_LOSS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Each TR 101 290 error injected once into a clean stream is counted exactly once, and nothing else is. */
class Tr101290Test {
    private final List<SyntheticStream.Packet> packets = new SyntheticStream().seconds(4).packets();

    private Tr101290.Snapshot run(Tr101290.Limits limits) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SyntheticStream.Packet p : packets) {
            out.writeBytes(p.bytes());
        }
        byte[] ts = out.toByteArray();
        TsDemux demux = new TsDemux(TsListener.NONE, limits);
        demux.feed(ts, 0, ts.length);
        demux.flush();
        return demux.errors();
    }

    private Tr101290.Snapshot run() {
        return run(Tr101290.Limits.DEFAULTS);
    }

    private static void assertOnly(Tr101290.Snapshot errors, Tr101290.Kind kind, int pid) {
        assertThat(errors.count(kind, pid)).as("%s on %d in %s", kind, pid, errors).isEqualTo(1);
        assertThat(errors.total()).as("%s", errors).isEqualTo(1);
    }

    private SyntheticStream.Packet find(String what, int tick) {
        return packets.stream().filter(p -> p.what().equals(what) && p.tick() == tick).findFirst().orElseThrow();
    }

    private void remove(Predicate<SyntheticStream.Packet> which, int pid) {
        packets.removeIf(which);
        renumber(pid);
    }

    /** Rewrites the continuity counters of a PID so that removing packets leaves no gap. */
    private void renumber(int pid) {
        int last = -1;
        for (SyntheticStream.Packet p : packets) {
            byte[] b = p.bytes();
            if (TsPacket.pid(b, 0) != pid) {
                continue;
            }
            int cc = last < 0 ? TsPacket.continuityCounter(b, 0)
                    : TsPacket.hasPayload(b, 0) ? (last + 1) & 15 : last;
            TsPacket.setContinuityCounter(b, 0, cc);
            last = cc;
        }
    }

    @Test
    void cleanStreamHasNoErrors() {
        assertThat(run().total()).isZero();
    }

    @Test
    void tsSyncLoss() {
        // a null packet cut to 88 bytes: the next slot holds no sync byte, the reader relocks off the old grid
        SyntheticStream.Packet p = find("null", 100);
        packets.set(packets.indexOf(p), new SyntheticStream.Packet(Arrays.copyOf(p.bytes(), 88), "cut", 100));
        Tr101290.Snapshot errors = run();
        assertThat(errors.count(TS_SYNC_LOSS)).isEqualTo(1);
        assertThat(errors.count(SYNC_BYTE_ERROR)).isEqualTo(1);
        assertThat(errors.total()).as("%s", errors).isEqualTo(2);
    }

    @Test
    void syncByteError() {
        find("null", 100).bytes()[0] = 0x48;
        Tr101290.Snapshot errors = run();
        assertThat(errors.count(SYNC_BYTE_ERROR)).isEqualTo(1);
        assertThat(errors.total()).as("%s", errors).isEqualTo(1);
    }

    @Test
    void patErrorWhenAbsentForMoreThanHalfASecond() {
        remove(p -> p.what().equals("pat") && p.tick() >= 50 && p.tick() <= 75, 0);
        assertOnly(run(), PAT_ERROR, 0);
    }

    @Test
    void patErrorOnWrongTableId() {
        byte[] notPat = TsWriter.longSection(0x02, 1, 0, new byte[4]);
        byte[] packet = new TsWriter().section(0, notPat).toByteArray();
        SyntheticStream.Packet pat = find("pat", 50);
        TsPacket.setContinuityCounter(packet, 0, TsPacket.continuityCounter(pat.bytes(), 0));
        System.arraycopy(packet, 0, pat.bytes(), 0, 188);
        assertOnly(run(), PAT_ERROR, 0);
    }

    @Test
    void patErrorWhenScrambled() {
        find("pat", 50).bytes()[3] |= (byte) 0x80;
        assertOnly(run(), PAT_ERROR, 0);
    }

    @Test
    void continuityCountErrorOnALostPacket() {
        packets.remove(find("audio", 100));
        assertOnly(run(), CONTINUITY_COUNT_ERROR, AUDIO_PID);
    }

    @Test
    void oneDuplicateIsAllowedButNotTwo() {
        SyntheticStream.Packet audio = find("audio", 100);
        int at = packets.indexOf(audio);
        packets.add(at, audio);
        assertThat(run().total()).isZero();
        packets.add(at, audio);
        assertOnly(run(), CONTINUITY_COUNT_ERROR, AUDIO_PID);
    }

    @Test
    void pmtErrorWhenAbsent() {
        remove(p -> p.what().equals("pmt") && p.tick() >= 50 && p.tick() <= 75, PMT_PID);
        assertOnly(run(), PMT_ERROR, PMT_PID);
    }

    @Test
    void pmtErrorWhenScrambled() {
        find("pmt", 50).bytes()[3] |= (byte) 0x40;
        assertOnly(run(), PMT_ERROR, PMT_PID);
    }

    @Test
    void pidErrorWhenAReferencedPidStops() {
        remove(p -> p.what().equals("audio") && p.tick() >= 50 && p.tick() < 70, AUDIO_PID); // 400 ms
        Tr101290.Limits limits = new Tr101290.Limits(500_000_000L, 500_000_000L, 300_000_000L, 40_000_000L,
                100_000_000L, 700_000_000L);
        assertOnly(run(limits), PID_ERROR, AUDIO_PID);
    }

    @Test
    void transportError() {
        find("audio", 100).bytes()[1] |= (byte) 0x80;
        assertOnly(run(), TRANSPORT_ERROR, AUDIO_PID);
    }

    @Test
    void crcError() {
        find("pmt", 100).bytes()[5 + 13] ^= 0x01; // inside the stream loop, CRC unchanged
        assertOnly(run(), CRC_ERROR, PMT_PID);
    }

    @Test
    void pcrRepetitionError() {
        packets.remove(find("pcr", 100));
        packets.remove(find("pcr", 101)); // 60 ms between PCRs
        assertOnly(run(), PCR_REPETITION_ERROR, VIDEO_PID);
    }

    @Test
    void pcrDiscontinuityWithoutIndicatorIsAnErrorAndWithItIsNot() {
        long jump = 300 * 27_000L; // 300 ms
        List<SyntheticStream.Packet> pcrs = new ArrayList<>();
        for (SyntheticStream.Packet p : packets) {
            if (p.what().equals("pcr") && p.tick() >= 100) {
                TsPacket.setPcr(p.bytes(), 0, TsPacket.pcr(p.bytes(), 0) + jump);
                pcrs.add(p);
            }
        }
        assertOnly(run(), PCR_DISCONTINUITY_INDICATOR_ERROR, VIDEO_PID);
        TsPacket.setDiscontinuity(pcrs.get(0).bytes(), 0);
        assertThat(run().total()).isZero();
    }

    @Test
    void ptsErrorWhenPtsStopForMoreThan700Ms() {
        remove(p -> p.tick() >= 50 && p.tick() < 90 && p.what().matches("video|video-start|key-start"), VIDEO_PID);
        assertOnly(run(), PTS_ERROR, VIDEO_PID);
    }
}
