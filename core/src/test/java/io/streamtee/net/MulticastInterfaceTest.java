package io.streamtee.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.config.Endpoint;
import io.streamtee.net.MulticastInterface.Candidate;
import java.net.NetworkInterface;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule on made-up interfaces, and on this machine's. */
class MulticastInterfaceTest {

    private static final Candidate LO = new Candidate("lo", true, true, true, true, true);
    private static final Candidate DOWN = new Candidate("eth9", false, false, true, true, true);
    private static final Candidate V4 = new Candidate("eth0", true, false, true, true, false);
    private static final Candidate V6 = new Candidate("eth1", true, false, true, false, true);
    private static final Candidate NO_MULTICAST = new Candidate("tun0", true, false, false, true, true);

    @Test
    void theFirstUpMulticastInterfaceWithAnAddressOfTheGroupsFamily() {
        List<Candidate> all = List.of(LO, DOWN, NO_MULTICAST, V4, V6);
        assertThat(MulticastInterface.choose(all, false)).isEqualTo("eth0");
        assertThat(MulticastInterface.choose(all, true)).isEqualTo("eth1");
    }

    @Test
    void elseLoopbackElseNone() {
        assertThat(MulticastInterface.choose(List.of(DOWN, NO_MULTICAST, V4, LO), true)).isEqualTo("lo");
        assertThat(MulticastInterface.choose(List.of(DOWN, NO_MULTICAST), false)).isNull();
    }

    @Test
    void aNamedInterfaceWinsAndTheDefaultOnThisMachineHasTheFamilyOrIsLoopback() throws Exception {
        assertThat(MulticastInterface.of(Endpoint.parse("udp://239.1.1.1:5000?iface=lo", Endpoint.Role.INPUT))
                .getName()).isEqualTo("lo");
        for (boolean ipv6 : new boolean[] {false, true}) {
            NetworkInterface chosen = MulticastInterface.defaultFor(ipv6);
            assertThat(chosen.isLoopback() || chosen.inetAddresses()
                    .anyMatch(a -> (a instanceof java.net.Inet6Address) == ipv6)).isTrue();
        }
    }
}
