package io.streamtee.relay.config;

import java.util.List;

/**
 * One route as written in the config file: {@code routes.<name>}. Values stay as text until {@link ConfigLoader}
 * checks them, so that an error can name the key.
 *
 * @param input         where datagrams come from, e.g. {@code udp://0.0.0.0:8100}
 * @param allow         source address blocks accepted (CIDR); empty or absent means any source
 * @param outputs       where copies go, e.g. {@code udp://127.0.0.1:8101}
 * @param receiveBuffer SO_RCVBUF of the input socket, e.g. {@code 8MiB} (default 8MiB)
 * @param sendBuffer    SO_SNDBUF of each output socket (default 1MiB)
 * @param workers       input sockets sharing the port with SO_REUSEPORT, each on its own thread (default 1)
 * @param gso           UDP segmentation offload for outputs: {@code auto}, {@code on} or {@code off} (default auto)
 */
public record RouteConfig(
        String input,
        List<String> allow,
        List<String> outputs,
        String receiveBuffer,
        String sendBuffer,
        Integer workers,
        String gso) {

    public static RouteConfig of(String input, List<String> allow, List<String> outputs) {
        return new RouteConfig(input, allow, outputs, null, null, null, null);
    }
}
