package io.streamtee.bridge;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import org.junit.jupiter.api.Test;

class SrtSupportTest {
    private static final Endpoint SRT = Endpoint.parse("srt://127.0.0.1:9000?mode=caller&passphrase=a-long-secret",
            Endpoint.Role.INPUT);

    @Test
    void java21IsRefusedInOneLineNamingTheUrlMaskedAndJava22IsNot() {
        assertThatThrownBy(() -> SrtSupport.check(SRT, 21)).isInstanceOf(ConfigException.class)
                .hasMessage("srt://127.0.0.1:9000?mode=caller&passphrase=***: srt:// needs Java 22 or newer (this is "
                        + "Java 21): streamtee calls libsrt through the FFM API");
        assertThatCode(() -> SrtSupport.check(SRT, 22)).doesNotThrowAnyException();
    }
}
