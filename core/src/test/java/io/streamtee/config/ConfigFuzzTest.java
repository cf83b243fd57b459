package io.streamtee.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.streamtee.testing.OfflineResolver;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * Jazzer fuzz tests of the config values a person or a file gives: each input is UTF-8 text (seeds in
 * {@code src/test/resources/io/streamtee/config/ConfigFuzzTestInputs/<method>/}), and the only exception allowed is
 * a {@link ConfigException} whose message is one line. No host name is looked up ({@link OfflineResolver}).
 */
class ConfigFuzzTest {
    /** A config record with the kinds of fields the real ones have. */
    record Sample(String name, int port, long size, boolean on, List<String> outputs, Map<String, Sample> nested) {
    }

    @BeforeAll
    static void noNameLookups() {
        OfflineResolver.activate();
    }

    private static String text(byte[] input) {
        return new String(input, StandardCharsets.UTF_8);
    }

    private static void oneLine(ConfigException e) {
        assertThat(e.getMessage()).isNotBlank().doesNotContain("\n", "\r");
    }

    @FuzzTest
    void endpointInput(byte[] input) {
        endpoint(text(input), Endpoint.Role.INPUT);
    }

    @FuzzTest
    void endpointOutput(byte[] input) {
        endpoint(text(input), Endpoint.Role.OUTPUT);
    }

    private static void endpoint(String url, Endpoint.Role role) {
        Endpoint endpoint;
        try {
            endpoint = Endpoint.parse(url, role);
        } catch (ConfigException e) {
            oneLine(e);
            return;
        }
        assertThat(endpoint.address().getPort()).isBetween(0, 65535);
        assertThat(endpoint.masked()).isNotNull();
        assertThat(endpoint.toString()).isNotNull();
    }

    /** The same text as a size, a duration and a bit rate. */
    @FuzzTest
    void units(byte[] input) {
        String text = text(input);
        try {
            assertThat(Units.bytes("buffer", text)).isNotNegative();
        } catch (ConfigException e) {
            oneLine(e);
        }
        try {
            assertThat(Units.duration("timeout", text).isNegative()).isFalse();
        } catch (ConfigException e) {
            oneLine(e);
        }
        try {
            assertThat(Units.bitrate("bitrate", text)).isNotNegative();
        } catch (ConfigException e) {
            oneLine(e);
        }
    }

    @FuzzTest
    void cidr(byte[] input) {
        Cidr cidr;
        try {
            cidr = Cidr.parse(text(input));
        } catch (ConfigException e) {
            oneLine(e);
            return;
        }
        assertThat(cidr.prefix()).isBetween(0, cidr.network().length * 8);
        cidr.contains(InetAddress.getLoopbackAddress());
    }

    /**
     * A URL with references; every variable is set to the text after the last NUL (without any {@code $} or
     * <code>{</code>, which could make a reference with the text around it), or unset when there is none.
     */
    @FuzzTest
    void urlVariables(byte[] input) {
        String text = text(input);
        int nul = text.lastIndexOf('\0');
        String url = nul < 0 ? text : text.substring(0, nul);
        String value = nul < 0 ? null : text.substring(nul + 1).replace("$", "").replace("{", "");
        try {
            String expanded = UrlVariables.expand(url, name -> value);
            assertThat(expanded).doesNotContain("${");
        } catch (ConfigException e) {
            oneLine(e);
        }
    }

    @FuzzTest
    void yaml(byte[] input) {
        try {
            Yaml.read("fuzz.yml", text(input), Sample.class);
        } catch (ConfigException e) {
            oneLine(e);
        }
    }
}
