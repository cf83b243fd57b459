package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DestinationTest {

    @Test
    void bareHostPortIsUdp() {
        Destination d = Destination.parse("127.0.0.1:8100");
        assertThat(d.rtp()).isFalse();
        assertThat(d.address().getPort()).isEqualTo(8100);
        assertThat(d.ttl()).isEqualTo(1);
        assertThat(d.iface()).isNull();
        assertThat(d.multicast()).isFalse();
        assertThat(d).hasToString("udp://127.0.0.1:8100");
    }

    @Test
    void schemesIpv6AndMulticastOptions() {
        assertThat(Destination.parse("udp://[::1]:5000")).hasToString("udp://[0:0:0:0:0:0:0:1]:5000");
        assertThat(Destination.parse("rtp://localhost:5004").rtp()).isTrue();
        Destination m = Destination.parse("udp://239.1.1.1:5000?ttl=4&iface=127.0.0.1");
        assertThat(m.multicast()).isTrue();
        assertThat(m.ttl()).isEqualTo(4);
        assertThat(m.iface()).isNotNull();
    }

    @Test
    void errorsNameTheBadPart() {
        assertThatThrownBy(() -> Destination.parse("127.0.0.1:x"))
                .hasMessage("bad URL '127.0.0.1:x': port 'x' is not a number");
        assertThatThrownBy(() -> Destination.parse("::1:5000"))
                .hasMessage("bad URL '::1:5000': write an IPv6 address in brackets, e.g. udp://[::1]:8100");
        assertThatThrownBy(() -> Destination.parse("239.1.1.1:5000?iface=nope0"))
                .hasMessage("bad URL '239.1.1.1:5000?iface=nope0': no network interface 'nope0' on this machine");
        assertThatThrownBy(() -> Destination.parse("239.1.1.1:5000?hops=3"))
                .hasMessage("bad URL '239.1.1.1:5000?hops=3': unknown parameter 'hops' for a udp output (known: iface, loop, ttl)");
    }
}
