package io.streamtee.relay;

import java.util.concurrent.atomic.LongAdder;

/** Input counters of one route, shared by its workers. */
public final class RouteStats {
    private final LongAdder datagrams = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder inputErrors = new LongAdder();
    private volatile long lastDatagramMillis;
    private volatile java.net.InetAddress lastDeniedSource;

    void received(long count, long byteCount, long nowMillis) {
        datagrams.add(count);
        bytes.add(byteCount);
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

    void inputError() {
        inputErrors.increment();
    }

    public Snapshot snapshot() {
        return new Snapshot(datagrams.sum(), bytes.sum(), denied.sum(), inputErrors.sum(), lastDatagramMillis);
    }

    /**
     * @param datagrams   datagrams accepted from the input and handed to the outputs
     * @param bytes       their bytes
     * @param denied      datagrams dropped because their source is not in the route's allow list
     * @param inputErrors receive errors on the input socket
     */
    public record Snapshot(long datagrams, long bytes, long denied, long inputErrors, long lastDatagramMillis) {
    }
}
