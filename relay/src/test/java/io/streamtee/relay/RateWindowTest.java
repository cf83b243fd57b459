package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RateWindowTest {
    @Test
    void theRateIsOverTheLastSecondsWhoeverReadsAndHoweverOften() {
        RateWindow w = new RateWindow(10);
        long t = 1_000_000_000_000L; // a whole second
        assertThat(w.bitsPerSecond(t)).isZero();
        for (int s = 0; s < 20; s++) {
            w.add(125_000, t + s * 1000L); // 1 Mbit/s for 20 s
        }
        long now = t + 20_000;
        assertThat(w.bitsPerSecond(now)).isCloseTo(1_000_000, within(1.0));
        assertThat(w.bitsPerSecond(now)).isEqualTo(w.bitsPerSecond(now)); // reading changes nothing
        // nothing for longer than the window: 0
        assertThat(w.bitsPerSecond(now + 11_000)).isZero();
    }

    @Test
    void beforeAWholeWindowTheRateIsOverTheTimeSinceTheFirstByte() {
        RateWindow w = new RateWindow(10);
        long t = 1_000_000_000_500L;
        w.add(125_000, t);
        w.add(125_000, t + 1000);
        assertThat(w.bitsPerSecond(t + 2000)).isCloseTo(1_000_000, within(1.0));
    }
}
