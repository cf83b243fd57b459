package io.streamtee.relay.config;

import io.streamtee.config.Cidr;
import io.streamtee.config.Endpoint;
import java.util.List;

/**
 * A checked route, ready to run.
 *
 * @param name          the route's name, used in logs and metrics
 * @param input         the address to receive on (unicast or multicast group)
 * @param allow         accepted source blocks; empty means any source
 * @param outputs       the destinations, in the order given
 * @param receiveBuffer requested SO_RCVBUF in bytes
 * @param sendBuffer    requested SO_SNDBUF of each output in bytes
 * @param workers       number of SO_REUSEPORT input sockets
 * @param gso           the UDP GSO mode for outputs
 */
public record RouteSpec(
        String name,
        Endpoint input,
        List<Cidr> allow,
        List<Endpoint> outputs,
        int receiveBuffer,
        int sendBuffer,
        int workers,
        Gso gso) {

    public static final int DEFAULT_RECEIVE_BUFFER = 8 << 20;
    public static final int DEFAULT_SEND_BUFFER = 1 << 20;

    /** UDP generic segmentation offload: send a run of equal-size datagrams to one output as one buffer. */
    public enum Gso {
        /** Use it when the kernel supports it and the datagrams are small enough to need no fragmentation. */
        AUTO,
        ON,
        OFF
    }

    public RouteSpec {
        allow = List.copyOf(allow);
        outputs = List.copyOf(outputs);
    }
}
