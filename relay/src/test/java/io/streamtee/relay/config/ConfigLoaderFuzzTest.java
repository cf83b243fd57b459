package io.streamtee.relay.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.streamtee.config.ConfigException;
import io.streamtee.testing.OfflineResolver;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;

/**
 * Jazzer fuzz test of the relay's config loader on arbitrary text (seeds in
 * {@code src/test/resources/io/streamtee/relay/config/ConfigLoaderFuzzTestInputs/parse/}): a config is either
 * accepted, with at least one route, or refused with a one-line {@link ConfigException}; no other exception. No host
 * name is looked up ({@link OfflineResolver}).
 */
class ConfigLoaderFuzzTest {
    @BeforeAll
    static void noNameLookups() {
        OfflineResolver.activate();
    }

    @FuzzTest
    void parse(byte[] input) {
        RelaySettings settings;
        try {
            settings = ConfigLoader.parse("fuzz.yml", new String(input, StandardCharsets.UTF_8));
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n", "\r");
            return;
        }
        assertThat(settings.routes()).isNotEmpty();
    }
}
