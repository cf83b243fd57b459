package io.streamtee.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Inputs the fuzz tests ({@link ConfigFuzzTest}) found to break a config parser, as plain regression tests. */
class ConfigFuzzFindingsTest {
    /**
     * Found by {@code ConfigFuzzTest#units} and {@code #cidr} (crash-74077ef4…, crash-9ac2a9c3…): a value with a
     * carriage return or another control character was echoed into the error, which then was not one line.
     */
    @Test
    void controlCharactersInAValueAreEscapedInTheError() {
        assertThatThrownBy(() -> Units.bytes("buffer", "8\r0"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("buffer: '8\\r0' is not a size (examples: 212992, 8MB, 4MiB)");
        assertThatThrownBy(() -> Cidr.parse("10.0.\u0001\n8"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad CIDR '10.0.\\u0001\\n8': '10.0.\\u0001\\n8' is not an IP address");
        assertThatThrownBy(() -> Units.duration("timeout", "5\u2028s"))
                .isInstanceOf(ConfigException.class)
                .hasMessageNotContaining("\u2028")
                .hasMessageContaining("'5\\u2028s'");
    }

    /**
     * Found by {@code ConfigFuzzTest#endpointInput} (crash-2048fa86…): a query parameter with a bad percent escape
     * made {@code Endpoint.parse} throw URLDecoder's IllegalArgumentException instead of a ConfigException.
     */
    @Test
    void aBadPercentEscapeInAQueryParameterIsAConfigError() {
        assertThatThrownBy(() -> Endpoint.parse("udp://127.0.0.1:2500?ifa%e=lo", Endpoint.Role.INPUT))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad URL 'udp://127.0.0.1:2500?ifa%e=lo': parameter 'ifa%e' is not validly"
                        + " percent-encoded (a % must be followed by two hex digits)");
        assertThatThrownBy(() -> Endpoint.parse("udp://127.0.0.1:6000?ttl=%zz", Endpoint.Role.OUTPUT))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad URL 'udp://127.0.0.1:6000?ttl=%zz': parameter 'ttl' is not validly"
                        + " percent-encoded (a % must be followed by two hex digits)");
    }

    /**
     * Found by {@code ConfigFuzzTest#units} (crash-4d206318…): a number too large for its unit made {@code Units}
     * throw ArithmeticException or NumberFormatException, or (a size) wrap around to a negative count.
     */
    @Test
    void aValueTooLargeIsAConfigError() {
        assertThatThrownBy(() -> Units.duration("timeout", "5555555555555555"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("timeout: '5555555555555555' is too large");
        assertThatThrownBy(() -> Units.bytes("buffer", "99999999999999999999"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("buffer: '99999999999999999999' is too large");
        assertThatThrownBy(() -> Units.bytes("buffer", "9999999999999G"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("buffer: '9999999999999G' is too large");
        assertThatThrownBy(() -> Units.bitrate("bitrate", "99999999999999999999G"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bitrate: '99999999999999999999G' is too large");
    }

    /**
     * Found by {@code ConfigFuzzTest#endpointInput} (crash-b99cd408…): an empty {@code iface=} made
     * {@code Endpoint.networkInterface} throw StringIndexOutOfBoundsException.
     */
    @Test
    void anEmptyIfaceIsAConfigError() {
        assertThatThrownBy(() -> Endpoint.parse("udp://239.1.1.1:5000?iface=", Endpoint.Role.INPUT))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad URL 'udp://239.1.1.1:5000?iface=': no network interface '' on this machine");
    }
}
