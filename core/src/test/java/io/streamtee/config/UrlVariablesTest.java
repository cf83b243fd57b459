package io.streamtee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** {@code ${NAME}} in a config file's URLs. */
class UrlVariablesTest {
    private static final UnaryOperator<String> ENV = Map.of("SMTP_PASSWORD", "p@ss:w/rd+ %&=",
            "CAM_PASSWORD", "s3cr@t", "EMPTY", "")::get;

    @Test
    void withoutReferencesTheUrlIsUnchanged() {
        assertThat(UrlVariables.expand("mqtt://u:pa$s@127.0.0.1:1883", ENV)).isEqualTo("mqtt://u:pa$s@127.0.0.1:1883");
        assertThat(UrlVariables.expand("file:/var/log/events.jsonl", ENV)).isEqualTo("file:/var/log/events.jsonl");
    }

    @Test
    void anUnsetOrMalformedReferenceNamesTheVariableNeverAValue() {
        assertThatThrownBy(() -> UrlVariables.expand("smtp://u:${NOPE}@h?to=a@b.c", ENV)).isInstanceOf(
                ConfigException.class).hasMessage("${NOPE}: the environment variable NOPE is not set");
        assertThatThrownBy(() -> UrlVariables.expand("smtp://u:${EMPTY}@h", ENV))
                .hasMessage("${EMPTY}: the environment variable EMPTY is not set");
        assertThatThrownBy(() -> UrlVariables.expand("smtp://u:${SMTP_PASSWORD@h", ENV))
                .hasMessageEndingWith("has no closing }");
        assertThatThrownBy(() -> UrlVariables.expand("smtp://u:${1X}@h", ENV))
                .hasMessage("${1X}: an environment variable name is letters, digits and _");
    }

    @Test
    void aCameraPasswordIsEncodedInTheUserInfoAndTheHostIsPutInAsItIs() {
        assertThat(UrlVariables.expand("rtsp://admin:${CAM_PASSWORD}@${CAM_HOST}/stream1", Map.of(
                "CAM_PASSWORD", "s3cr@t", "CAM_HOST", "192.168.1.20")::get))
                .isEqualTo("rtsp://admin:s3cr%40t@192.168.1.20/stream1");
    }
}
