package io.streamtee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void sizes() {
        assertThat(Units.bytes("k", "212992")).isEqualTo(212_992);
        assertThat(Units.bytes("k", "8MB")).isEqualTo(8_000_000);
        assertThat(Units.bytes("k", "8MiB")).isEqualTo(8 << 20);
        assertThat(Units.bytes("k", "4 kib")).isEqualTo(4096);
        assertThat(Units.bytes("k", "1G")).isEqualTo(1_000_000_000L);
        assertThatThrownBy(() -> Units.bytes("routes.a.receiveBuffer", "lots"))
                .hasMessage("routes.a.receiveBuffer: 'lots' is not a size (examples: 212992, 8MB, 4MiB)");
    }

    @Test
    void durations() {
        assertThat(Units.duration("k", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.duration("k", "10")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Units.duration("k", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Units.duration("k", "7d")).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> Units.duration("statsInterval", "soon"))
                .hasMessage("statsInterval: 'soon' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)");
    }

    @Test
    void fractionalDurationsAndMicroseconds() {
        assertThat(Units.duration("k", "1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.duration("k", "2.5")).isEqualTo(Duration.ofMillis(2500));
        assertThat(Units.duration("k", "500us")).isEqualTo(Duration.ofNanos(500_000));
        assertThat(Units.isBareNumber("20")).isTrue();
        assertThat(Units.isBareNumber("20ms")).isFalse();
    }

    @Test
    void bitRates() {
        assertThat(Units.bitrate("--bitrate", "4M")).isEqualTo(4_000_000);
        assertThat(Units.bitrate("--bitrate", "1.5M")).isEqualTo(1_500_000);
        assertThat(Units.bitrate("--bitrate", "800k")).isEqualTo(800_000);
        assertThat(Units.bitrate("--bitrate", "2500000")).isEqualTo(2_500_000);
        assertThat(Units.bitrate("--bitrate", "6Mbit/s")).isEqualTo(6_000_000);
        assertThatThrownBy(() -> Units.bitrate("--bitrate", "fast"))
                .hasMessage("--bitrate: 'fast' is not a bit rate (examples: 4M, 800k, 2500000)");
    }

    @Test
    void formatting() {
        assertThat(Units.formatBytes(999)).isEqualTo("999 B");
        assertThat(Units.formatBytes(1_500_000)).isEqualTo("1.5 MB");
        assertThat(Units.formatBitrate(20_100_000)).isEqualTo("20.1 Mbit/s");
    }

    @org.junit.jupiter.api.Test
    void durationsAsTheFlagsTakeThemAndElapsedTimesForLogs() {
        org.assertj.core.api.Assertions.assertThat(Units.formatDuration(java.time.Duration.ofDays(7))).isEqualTo("7d");
        org.assertj.core.api.Assertions.assertThat(Units.formatDuration(java.time.Duration.ofMillis(1500)))
                .isEqualTo("1.5s");
        org.assertj.core.api.Assertions.assertThat(Units.formatDuration(java.time.Duration.ofSeconds(90)))
                .isEqualTo("90s");
        org.assertj.core.api.Assertions.assertThat(Units.formatElapsed(java.time.Duration.ofSeconds(312)))
                .isEqualTo("5m 12s");
        org.assertj.core.api.Assertions.assertThat(Units.formatElapsed(java.time.Duration.ofSeconds(7)))
                .isEqualTo("7s");
        org.assertj.core.api.Assertions.assertThat(Units.formatElapsed(java.time.Duration.ofMinutes(185)))
                .isEqualTo("3h 5m");
        org.assertj.core.api.Assertions.assertThat(Units.formatElapsed(java.time.Duration.ofHours(51)))
                .isEqualTo("2d 3h");
    }
}
