package io.streamtee.relay.output;

import java.util.Map;

/** A running output made by an {@link OutputFactory}: takes datagrams from the route and sends them on its own. */
public interface DatagramOutput extends AutoCloseable {

    /**
     * Hands over one datagram (the output keeps the array). Never blocks: returns false, and drops the datagram,
     * when the output cannot take it now (not connected, or its bounded queue is full). Thread-safe.
     */
    boolean offer(byte[] datagram);

    /** The output's counters now: the same keys, in the same order, for its whole life. Thread-safe. */
    Map<String, Long> counters();

    /** The output's gauges now (e.g. an SRT link's RTT): the same keys for its whole life; none by default. */
    default Map<String, Double> gauges() {
        return Map.of();
    }

    /** Stops the output within a few seconds even when the far end does not answer. Idempotent. */
    @Override
    void close();
}
