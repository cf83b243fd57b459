package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.Tr101290;
import io.streamtee.ts.TsDemux;
import io.streamtee.ts.TsListener;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The segmenting logic on a synthetic stream, no sockets and no files. */
class SegmenterTest {

    /** Collects what the segmenter emits. */
    static final class Capture implements Segmenter.SegmentSink {
        final List<Segment> closed = new ArrayList<>();
        final List<ByteArrayOutputStream> data = new ArrayList<>();
        int continuityErrors;

        @Override
        public void open(Segment segment) {
            data.add(new ByteArrayOutputStream());
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            data.get(data.size() - 1).write(buf, off, len);
        }

        @Override
        public void close(Segment segment) {
            closed.add(segment);
        }

        @Override
        public void continuityError(int pid, long wallMillis) {
            continuityErrors++;
        }
    }

    private static Capture segment(byte[] ts, Duration target) {
        Capture capture = new Capture();
        Segmenter segmenter = new Segmenter(target, capture);
        for (byte[] d : TestStream.datagrams(ts)) {
            segmenter.feed(d, 0, d.length, 1000);
        }
        segmenter.finish(2000);
        return capture;
    }

    @Test
    void segmentsStartWithPatPmtThenAKeyframeAndCloseAtTheFirstKeyframeAfterTheTarget() {
        TestStream stream = new TestStream().seconds(10); // keyframes every second
        byte[] ts = stream.bytes();
        Capture c = segment(ts, Duration.ofMillis(2500));

        assertThat(c.closed).hasSize(4);
        assertThat(c.closed).extracting(Segment::durationMillis).containsExactly(3000L, 3000L, 3000L, 1000L);
        assertThat(c.closed).extracting(Segment::frames).containsExactly(75L, 75L, 75L, 25L);
        for (int i = 0; i < c.closed.size(); i++) {
            Segment s = c.closed.get(i);
            byte[] b = c.data.get(i).toByteArray();
            assertThat(b.length % TsPacket.SIZE).isZero();
            assertThat(s.bytes()).isEqualTo(b.length);
            assertThat(TestStream.pid(b, 0)).as("first packet").isZero();
            assertThat(TestStream.pid(b, TsPacket.SIZE)).as("second packet").isEqualTo(TestStream.PMT_PID);
            long first = s.keyframeOffsets()[0];
            assertThat(first).isEqualTo(2 * TsPacket.SIZE);
            assertThat(TestStream.pid(b, (int) first)).isEqualTo(TestStream.VIDEO_PID);
            assertThat(TestStream.unitStart(b, (int) first)).isTrue();
            assertThat(s.keyframeOffsets()).hasSize(i < 3 ? 3 : 1);
            if (i > 0) {
                assertThat(s.startPts()).isEqualTo(c.closed.get(i - 1).endPts());
            }
            // read back alone: continuous, and what the segment says is in it
            Scan scan = Scan.of(b);
            assertThat(scan.continuityErrors).as("segment %d continuity", i).isZero();
            assertThat(scan.keyframes).containsExactly(Arrays.stream(s.keyframeOffsets()).boxed().toArray(Long[]::new));
            assertThat(scan.firstIsKeyframe).isTrue();
            assertThat(scan.frames).isEqualTo(s.frames());
        }
        assertThat(c.continuityErrors).isZero();
    }

    @Test
    void aClockThatJumpsBackCutsThereAndTheSegmentBeforeEndsWhereItsFramesEnd() {
        byte[] once = new TestStream().seconds(3).bytes(); // PTS 10 s to 13 s, keyframes every second
        byte[] twice = new byte[2 * once.length]; // then the same again: the clock starts over at 10 s
        System.arraycopy(once, 0, twice, 0, once.length);
        System.arraycopy(once, 0, twice, once.length, once.length);
        Capture c = segment(twice, Duration.ofSeconds(2));

        assertThat(c.closed).extracting(Segment::durationMillis).containsExactly(2000L, 1000L, 2000L, 1000L);
        Segment beforeJump = c.closed.get(1);
        assertThat(beforeJump.endPts()).isEqualTo(TestStream.PTS_START + 3 * Timestamps.PTS_HZ);
        assertThat(c.closed.get(2).startPts()).isEqualTo(TestStream.PTS_START);
    }

    @Test
    void passesTheStreamUnchangedBehindThePsiOfEachSegment() {
        byte[] ts = new TestStream().seconds(6).bytes();
        Capture c = segment(ts, Duration.ofSeconds(2));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < c.closed.size(); i++) {
            byte[] b = c.data.get(i).toByteArray();
            int psi = (int) c.closed.get(i).keyframeOffsets()[0];
            joined.write(b, psi, b.length - psi);
        }
        int firstVideo = firstVideoPacket(ts);
        assertThat(joined.toByteArray()).isEqualTo(Arrays.copyOfRange(ts, firstVideo, ts.length));
    }

    @Test
    void aStreamJoinedMidGopStartsAtTheNextKeyframe() {
        TestStream stream = new TestStream().seconds(4);
        byte[] ts = stream.bytes();
        int from = 100 * TsPacket.SIZE; // a few frames into the first GOP
        Capture c = segment(Arrays.copyOfRange(ts, from, ts.length), Duration.ofSeconds(1));
        assertThat(c.closed).hasSize(3);
        assertThat(c.closed.get(0).startPts()).isEqualTo(TestStream.PTS_START + 25 * stream.frameTicks());
        assertThat(Scan.of(c.data.get(0).toByteArray()).firstIsKeyframe).isTrue();
    }

    @Test
    void aLongGopMakesLongerSegmentsNeverOnesWithoutAKeyframeFirst() {
        byte[] ts = new TestStream().seconds(6).gop(50).bytes(); // keyframes every 2 s
        Capture c = segment(ts, Duration.ofMillis(500));
        assertThat(c.closed).extracting(Segment::durationMillis).containsExactly(2000L, 2000L, 2000L);
    }

    @Test
    void lostPacketsAreReportedAsContinuityErrors() {
        byte[] ts = new TestStream().seconds(3).bytes();
        List<byte[]> datagrams = new ArrayList<>(TestStream.datagrams(ts));
        datagrams.remove(datagrams.size() / 2);
        Capture capture = new Capture();
        Segmenter segmenter = new Segmenter(Duration.ofSeconds(1), capture);
        for (byte[] d : datagrams) {
            segmenter.feed(d, 0, d.length, 1000);
        }
        segmenter.finish(2000);
        assertThat(capture.continuityErrors).isPositive();
        assertThat(capture.closed.stream().mapToLong(Segment::continuityErrors).sum()).isPositive();
    }

    private static int firstVideoPacket(byte[] ts) {
        for (int off = 0; off < ts.length; off += TsPacket.SIZE) {
            if (TestStream.pid(ts, off) == TestStream.VIDEO_PID) {
                return off;
            }
        }
        throw new AssertionError("no video");
    }

    /** What TsDemux finds in a segment read on its own. */
    static final class Scan {
        final List<Long> keyframes = new ArrayList<>();
        long frames;
        boolean firstIsKeyframe;
        long continuityErrors;

        static Scan of(byte[] b) {
            Scan s = new Scan();
            TsDemux demux = new TsDemux(new TsListener() {
                @Override
                public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
                    if (s.frames == 0) {
                        s.firstIsKeyframe = keyframe;
                    }
                    s.frames++;
                    if (keyframe) {
                        s.keyframes.add(position);
                    }
                }
            });
            demux.feed(b, 0, b.length);
            demux.flush();
            s.continuityErrors = demux.errors().count(Tr101290.Kind.CONTINUITY_COUNT_ERROR);
            return s;
        }
    }
}
