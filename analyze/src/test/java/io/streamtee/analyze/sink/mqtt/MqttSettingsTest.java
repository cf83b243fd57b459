package io.streamtee.analyze.sink.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MqttSettingsTest {
    private static final Map<String, String> NO_ENV = Map.of();

    private static MqttSettings parse(String url) {
        return MqttSettings.parse(url, NO_ENV::get);
    }

    @Test
    void defaults() {
        MqttSettings s = parse("mqtt://127.0.0.1");
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isEqualTo(1883);
        assertThat(s.user()).isNull();
        assertThat(s.password()).isNull();
        assertThat(s.prefix()).isEqualTo("streamtee");
        assertThat(s.qos()).isEqualTo(1);
        assertThat(s.clientId()).matches("streamtee-[0-9a-f]{8}");
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.serverUri()).isEqualTo("tcp://127.0.0.1:1883");
        assertThat(s.name()).isEqualTo("mqtt://127.0.0.1:1883");
    }

    @Test
    void everyParameter() {
        MqttSettings s = parse("mqtt://ha:p%40ss@broker.lan:1884/?prefix=home/cams&qos=2&client=streamtee-frontdoor"
                + "&timeout=1500ms");
        assertThat(s.host()).isEqualTo("broker.lan");
        assertThat(s.port()).isEqualTo(1884);
        assertThat(s.user()).isEqualTo("ha");
        assertThat(s.password()).isEqualTo("p@ss");
        assertThat(s.prefix()).isEqualTo("home/cams");
        assertThat(s.qos()).isEqualTo(2);
        assertThat(s.clientId()).isEqualTo("streamtee-frontdoor");
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.name()).isEqualTo("mqtt://ha@broker.lan:1884?prefix=home/cams");
    }

    @Test
    void thePasswordComesFromTheEnvironmentWhenTheUrlHasNone() {
        Map<String, String> env = Map.of(MqttSettings.PASSWORD_ENV, "from-env");
        assertThat(MqttSettings.parse("mqtt://ha@broker.lan", env::get).password()).isEqualTo("from-env");
        assertThat(MqttSettings.parse("mqtt://ha:in-url@broker.lan", env::get).password()).isEqualTo("in-url");
        assertThat(MqttSettings.parse("mqtt://broker.lan", env::get).password())
                .as("no user, no password").isNull();
    }

    @Test
    void thePasswordNeverShows() {
        MqttSettings s = parse("mqtt://ha:hunter2@broker.lan?qos=1");
        assertThat(s.name()).doesNotContain("hunter2");
        assertThat(s.toString()).doesNotContain("hunter2").contains("password=***");
        assertThatThrownBy(() -> parse("mqtt://ha:hunter2@broker.lan?qos=7"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("sink 'mqtt://ha:***@broker.lan?qos=7': ?qos= must be 0, 1 or 2, got '7'");
        assertThatThrownBy(() -> parse("mqtts://ha:hunter2@broker.lan"))
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> parse("mqtt://ha:hun@ter2@broker.lan?qos=x"))
                .hasMessageNotContaining("ter2").hasMessageStartingWith("sink 'mqtt://ha:***@broker.lan?qos=x'");
    }

    @Test
    void errorsNameWhatIsWrong() {
        assertThatThrownBy(() -> parse("webhook://broker.lan"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("sink 'webhook://broker.lan': the scheme must be mqtt:// (got webhook://)");
        assertThatThrownBy(() -> parse("mqtt:///?qos=1"))
                .hasMessage("sink 'mqtt:///?qos=1': a host is required, as in mqtt://127.0.0.1:1883");
        assertThatThrownBy(() -> parse("mqtt://broker.lan?retain=true"))
                .hasMessage("sink 'mqtt://broker.lan?retain=true': ?retain= is not known (known: prefix, qos, client,"
                        + " timeout)");
        assertThatThrownBy(() -> parse("mqtt://broker.lan?prefix=a/%23"))
                .hasMessageContaining("?prefix= must be a topic without wildcards");
        assertThatThrownBy(() -> parse("mqtt://broker.lan?prefix=/a"))
                .hasMessageContaining("?prefix= must be a topic without wildcards");
        assertThatThrownBy(() -> parse("mqtt://broker.lan/events"))
                .hasMessage("sink 'mqtt://broker.lan/events': a path is not used (got /events); set the topic with "
                        + "?prefix=");
        assertThatThrownBy(() -> parse("mqtt://broker.lan?timeout=soon"))
                .hasMessageStartingWith("sink 'mqtt://broker.lan?timeout=soon': ?timeout=: 'soon' is not a duration");
        assertThatThrownBy(() -> parse("mqtt://broker.lan?qos=1&qos=2"))
                .hasMessage("sink 'mqtt://broker.lan?qos=1&qos=2': ?qos= is given twice");
        assertThatThrownBy(() -> parse("mqtt://broker lan"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("sink 'mqtt://broker lan': not a URL");
        assertThat(parse("mqtt://broker.lan").toString()).doesNotContain("\n");
    }
}
