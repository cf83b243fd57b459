package io.streamtee.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff reconnect = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @Test
    void doublesFromTheFirstWaitUpToTheLongest() {
        assertThat(IntStream.rangeClosed(1, 9).mapToLong(reconnect::delayMillis).toArray())
                .containsExactly(100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000);
        assertThat(reconnect.delayMillis(Integer.MAX_VALUE)).isEqualTo(5000);
    }

    @Test
    void jitterDrawsBetweenHalfAndAllOfTheWait() {
        Random random = new Random(7);
        for (int failures = 1; failures <= 10; failures++) {
            long full = reconnect.delayMillis(failures);
            for (int i = 0; i < 100; i++) {
                assertThat(reconnect.delayMillis(failures, random)).isBetween(full - full / 2, full);
            }
        }
    }

    @Test
    void aBackoffThatCannotWorkIsRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
