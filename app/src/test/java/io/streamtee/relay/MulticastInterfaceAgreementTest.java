package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.config.Endpoint;
import io.streamtee.net.MulticastInterface;
import io.streamtee.net.ReceiveException;
import io.streamtee.net.UdpReceiver;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The relay and the services (the recorder receives through {@link UdpReceiver}) join a multicast URL on the same
 * interface: they used to have two rules that had drifted apart (the relay ignored the group's family).
 */
class MulticastInterfaceAgreementTest {

    private static Endpoint input(String url) {
        return Endpoint.parse(url, Endpoint.Role.INPUT);
    }

    @Test
    void theSameUrlResolvesToTheSameInterfaceInTheRelayAndTheServices() throws Exception {
        for (String url : List.of("udp://239.1.2.3:5000", "udp://[ff15::1:2]:5000", "udp://239.1.2.3:5000?iface=lo",
                "udp://232.1.2.3:5000?source=127.0.0.1")) {
            Endpoint in = input(url);
            assertThat(UdpInput.multicastInterface(in)).as(url).isEqualTo(MulticastInterface.of(in));
        }
    }

    /** Joins for real, on loopback only: the receiver's interface is the relay's for the same URL. */
    @Test
    void theReceiverJoinsWhereTheRelayWould() {
        Endpoint in = input("udp://239.255.91.8:0?iface=lo");
        try (UdpReceiver receiver = new UdpReceiver(in, UdpReceiver.Options.of("recorder"), (b, o, l, n) -> { })) {
            try {
                receiver.bind();
            } catch (ReceiveException e) {
                Assumptions.abort("this machine cannot join a multicast group on lo: " + e.getMessage());
            }
            assertThat(receiver.joinedInterface()).isEqualTo(UdpInput.multicastInterface(in));
        }
    }
}
