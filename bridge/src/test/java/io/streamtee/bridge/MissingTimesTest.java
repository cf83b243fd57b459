package io.streamtee.bridge;

import static io.streamtee.bridge.MissingTimes.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The first access units of an RTSP stream with B-frames, as libavformat gives them, get times the muxer takes. */
class MissingTimesTest {
    private static final long STEP = 3600; // 25 fps at 90 kHz

    @Test
    void theFirstKeyframeAndTheUnitsWithoutDtsAreSettledByTheFirstWithBoth() {
        MissingTimes t = new MissingTimes(STEP);
        // what libavformat's RTSP client gave for a 2-B-frame x264 stream: IDR with no times, then PTS only
        assertThat(t.mustHold(NONE, NONE)).isTrue();
        assertThat(t.hold(NONE, NONE, true)).isTrue();
        assertThat(t.mustHold(81000, NONE)).isTrue();
        t.hold(81000, NONE, false);
        t.hold(73800, NONE, false);
        assertThat(t.mustHold(77400, 73800)).isFalse();
        long[][] settled = t.settle(77400, 73800);
        assertThat(settled).isDeepEqualTo(new long[][] {{70200, 63000}, {81000, 66600}, {73800, 70200}});
        assertThat(t.held()).isZero();
        assertThat(t.next(77400, 73800)).containsExactly(77400, 73800);
        assertThat(t.next(91800, 77400)).containsExactly(91800, 77400);
        // once settled nothing is held again, and a lone missing time is made up from the last
        assertThat(t.mustHold(NONE, NONE)).isFalse();
        assertThat(t.next(84600, NONE)).containsExactly(84600, 81000);
        assertThat(t.next(NONE, NONE)).containsExactly(84600, 84600);
    }

    @Test
    void timesGivenAreKeptAndTheDtsAlwaysRises() {
        MissingTimes t = new MissingTimes(STEP);
        assertThat(t.next(1000, 1000)).containsExactly(1000, 1000);
        assertThat(t.next(1000, 1000)).containsExactly(1001, 1001); // a repeated DTS moves just above the last
        assertThat(t.next(900, 800)).containsExactly(1002, 1002);
        assertThat(t.next(9000, 8000)).containsExactly(9000, 8000);
    }

    @Test
    void aStreamThatNeverGivesBothTimesIsHeldOnlySoLong() {
        MissingTimes t = new MissingTimes(STEP);
        for (int i = 0; i < MissingTimes.MAX_HELD; i++) {
            assertThat(t.hold(NONE, NONE, false)).isTrue();
        }
        assertThat(t.hold(NONE, NONE, false)).isFalse();
    }
}
