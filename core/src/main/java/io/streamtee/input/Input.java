package io.streamtee.input;

import java.util.Map;

/** A running input made by an {@link InputFactory}. */
public interface Input extends AutoCloseable {

    /**
     * The input's counters now, for the API and the metrics: the same keys, in the same order, for the input's whole
     * life (e.g. {@code connects}, {@code reconnects}, {@code errors.timeout}). Thread-safe.
     */
    Map<String, Long> counters();

    /**
     * The input's gauges now (values that go up and down, e.g. an SRT link's {@code srt.rttMillis}), for the API and
     * the metrics: like {@link #counters()}, the same keys for the input's whole life. None by default. Thread-safe.
     */
    default Map<String, Double> gauges() {
        return Map.of();
    }

    /**
     * Stops the input: no datagram reaches the sink after this returns, and it returns within a few seconds even when
     * the far end does not answer. Idempotent.
     */
    @Override
    void close();
}
