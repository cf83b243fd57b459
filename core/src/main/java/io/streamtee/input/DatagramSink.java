package io.streamtee.input;

import java.util.List;

/** Where an {@link Input} hands its datagrams: a route's fan-out, or a service's receive thread. */
@FunctionalInterface
public interface DatagramSink {

    /**
     * Hands over one batch of datagrams (each a whole datagram, e.g. 7 x 188 bytes of MPEG-TS), to be sent to every
     * output together. The sink copies them; the arrays may be reused once this returns. Does not block: what the
     * sink has no room for is dropped and counted by the sink.
     */
    void accept(List<byte[]> datagrams);

    /**
     * Hands over the whole batch if the sink has room for all of it now, else none of it, and says which: for an
     * input that can take a refused batch back and offer it again later (a replayable source such as a Kafka topic)
     * instead of losing it. A refused batch is not counted as dropped. Does not block. By default the sink always
     * has room: this is {@link #accept}.
     *
     * @return whether the batch was taken (false: nothing was taken)
     */
    default boolean offer(List<byte[]> datagrams) {
        accept(datagrams);
        return true;
    }
}
