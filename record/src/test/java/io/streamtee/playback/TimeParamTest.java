package io.streamtee.playback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Time parameters of the playback API at the edges of what Java's time types hold. */
class TimeParamTest {
    @Test
    void aTimeBeyondWhatMillisecondsHoldIsABadParameterNotAServerError() {
        for (String far : new String[] {"+999999999-12-31T23:59:59Z", "+300000000-01-01T00:00:00",
                "-300000000-01-01T00:00:00+01:00"}) {
            assertThatThrownBy(() -> TimeParam.parse("from", far, 0)).as(far)
                    .isInstanceOf(ConfigException.class).hasMessageStartingWith("from: '" + far + "' is not a time");
        }
    }

    @Test
    void aDurationBeforeNowLongerThanMillisecondsHoldIsABadParameter() {
        assertThatThrownBy(() -> TimeParam.parse("to", "-99999999999999999d", 1_000))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("to: ");
    }

    @Test
    void theForms() {
        assertThat(TimeParam.parse("from", "2026-11-24T05:30:00Z", 0)).isEqualTo(1_795_498_200_000L);
        assertThat(TimeParam.parse("from", "2026-11-24T06:30:00 01:00", 0)).isEqualTo(1_795_498_200_000L);
        assertThat(TimeParam.parse("from", "1795498200", 0)).isEqualTo(1_795_498_200_000L);
        assertThat(TimeParam.parse("from", "-10m", 1_000_000)).isEqualTo(400_000);
    }
}
