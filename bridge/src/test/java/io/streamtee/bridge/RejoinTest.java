package io.streamtee.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The jump of a video stream's times at its first RTCP report, as libavformat's RTSP client made it against
 * gst-rtsp-server (a 25 fps H.264 stream with two B-frames, 3600 ticks a frame, moved back by 70201 ticks).
 */
class RejoinTest {
    private static final long STEP = 3600;
    private static final long NONE = MissingTimes.NONE;

    /** PTS in decoding order of P B B groups from {@code firstP}: P, P-2, P-1, P+3, ... */
    private static List<Long> groups(long firstP, int groups) {
        List<Long> pts = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            long p = firstP + 3 * g * STEP;
            pts.add(p);
            pts.add(p - 2 * STEP);
            pts.add(p - STEP);
        }
        return pts;
    }

    /** Feeds the stream through a Rejoin as RtspInput does; the PTS written. */
    private static List<Long> written(List<Long> raw) {
        Rejoin r = new Rejoin(STEP);
        List<Long> out = new ArrayList<>();
        List<Long> held = new ArrayList<>();
        for (long p : raw) {
            if (held.isEmpty() && !r.isJump(p)) {
                out.add(r.pts(p));
                r.written(r.pts(p));
                continue;
            }
            held.add(p);
            if (held.size() == Rejoin.LOOKAHEAD) {
                r.rejoin(held.stream().mapToLong(Long::longValue).toArray());
                for (long h : held) {
                    out.add(r.pts(h));
                    r.written(r.pts(h));
                }
                held.clear();
            }
        }
        return out;
    }

    @Test
    void aJumpBackAfterTheFirstBFrameOfAGroupTakesThePlaceLeftOpen() {
        List<Long> source = groups(385200, 12);
        List<Long> raw = new ArrayList<>(source.subList(0, 5)); // P 385200, B 378000, B 381600, P 396000, B 388800
        source.subList(5, source.size()).forEach(p -> raw.add(p - 70201));
        assertThat(new Rejoin(STEP).isJump(0)).isFalse();
        assertThat(written(raw)).isEqualTo(source);
    }

    @Test
    void aJumpBackBeforeAPFrameTakesTheNextPlace() {
        List<Long> source = groups(385200, 12);
        List<Long> raw = new ArrayList<>(source.subList(0, 6));
        source.subList(6, source.size()).forEach(p -> raw.add(p - 70201));
        assertThat(written(raw)).isEqualTo(source);
    }

    @Test
    void aJumpForwardIsRejoinedTooAndBFramesAreNoJump() {
        List<Long> source = groups(7200, 100);
        List<Long> raw = new ArrayList<>(source.subList(0, 30));
        source.subList(30, source.size()).forEach(p -> raw.add(p + 90_000 * 60));
        assertThat(written(raw)).isEqualTo(source);
        assertThat(written(source)).isEqualTo(source);
    }

    @Test
    void afterAJumpTheDtsAreMadeNotTaken() {
        Rejoin r = new Rejoin(STEP);
        r.written(100_000);
        assertThat(r.dts(96_400)).isEqualTo(96_400);
        assertThat(r.isJump(10_000)).isTrue();
        r.rejoin(new long[] {10_000, NONE, 20_000, 13_600});
        assertThat(r.pts(10_000)).isEqualTo(103_600);
        assertThat(r.dts(10_000)).isEqualTo(NONE);
    }

    @Test
    void audioTimesStayRisingAndContinuousAcrossAJump() {
        AudioTimes a = new AudioTimes(48_000);
        assertThat(a.next(1024, 1024, 1024)).containsExactly(1024, 1024);
        assertThat(a.next(2048, 2048, 1024)).containsExactly(2048, 2048);
        // the report moves the stream 0.8 s on: continued just after the last packet
        assertThat(a.next(2048 + 38_464, 2048 + 38_464, 1024)).containsExactly(3072, 3072);
        assertThat(a.next(3072 + 38_464, NONE, 0)).containsExactly(4096, 4096);
        // and back
        assertThat(a.next(100, 100, 1024)).containsExactly(5120, 5120);
        assertThat(a.next(NONE, NONE, 1024)).isNull();
    }

    @Test
    void afterTheJumpForwardAGapOfLostAudioIsKept() {
        AudioTimes a = new AudioTimes(48_000);
        assertThat(a.next(1024, 1024, 1024)).containsExactly(1024, 1024);
        assertThat(a.next(2048 + 38_464, 2048 + 38_464, 1024)).containsExactly(2048, 2048); // the report's jump
        assertThat(a.next(3072 + 38_464, 3072 + 38_464, 1024)).containsExactly(3072, 3072);
        // 320 ms of audio lost on the way (15 packets): the next one keeps its place, 15 packets on
        long lost = 3072 + 38_464 + 16 * 1024;
        assertThat(a.next(lost, lost, 1024)).containsExactly(3072 + 16 * 1024, 3072 + 16 * 1024);
    }
}
