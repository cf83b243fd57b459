package io.streamtee.relay;

import io.streamtee.config.Units;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what the relay did: a summary line per route every {@code statsInterval} and at exit, and, every
 * {@link #DROP_SUMMARY_SECONDS} seconds, one line per output that lost copies in that time (one line per interval,
 * never one per datagram). Copies refused because nobody listens are not in that line: the output says once when
 * that starts and once when it ends, and the summary line counts them.
 */
public final class StatsReporter implements AutoCloseable {
    static final long DROP_SUMMARY_SECONDS = 10;
    private static final Logger log = LoggerFactory.getLogger("io.streamtee.stats");

    private final java.util.function.Supplier<List<Route>> routes;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stats");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, RouteStats.Snapshot> lastRoute = new HashMap<>();
    private final Map<String, Long> lastRouteNanos = new HashMap<>();
    private final Map<OutputStats, OutputStats.Snapshot> lastDrops = new HashMap<>();
    private final Map<Route, Long> lastDenied = new HashMap<>();

    public StatsReporter(List<Route> routes, Duration statsInterval) {
        this(() -> routes, statsInterval);
    }

    /** @param routes the routes now; called at every report, so routes added by a reload are reported too */
    public StatsReporter(java.util.function.Supplier<List<Route>> routes, Duration statsInterval) {
        this.routes = routes;
        long now = System.nanoTime();
        for (Route r : routes.get()) {
            lastRoute.put(r.name(), r.stats().snapshot());
            lastRouteNanos.put(r.name(), now);
        }
        if (!statsInterval.isZero()) {
            long ms = statsInterval.toMillis();
            timer.scheduleAtFixedRate(this::logSummary, ms, ms, TimeUnit.MILLISECONDS);
        }
        timer.scheduleAtFixedRate(this::logDrops, DROP_SUMMARY_SECONDS, DROP_SUMMARY_SECONDS, TimeUnit.SECONDS);
    }

    /** Logs one summary line per route now. */
    public synchronized void logSummary() {
        for (Route r : routes.get()) {
            log.info(summary(r));
        }
    }

    /** The summary line of a route, with the input rate since the previous summary. */
    synchronized String summary(Route r) {
        return summary(r, false);
    }

    /**
     * The summary line of a route at exit: the input's average bit rate is over the time data flowed (first to last
     * datagram), not over the time the relay ran, and the line says so.
     */
    synchronized String exitSummary(Route r) {
        return summary(r, true);
    }

    private String summary(Route r, boolean atExit) {
        RouteStats.Snapshot in = r.stats().snapshot();
        long now = System.nanoTime();
        RouteStats.Snapshot prev = lastRoute.getOrDefault(r.name(), in);
        if (prev.bytes() > in.bytes()) { // the route was restarted by a reload: its counters began again
            prev = new RouteStats.Snapshot(0, 0, 0, 0, 0, 0);
        }
        double seconds = Math.max(1e-9, (now - lastRouteNanos.getOrDefault(r.name(), now)) / 1e9);
        double bps = 8.0 * (in.bytes() - prev.bytes()) / seconds;
        lastRoute.put(r.name(), in);
        lastRouteNanos.put(r.name(), now);
        StringBuilder sb = new StringBuilder();
        sb.append("route ").append(r.name()).append(": in ").append(in.datagrams()).append(" datagrams, ")
                .append(Units.formatBytes(in.bytes()));
        if (!atExit) {
            sb.append(", ").append(Units.formatBitrate(bps));
        } else if (in.flowingBitsPerSecond() >= 0) {
            sb.append(", ").append(Units.formatBitrate(in.flowingBitsPerSecond())).append(" average over the ")
                    .append(String.format(java.util.Locale.ROOT, "%.1f",
                            (in.lastDatagramMillis() - in.firstDatagramMillis()) / 1000.0))
                    .append(" s data flowed");
        }
        long idleMillis = System.currentTimeMillis() - in.lastDatagramMillis();
        if (in.lastDatagramMillis() == 0) {
            sb.append(", nothing received yet");
        } else if (idleMillis >= 2_000) {
            sb.append(", last datagram ").append(idleMillis / 1000).append(" s ago");
        }
        if (in.denied() > 0) {
            sb.append(", ").append(in.denied()).append(" denied");
        }
        if (in.inputErrors() > 0) {
            sb.append(", ").append(in.inputErrors()).append(" receive errors");
        }
        for (OutputStats o : r.outputStats()) {
            OutputStats.Snapshot s = o.snapshot();
            sb.append(" | ").append(s.url()).append(' ').append(s.datagrams()).append(" sent");
            if (s.dropped() > 0) {
                sb.append(", ").append(s.dropped()).append(" dropped ").append(reasons(s, null));
            }
        }
        return sb.toString();
    }

    synchronized void logDrops() {
        List<Route> current = routes.get();
        // forget routes and outputs that are gone (restarted routes, HTTP clients that left)
        lastDenied.keySet().retainAll(current);
        lastDrops.keySet().retainAll(current.stream().flatMap(r -> r.outputStats().stream()).toList());
        for (Route r : current) {
            long denied = r.stats().snapshot().denied();
            long before = lastDenied.getOrDefault(r, 0L);
            if (denied > before) {
                var source = r.stats().lastDeniedSource();
                log.warn("route {}: {} datagrams from sources outside the allow list in the last {}s (latest from {})",
                        r.name(), denied - before, DROP_SUMMARY_SECONDS,
                        source == null ? "?" : source.getHostAddress());
            }
            lastDenied.put(r, denied);
            for (OutputStats o : r.outputStats()) {
                OutputStats.Snapshot now = o.snapshot();
                OutputStats.Snapshot prev = lastDrops.get(o);
                // refused copies (nobody listening) are said when it starts and ends, and counted in the summary line
                long delta = now.dropped() - now.dropped(DropReason.REFUSED)
                        - (prev == null ? 0 : prev.dropped() - prev.dropped(DropReason.REFUSED));
                if (delta > 0) {
                    log.warn("route {} output {}: {} copies dropped in the last {}s {}", r.name(), o.url(), delta,
                            DROP_SUMMARY_SECONDS, reasons(now, prev, DropReason.REFUSED));
                }
                lastDrops.put(o, now);
            }
        }
    }

    private static String reasons(OutputStats.Snapshot now, OutputStats.Snapshot prev, DropReason... except) {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (DropReason reason : DropReason.values()) {
            if (java.util.Arrays.asList(except).contains(reason)) {
                continue;
            }
            long d = now.dropped(reason) - (prev == null ? 0 : prev.dropped(reason));
            if (d > 0) {
                j.add(reason.key() + " " + d);
            }
        }
        return j.toString();
    }

    /** Stops the timer and logs the final summary. Safe to call twice. */
    @Override
    public void close() {
        if (timer.isShutdown()) {
            return;
        }
        timer.shutdownNow();
        logDrops();
        synchronized (this) {
            for (Route r : routes.get()) {
                log.info(exitSummary(r));
            }
        }
    }
}
