package io.streamtee.serve;

import io.streamtee.analyze.Analyzer;
import io.streamtee.analyze.http.AnalyzerMetrics;
import io.streamtee.record.Recorder;
import io.streamtee.relay.Relay;
import io.streamtee.relay.http.RelayMetrics;
import io.streamtee.view.ViewRoutes;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * {@code serve}'s {@code GET /metrics}: one Prometheus exposition of the relay ({@link RelayMetrics}: its routes are
 * the cameras, label {@code route}), each camera's analyzer ({@link AnalyzerMetrics}) and viewer (view's metrics),
 * both labelled {@code camera}, and these, also labelled {@code camera}:
 *
 * <pre>
 * streamtee_serve_cameras                      (gauge) cameras running
 * streamtee_record_segments_total              segments closed     streamtee_record_bytes_written_total
 * streamtee_record_gaps_total                  streamtee_record_lost_bytes_total
 * streamtee_record_write_errors_total          streamtee_record_continuity_errors_total
 * streamtee_http_unauthorized_total            requests refused for a missing or wrong token (this web server's)
 * </pre>
 *
 * Merged by {@link Exposition}: every family once. Thread-safe.
 */
final class ServeMetrics {
    private static final String UNAUTHORIZED = "streamtee_http_unauthorized_total";

    private final Serve serve;
    private final ViewRoutes view;
    private final LongSupplier unauthorized;
    private final Map<Analyzer, AnalyzerMetrics> analyzers = new IdentityHashMap<>();
    private Relay relay;
    private RelayMetrics relayMetrics;

    ServeMetrics(Serve serve, ViewRoutes view, LongSupplier unauthorized) {
        this.serve = serve;
        this.view = view;
        this.unauthorized = unauthorized;
    }

    synchronized String scrape() {
        List<CameraServices> cameras = serve.cameras();
        StringBuilder own = new StringBuilder();
        own.append("# HELP streamtee_serve_cameras Cameras running\n# TYPE streamtee_serve_cameras gauge\n")
                .append("streamtee_serve_cameras ").append(cameras.size()).append('\n');
        record(own, cameras, "segments", "Segments closed", Recorder.Stats::segments);
        record(own, cameras, "bytes_written", "Bytes written to segments", Recorder.Stats::bytesWritten);
        record(own, cameras, "gaps", "Gaps in the recorded stream (datagrams lost before the recorder)",
                Recorder.Stats::gaps);
        record(own, cameras, "lost_bytes", "Bytes received but not written", Recorder.Stats::lostBytes);
        record(own, cameras, "write_errors", "Segment writes that failed", Recorder.Stats::writeErrors);
        record(own, cameras, "continuity_errors", "MPEG-TS continuity counter errors seen by the recorder",
                Recorder.Stats::continuityErrors);
        own.append("# HELP ").append(UNAUTHORIZED).append(" HTTP requests refused for a missing or wrong token\n")
                .append("# TYPE ").append(UNAUTHORIZED).append(" counter\n")
                .append(UNAUTHORIZED).append(' ').append(unauthorized.getAsLong()).append(".0\n");
        Exposition out = new Exposition().add(own.toString(), Set.of());
        Set<String> skip = Set.of(UNAUTHORIZED);
        Relay r = serve.relay();
        if (r != null) {
            if (r != relay) {
                relay = r;
                relayMetrics = new RelayMetrics(r, () -> 0);
            }
            out.add(relayMetrics.scrape(), skip);
        }
        Map<Analyzer, AnalyzerMetrics> running = new IdentityHashMap<>();
        for (CameraServices c : cameras) {
            Analyzer a = c.analyzer();
            if (a != null) {
                AnalyzerMetrics m = analyzers.get(a);
                running.put(a, m != null ? m : new AnalyzerMetrics(a, () -> 0));
            }
        }
        analyzers.clear(); // analyzers stopped (camera removed, analyzer restarted) are forgotten
        analyzers.putAll(running);
        for (CameraServices c : cameras) {
            if (c.analyzer() != null) {
                out.add(analyzers.get(c.analyzer()).scrape(), skip);
            }
        }
        out.add(view.scrape(), skip);
        return out.text();
    }

    private static void record(StringBuilder b, List<CameraServices> cameras, String name, String help,
            ToLongFunction<Recorder.Stats> value) {
        String family = "streamtee_record_" + name + "_total";
        b.append("# HELP ").append(family).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(family).append(" counter\n");
        for (CameraServices c : cameras) {
            Recorder r = c.recorder();
            if (r != null) {
                b.append(String.format(Locale.ROOT, "%s{camera=\"%s\"} %d.0\n", family, c.name(),
                        value.applyAsLong(r.stats())));
            }
        }
    }
}
