package io.streamtee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {
    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8, 10.200.3.4, true",
        "10.0.0.0/8, 11.0.0.1, false",
        "10.0.0.7, 10.0.0.7, true",
        "10.0.0.7/32, 10.0.0.8, false",
        "192.168.1.0/25, 192.168.1.127, true",
        "192.168.1.0/25, 192.168.1.128, false",
        "0.0.0.0/0, 203.0.113.9, true",
        "10.0.0.0/8, ::ffff:10.1.2.3, true",
        "10.0.0.0/8, ::1, false",
        "2001:db8::/32, 2001:db8:1::5, true",
        "2001:db8::/32, 2001:db9::5, false",
        "::1, ::1, true",
        "fe80::/10, fe80::1, true",
        "fe80::/10, fec0::1, false",
    })
    void contains(String block, String address, boolean expected) throws Exception {
        assertThat(Cidr.parse(block).contains(InetAddress.getByName(address))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/33 | bad CIDR '10.0.0.0/33': prefix length must be 0-32",
        "10.0.0.0/x  | bad CIDR '10.0.0.0/x': prefix length is not a number",
        "camera.lan/32 | bad CIDR 'camera.lan/32': 'camera.lan' is not an IP address",
        "10.0.0.300  | bad CIDR '10.0.0.300': '10.0.0.300' is not an IP address",
    })
    void badBlocksAreNamed(String text, String message) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(ConfigException.class).hasMessage(message);
    }
}
