package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.Timestamps;
import org.junit.jupiter.api.Test;

/** The pictures' wall clock: the earliest arrival their PTS allow. */
class StreamClockTest {
    private static final long FRAME = Timestamps.PTS_HZ / 25; // 40 ms
    private static final long T0 = 1_796_000_000_000L;

    @Test
    void latePicturesAtTheStartDoNotShiftTheClockOnceOneComesOnTime() {
        StreamClock clock = new StreamClock();
        long pts0 = 900_000;
        // the first 10 pictures come in a burst 500 ms late (the sender warming up), then every one on time
        for (int i = 0; i < 10; i++) {
            clock.picture(pts0 + i * FRAME, T0 + 500 + i * 5);
        }
        for (int i = 10; i < 50; i++) {
            clock.picture(pts0 + i * FRAME, T0 + i * 40L);
        }
        assertThat(clock.wall(pts0)).isEqualTo(T0);
        assertThat(clock.wall(pts0 + 100 * FRAME)).isEqualTo(T0 + 4000);
    }

    @Test
    void oneLatePictureLeavesTheClockAlone() {
        StreamClock clock = new StreamClock();
        for (int i = 0; i < 25; i++) {
            clock.picture(i * FRAME, T0 + i * 40L + (i == 20 ? 300 : 0));
        }
        assertThat(clock.wall(20 * FRAME)).isBetween(T0 + 800, T0 + 801);
    }

    @Test
    void aSenderWhoseClockRunsSlowIsFollowed() {
        StreamClock clock = new StreamClock();
        // its 40 ms of PTS take 40.02 ms here (500 ppm): after 10 minutes its pictures arrive 300 ms later than at
        // first
        long frames = 10 * 60 * 25;
        for (long i = 0; i <= frames; i++) {
            clock.picture(i * FRAME, T0 + Math.round(i * 40.02));
        }
        long arrival = T0 + Math.round(frames * 40.02);
        assertThat(clock.wall(frames * FRAME)).isBetween(arrival - 5, arrival);
    }

    @Test
    void aCameraThatRestartsStartsTheClockAfresh() {
        StreamClock clock = new StreamClock();
        clock.picture(5_000_000, T0);
        clock.picture(5_000_000 + FRAME, T0 + 40);
        // restarted: PTS from near zero, 3 s later
        clock.picture(3600, T0 + 3040);
        assertThat(clock.wall(3600)).isEqualTo(T0 + 3040);
        assertThat(clock.wall(3600 + 25 * FRAME)).isEqualTo(T0 + 4040);
    }

    @Test
    void theClockGoesOnOverThePtsWrap() {
        StreamClock clock = new StreamClock();
        long pts = Timestamps.PTS_WRAP - 2 * FRAME;
        for (int i = 0; i < 5; i++) {
            clock.picture((pts + i * FRAME) % Timestamps.PTS_WRAP, T0 + i * 40L);
        }
        assertThat(clock.wall((pts + 4 * FRAME) % Timestamps.PTS_WRAP)).isEqualTo(T0 + 160);
    }

    @Test
    void withoutAPtsTheLastArrivalIsTheClock() {
        StreamClock clock = new StreamClock();
        clock.picture(Timestamps.NONE, T0);
        assertThat(clock.wall(123)).isEqualTo(T0);
        assertThat(clock.wall(Timestamps.NONE)).isEqualTo(T0);
    }
}
