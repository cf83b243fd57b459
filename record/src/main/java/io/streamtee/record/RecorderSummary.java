package io.streamtee.record;

import io.streamtee.config.Units;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The recorder's periodic line, at most one per interval: the counters while data flows, and while it does not,
 * how long the stream has been gone ({@code no data for 5m 12s (since 12:03:04)}) instead of the same counters again.
 */
final class RecorderSummary {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final long everyNanos;
    private final ZoneId zone;
    private long next;

    RecorderSummary(Duration every, ZoneId zone, long nowNanos) {
        this.everyNanos = every.toNanos();
        this.zone = zone;
        this.next = nowNanos + everyNanos;
    }

    /**
     * The line to log now, or null when it is not time yet.
     *
     * @param streaming      whether data flows (no stopped stream)
     * @param lastDataMillis wall-clock time of the last data, or 0 when none came since start
     * @param startMillis    wall-clock time the recorder started
     * @param counters       the counters' line, made only when it is logged
     */
    String due(long nowNanos, long nowMillis, boolean streaming, long lastDataMillis, long startMillis,
            java.util.function.Supplier<String> counters) {
        if (nowNanos - next < 0) {
            return null;
        }
        next = nowNanos + everyNanos;
        if (streaming && lastDataMillis != 0) {
            return "recording: " + counters.get();
        }
        long since = lastDataMillis != 0 ? lastDataMillis : startMillis;
        String gone = Units.formatElapsed(Duration.ofMillis(nowMillis - since));
        String at = TIME.format(Instant.ofEpochMilli(since).atZone(zone));
        return lastDataMillis != 0 ? "no data for " + gone + " (since " + at + ")"
                : "no data yet (listening for " + gone + ", since " + at + ")";
    }
}
