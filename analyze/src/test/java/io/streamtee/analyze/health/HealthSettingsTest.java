package io.streamtee.analyze.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthSettingsTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        HealthSettings d = HealthSettings.DEFAULTS;
        assertThat(d.quietTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.lostAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.backConfirm()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.bitrateFloor()).isZero();
        assertThat(d.bitrateLowFor()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.bitrateWindow()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void badValuesNameTheirKeyOnOneLine() {
        assertThatThrownBy(() -> HealthSettings.DEFAULTS.withLostAfter(Duration.ZERO))
                .isInstanceOf(ConfigException.class).hasMessage("lostAfter: must be more than 0");
        assertThatThrownBy(() -> HealthSettings.DEFAULTS.withQuietTime(Duration.ofSeconds(-1)))
                .isInstanceOf(ConfigException.class).hasMessage("quietTime: must be a duration of 0 or more, not -1s");
        assertThatThrownBy(() -> HealthSettings.DEFAULTS.withBitrateFloor(-5, Duration.ZERO))
                .isInstanceOf(ConfigException.class).hasMessage("bitrateFloor: must be 0 (off) or a bit rate, not -5");
    }
}
