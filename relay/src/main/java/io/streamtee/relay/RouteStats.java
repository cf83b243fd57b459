package io.streamtee.relay;

import java.util.concurrent.atomic.LongAdder;

/** Input counters of one route, shared by its workers. */
public final class RouteStats {
    /** The window of {@link #bitsPerSecond}, in seconds. */
    public static final int RATE_WINDOW_SECONDS = 10;

    private final LongAdder datagrams = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder inputErrors = new LongAdder();
    private final RateWindow rate = new RateWindow(RATE_WINDOW_SECONDS);
    private volatile long firstDatagramMillis;
    private volatile long lastDatagramMillis;
    private volatile java.net.InetAddress lastDeniedSource;
    private volatile java.util.function.Supplier<java.util.Map<String, Long>> inputCounters = java.util.Map::of;
    private volatile java.util.function.Supplier<java.util.Map<String, Double>> inputGauges = java.util.Map::of;

    void received(long count, long byteCount, long nowMillis) {
        datagrams.add(count);
        bytes.add(byteCount);
        rate.add(byteCount, nowMillis);
        if (firstDatagramMillis == 0) {
            firstDatagramMillis = nowMillis;
        }
        lastDatagramMillis = nowMillis;
    }

    void denied(java.net.InetAddress source) {
        denied.increment();
        lastDeniedSource = source;
    }

    /** The source of the most recent datagram refused by the allow list, or null. */
    public java.net.InetAddress lastDeniedSource() {
        return lastDeniedSource;
    }

    /** Where {@link #inputCounters()} comes from: an input made by an {@code InputFactory}. */
    void inputCounters(java.util.function.Supplier<java.util.Map<String, Long>> counters) {
        this.inputCounters = counters;
    }

    /**
     * The counters of an input made by an {@link io.streamtee.input.InputFactory} (connects, reconnects,
     * errors by kind), the same keys for the route's life; empty for the relay's own inputs.
     */
    public java.util.Map<String, Long> inputCounters() {
        return inputCounters.get();
    }

    /** Where {@link #inputGauges()} comes from: an input made by an {@code InputFactory}. */
    void inputGauges(java.util.function.Supplier<java.util.Map<String, Double>> gauges) {
        this.inputGauges = gauges;
    }

    /**
     * The gauges of an input made by an {@link io.streamtee.input.InputFactory} (an SRT link's RTT, bandwidth,
     * latency), the same keys for the route's life; empty for the relay's own inputs.
     */
    public java.util.Map<String, Double> inputGauges() {
        return inputGauges.get();
    }

    void inputError() {
        inputErrors.increment();
    }

    /**
     * The input's bit rate over the last {@value #RATE_WINDOW_SECONDS} seconds (or since the first datagram, if that
     * is more recent), whoever asks and however often.
     */
    public double bitsPerSecond(long nowMillis) {
        return rate.bitsPerSecond(nowMillis);
    }

    public Snapshot snapshot() {
        return new Snapshot(datagrams.sum(), bytes.sum(), denied.sum(), inputErrors.sum(), firstDatagramMillis,
                lastDatagramMillis);
    }

    /**
     * @param datagrams           datagrams accepted from the input and handed to the outputs
     * @param bytes               their bytes
     * @param denied              datagrams dropped because their source is not in the route's allow list
     * @param inputErrors         receive errors on the input socket
     * @param firstDatagramMillis wall-clock time of the first datagram accepted, 0 if none
     * @param lastDatagramMillis  wall-clock time of the latest datagram accepted, 0 if none
     */
    public record Snapshot(long datagrams, long bytes, long denied, long inputErrors, long firstDatagramMillis,
            long lastDatagramMillis) {
        /** The average bit rate while data flowed (first to last datagram), or -1 if that is not yet a time span. */
        public double flowingBitsPerSecond() {
            long span = lastDatagramMillis - firstDatagramMillis;
            return firstDatagramMillis == 0 || span <= 0 ? -1 : 8.0 * bytes * 1000 / span;
        }
    }
}
