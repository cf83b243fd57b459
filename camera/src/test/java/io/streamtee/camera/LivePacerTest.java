package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.TsPacket;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live pacer on a virtual clock: each frame leaves when it is ready, at once, in whole datagrams; checked on the
 * recorded send times, so the figures do not depend on how loaded the machine running the test is.
 */
class LivePacerTest {

    private static final int FPS = 30;
    private static final long FRAME_NANOS = 1_000_000_000L / FPS;
    /** Frames of the pattern as the encoder hands them over, each ended by its frameEnd. */
    private static List<byte[]> frames;

    @BeforeAll
    static void encode() {
        frames = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        PatternEncoder.TsOutput split = new PatternEncoder.TsOutput() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                current.write(bytes, offset, length);
            }

            @Override
            public void frameEnd() {
                frames.add(current.toByteArray());
                current.reset();
            }
        };
        try (PatternEncoder encoder = new PatternEncoder(Clips.small(FPS), split)) {
            java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
            for (int i = 0; i < 3 * FPS; i++) {
                encoder.encode(t0.plusNanos(i * FRAME_NANOS));
            }
        }
    }

    private static LivePacer pacer(VirtualClock clock, RecordingSink sink) {
        Emitter emitter = new Emitter(sink, clock, CameraConfig.Faults.NONE, new Emitter.Counters());
        return new LivePacer(new LiveSource(16), emitter, clock, FRAME_NANOS);
    }

    private static int datagramsOf(byte[] frame) {
        return (frame.length / TsPacket.SIZE + 6) / 7;
    }

    /** The packets of the datagrams, null packets left out. */
    private static byte[] withoutNulls(List<RecordingSink.Sent> sent) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RecordingSink.Sent s : sent) {
            for (int off = 0; off < s.bytes().length; off += TsPacket.SIZE) {
                if (TsPacket.pid(s.bytes(), off) != TsPacket.NULL_PID) {
                    out.write(s.bytes(), off, TsPacket.SIZE);
                }
            }
        }
        return out.toByteArray();
    }

    @Test
    void eachFrameLeavesWhenReadyWithinAQuarterOfItsIntervalInWholeDatagrams() {
        VirtualClock clock = new VirtualClock();
        RecordingSink sink = new RecordingSink(clock);
        LivePacer pacer = pacer(clock, sink);
        long start = clock.nanoTime();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int n = 0; n < frames.size(); n++) {
            byte[] frame = frames.get(n);
            long ready = start + n * FRAME_NANOS + 5_000_000L; // captured at n / fps, encoded in 5 ms
            clock.advanceTo(ready);
            int before = sink.sent.size();
            pacer.send(frame, frame.length / TsPacket.SIZE);
            List<RecordingSink.Sent> sent = sink.sent.subList(before, sink.sent.size());
            assertThat(sent).as("frame %d", n).hasSize(datagramsOf(frame));
            assertThat(sent.getFirst().nanos()).as("frame %d first datagram", n).isEqualTo(ready);
            assertThat(sent.getLast().nanos() - ready).as("frame %d last datagram", n)
                    .isLessThanOrEqualTo(FRAME_NANOS / 4);
            all.writeBytes(frame);
        }
        assertThat(sink.sent).allSatisfy(s -> assertThat(s.bytes()).hasSize(TsPacer.DATAGRAM));
        assertThat(withoutNulls(sink.sent)).isEqualTo(all.toByteArray());
        assertThat(pacer.frames()).isEqualTo(frames.size());
        for (int i = 1; i < sink.sent.size(); i++) {
            assertThat(sink.sent.get(i).streamTime()).as("RTP time of datagram %d", i)
                    .isEqualTo((sink.sent.get(i).nanos() - sink.sent.getFirst().nanos()) * 27 / 1000);
        }
    }

    @Test
    void aFrameLeavesAtThePeakRateAndALargeOneFasterToFitAQuarterOfTheInterval() {
        VirtualClock clock = new VirtualClock();
        RecordingSink sink = new RecordingSink(clock);
        LivePacer pacer = pacer(clock, sink);
        byte[] small = nullPackets(7 * 10);
        pacer.send(small, 7 * 10);
        for (int i = 1; i < 10; i++) {
            assertThat(sink.sent.get(i).nanos() - sink.sent.get(i - 1).nanos()).isEqualTo(LivePacer.PEAK_GAP_NANOS);
        }
        clock.advanceTo(clock.nanoTime() + FRAME_NANOS);
        int before = sink.sent.size();
        long ready = clock.nanoTime();
        byte[] large = nullPackets(7 * 500); // 500 datagrams: 50 ms at the peak rate
        pacer.send(large, 7 * 500);
        assertThat(sink.sent.size() - before).isEqualTo(500);
        assertThat(sink.sent.getLast().nanos() - ready).isLessThanOrEqualTo(FRAME_NANOS / 4);
    }

    @Test
    void aFrameReadyWhileTheOneBeforeIsLeavingWaitsForIt() {
        VirtualClock clock = new VirtualClock();
        RecordingSink sink = new RecordingSink(clock);
        LivePacer pacer = pacer(clock, sink);
        byte[] a = frames.getFirst(); // the keyframe: the largest
        byte[] b = frames.get(1);
        pacer.send(a, a.length / TsPacket.SIZE);
        long lastOfA = sink.sent.getLast().nanos();
        pacer.send(b, b.length / TsPacket.SIZE); // the clock has not moved past a's last datagram
        RecordingSink.Sent firstOfB = sink.sent.get(datagramsOf(a));
        assertThat(firstOfB.nanos()).isGreaterThan(lastOfA);
        for (int i = 1; i < sink.sent.size(); i++) {
            assertThat(sink.sent.get(i).nanos()).isGreaterThan(sink.sent.get(i - 1).nanos());
        }
    }

    @Test
    void runEndsEachFrameAtItsFrameEndAndTheStreamAtItsEnd() {
        VirtualClock clock = new VirtualClock();
        RecordingSink sink = new RecordingSink(clock);
        Emitter emitter = new Emitter(sink, clock, CameraConfig.Faults.NONE, new Emitter.Counters());
        LiveSource source = new LiveSource(1024);
        int expected = 0;
        for (byte[] frame : frames.subList(0, 10)) {
            // in two writes that do not end on a datagram's boundary, as the muxer and the PCR filler write
            int cut = (frame.length / TsPacket.SIZE / 2) * TsPacket.SIZE;
            source.write(frame, 0, cut);
            source.write(frame, cut, frame.length - cut);
            source.frameEnd();
            expected += datagramsOf(frame);
        }
        byte[] tail = frames.get(10);
        source.write(tail, 0, tail.length); // no frame end: the stream's end sends it
        expected += datagramsOf(tail);
        source.end();
        LivePacer pacer = new LivePacer(source, emitter, clock, FRAME_NANOS);
        pacer.run();
        assertThat(sink.sent).hasSize(expected);
        assertThat(pacer.frames()).isEqualTo(11);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        frames.subList(0, 11).forEach(all::writeBytes);
        assertThat(withoutNulls(sink.sent)).isEqualTo(all.toByteArray());
    }

    private static byte[] nullPackets(int count) {
        byte[] b = new byte[count * TsPacket.SIZE];
        for (int i = 0; i < count; i++) {
            TsPacer.writeNullPacket(b, i * TsPacket.SIZE);
        }
        return b;
    }

    @Test
    void theEncoderHandsOverEachFrameWholeAtItsFrameEnd() {
        assertThat(frames).hasSize(3 * FPS);
        int videoPid = -1;
        for (int n = 0; n < frames.size(); n++) {
            byte[] frame = frames.get(n);
            assertThat(frame.length % TsPacket.SIZE).isZero();
            int pcrs = 0;
            int starts = 0;
            for (int off = 0; off < frame.length; off += TsPacket.SIZE) {
                if (TsPacket.hasPcr(frame, off)) {
                    videoPid = TsPacket.pid(frame, off);
                    pcrs++;
                }
                if (TsPacket.pid(frame, off) == videoPid && TsPacket.payloadUnitStart(frame, off)) {
                    starts++;
                }
            }
            // its own PES and PCR, none of the next frame's: nothing is held back for the next frame
            assertThat(pcrs).as("PCRs in frame %d", n).isEqualTo(1);
            assertThat(starts).as("video PES starts in frame %d", n).isEqualTo(1);
        }
    }
}
