package io.streamtee.relay;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one output, shared by the route's workers. Updated once per read batch, not per datagram; read from
 * any thread.
 */
public final class OutputStats {
    private final String url;
    private final LongAdder datagrams = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder[] drops = new LongAdder[DropReason.values().length];
    private volatile long lastDatagramMillis;

    public OutputStats(String url) {
        this.url = url;
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
    }

    /** Counts datagrams handed to the output's socket or connection. */
    public void sent(long count, long byteCount, long nowMillis) {
        datagrams.add(count);
        bytes.add(byteCount);
        lastDatagramMillis = nowMillis;
    }

    /** Counts copies that this output lost, by reason. */
    public void dropped(DropReason reason, long count) {
        drops[reason.ordinal()].add(count);
    }

    public String url() {
        return url;
    }

    public Snapshot snapshot() {
        Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            d.put(r, drops[r.ordinal()].sum());
        }
        return new Snapshot(url, datagrams.sum(), bytes.sum(), d, lastDatagramMillis);
    }

    /**
     * The output's counters at one moment.
     *
     * @param datagrams          copies handed to the socket (those dropped for a full buffer are not included; those
     *                           that failed after being handed over are included and also counted in {@code drops})
     * @param bytes              bytes of those copies
     * @param drops              copies lost, by reason
     * @param lastDatagramMillis wall-clock time of the last copy sent, 0 if none
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
