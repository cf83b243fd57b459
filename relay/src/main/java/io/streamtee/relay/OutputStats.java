package io.streamtee.relay;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counters of one output, shared by the route's workers. Updated once per read batch, not per datagram; read from
 * any thread.
 *
 * <p>A copy is either sent or dropped, never both: {@code sent} counts the copies handed to the socket or connection
 * minus those the network later reported as failed (an ICMP "port unreachable" for a UDP copy, a failed GSO send);
 * those are counted as dropped, by reason, instead.
 */
public final class OutputStats {
    private final String url;
    private final LongAdder handedDatagrams = new LongAdder();
    private final LongAdder handedBytes = new LongAdder();
    private final LongAdder failedDatagrams = new LongAdder();
    private final LongAdder failedBytes = new LongAdder();
    private final LongAdder[] drops = new LongAdder[DropReason.values().length];
    private volatile long lastDatagramMillis;
    private volatile Supplier<Map<String, Long>> counters = Map::of;
    private volatile Supplier<Map<String, Double>> gauges = Map::of;

    public OutputStats(String url) {
        this.url = url;
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
    }

    /** Counts datagrams handed to the output's socket or connection. */
    public void sent(long count, long byteCount, long nowMillis) {
        handedDatagrams.add(count);
        handedBytes.add(byteCount);
        lastDatagramMillis = nowMillis;
    }

    /** Counts copies that this output lost before handing them over (a full queue, a closed connection), by reason. */
    public void dropped(DropReason reason, long count) {
        drops[reason.ordinal()].add(count);
    }

    /**
     * Counts copies that were handed over ({@link #sent}) and then reported failed: they move from sent to dropped.
     *
     * @param byteCount their bytes, or -1 when the report does not say which copy failed (an ICMP error): the
     *                  output's average datagram size is used
     */
    public void failed(DropReason reason, long count, long byteCount) {
        if (byteCount < 0) {
            long n = handedDatagrams.sum();
            byteCount = n == 0 ? 0 : count * (handedBytes.sum() / n);
        }
        failedDatagrams.add(count);
        failedBytes.add(byteCount);
        drops[reason.ordinal()].add(count);
    }

    /** Where {@link #counters()} and {@link #gauges()} come from: an output made by an {@code OutputFactory}. */
    void plugged(Supplier<Map<String, Long>> counters, Supplier<Map<String, Double>> gauges) {
        this.counters = counters;
        this.gauges = gauges;
    }

    /**
     * The counters of an output made by an {@link io.streamtee.relay.output.OutputFactory} (an SRT link's connects,
     * packets, retransmissions), the same keys for the output's life; empty for the relay's own outputs.
     */
    public Map<String, Long> counters() {
        return counters.get();
    }

    /** The gauges of such an output (an SRT link's RTT, bandwidth, latency); empty for the relay's own outputs. */
    public Map<String, Double> gauges() {
        return gauges.get();
    }

    public String url() {
        return url;
    }

    public Snapshot snapshot() {
        Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            d.put(r, drops[r.ordinal()].sum());
        }
        // failures are counted as they are reported, possibly just before the batch that sent them: never below 0
        long sent = Math.max(0, handedDatagrams.sum() - failedDatagrams.sum());
        long sentBytes = Math.max(0, handedBytes.sum() - failedBytes.sum());
        return new Snapshot(url, sent, sentBytes, d, lastDatagramMillis);
    }

    /**
     * The output's counters at one moment.
     *
     * @param datagrams          copies sent: handed to the socket and not reported failed since (a copy is sent or
     *                           dropped, never both)
     * @param bytes              bytes of those copies (for failures that do not say which copy, by average size)
     * @param drops              copies lost, by reason
     * @param lastDatagramMillis wall-clock time of the last copy handed over, 0 if none
     */
    public record Snapshot(String url, long datagrams, long bytes, Map<DropReason, Long> drops, long lastDatagramMillis) {
        public long dropped() {
            return drops.values().stream().mapToLong(Long::longValue).sum();
        }

        public long dropped(DropReason reason) {
            return drops.getOrDefault(reason, 0L);
        }
    }
}
