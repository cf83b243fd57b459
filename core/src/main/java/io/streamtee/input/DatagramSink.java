package io.streamtee.input;

import java.util.List;

/** Where an {@link Input} hands its datagrams: a route's fan-out, or a service's receive thread. */
@FunctionalInterface
public interface DatagramSink {

    /**
     * Hands over one batch of datagrams (each a whole datagram, e.g. 7 x 188 bytes of MPEG-TS), to be sent to every
     * output together. The sink copies them; the arrays may be reused once this returns. Does not block.
     */
    void accept(List<byte[]> datagrams);
}
