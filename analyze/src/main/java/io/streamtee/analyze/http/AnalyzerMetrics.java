package io.streamtee.analyze.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamtee.analyze.Analyzer;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.analyze.health.HealthEvent;
import io.streamtee.analyze.health.HealthMonitor;
import io.streamtee.analyze.health.StreamFacts;
import io.streamtee.net.UdpReceiver;
import io.streamtee.ts.Tr101290;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The analyzer's counters as Prometheus series, every one tagged with {@code camera}:
 *
 * <pre>
 * streamtee_analyze_datagrams_total                 streamtee_analyze_access_units_total
 * streamtee_analyze_input_events_total{event}       (a plugged input's, rtsp:// or srt://: connects, errors by kind)
 * streamtee_analyze_frames_decoded_total            streamtee_analyze_frames_skipped_total{reason}  (overload, damage)
 * streamtee_analyze_decode_errors_total             streamtee_analyze_decode_queue           (gauge)
 * streamtee_analyze_events_total{kind,phase}        (kind motion|health, phase start|update|end)
 * streamtee_analyze_sink_delivered_total{sink}      streamtee_analyze_sink_retried_total{sink}
 * streamtee_analyze_sink_failed_total{sink}         streamtee_analyze_sink_dropped_total{sink}
 * streamtee_analyze_sink_queue{sink}                (gauge: events waiting)
 * streamtee_analyze_snapshots / _snapshot_bytes     (gauges: kept now)   streamtee_analyze_snapshots_evicted_total
 * streamtee_analyze_snapshots_encoded_total         streamtee_analyze_snapshot_copies_total  (frames copied)
 * streamtee_analyze_stream_bits_per_second, _stream_fps, _stream_width, _stream_height  (gauges, health facts)
 * streamtee_analyze_tr101290_errors_total{kind,priority}  (TR 101 290 errors since the analyzer started)
 * streamtee_analyze_health_problems_total{problem}  (health problems begun: STARTs and one-off reports, by kind)
 * streamtee_analyze_health_active                   (gauge: problems open now)
 * streamtee_analyze_stream_lost                     (gauge: 1 while no data comes)
 * streamtee_analyze_outages_total
 * streamtee_http_unauthorized_total
 * </pre>
 *
 * The sinks are fixed for an analyzer's life, so every meter is registered once, at construction.
 */
public final class AnalyzerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Analyzer analyzer;
    private final LongSupplier unauthorized;
    /** The TR 101 290 counters, taken once per scrape (a copy of every PID's counters). */

    /**
     * @param analyzer     the analyzer whose counters these are
     * @param unauthorized requests the web server refused for a missing or wrong token
     */
    public AnalyzerMetrics(Analyzer analyzer, LongSupplier unauthorized) {
        this.analyzer = analyzer;
        this.unauthorized = unauthorized;
        Tags tags = Tags.of("camera", analyzer.config().camera());
        // Micrometer holds the counted object weakly: count through this (held by the server), not a lambda's capture.
        counter("streamtee.analyze.datagrams", "Datagrams received", tags, m -> m.analyzer.stats().datagrams());
        UdpReceiver.Stats input = analyzer.inputStats();
        for (String event : input == null ? Set.<String>of() : input.input().keySet()) { // fixed for life
            counter("streamtee.analyze.input.events",
                    "Events of a plugged input (rtsp://, srt://): connects, reconnects, errors by kind",
                    tags.and("event", event), m -> m.analyzer.inputStats().input().getOrDefault(event, 0L));
        }
        counter("streamtee.analyze.access.units", "Video access units assembled", tags,
                m -> m.analyzer.stats().accessUnits());
        counter("streamtee.analyze.frames.decoded", "Frames decoded", tags, m -> m.analyzer.stats().framesDecoded());
        String skipped = "Access units not decoded, up to the next keyframe: the decoder fell behind (overload), or one"
                + " was damaged in transport (damage)";
        counter("streamtee.analyze.frames.skipped", skipped, tags.and("reason", "overload"),
                m -> m.analyzer.stats().framesSkipped());
        counter("streamtee.analyze.frames.skipped", skipped, tags.and("reason", "damage"),
                m -> m.analyzer.stats().framesSkippedDamaged());
        counter("streamtee.analyze.decode.errors", "Access units or pictures the decoder rejected", tags,
                m -> m.analyzer.stats().decodeErrors());
        gauge("streamtee.analyze.decode.queue", "Access units waiting for the decoder", tags,
                m -> m.analyzer.decodeQueue());
        EventStore store = analyzer.store();
        for (Event.Kind kind : Event.Kind.values()) {
            for (Event.Phase phase : Event.Phase.values()) {
                counter("streamtee.analyze.events", "Event messages, by kind and phase",
                        tags.and("kind", kind.name().toLowerCase(Locale.ROOT), "phase",
                                phase.name().toLowerCase(Locale.ROOT)),
                        m -> m.analyzer.store().count(kind, phase));
            }
        }
        for (SinkQueue q : analyzer.sinks()) {
            Tags sink = tags.and("sink", q.name());
            FunctionCounter.builder("streamtee.analyze.sink.delivered", q, SinkQueue::delivered)
                    .description("Events the sink delivered").tags(sink).register(registry);
            FunctionCounter.builder("streamtee.analyze.sink.retried", q, SinkQueue::retried)
                    .description("Deliveries tried again after a failure").tags(sink).register(registry);
            FunctionCounter.builder("streamtee.analyze.sink.failed", q, SinkQueue::failed)
                    .description("Events given up after every attempt failed").tags(sink).register(registry);
            FunctionCounter.builder("streamtee.analyze.sink.dropped", q, SinkQueue::dropped)
                    .description("Events dropped from a full queue").tags(sink).register(registry);
            Gauge.builder("streamtee.analyze.sink.queue", q, SinkQueue::waiting)
                    .description("Events waiting for the sink").tags(sink).register(registry);
        }
        counter("streamtee.analyze.snapshots.encoded", "Snapshot JPEGs encoded", tags,
                m -> m.analyzer.snapshotsEncoded());
        counter("streamtee.analyze.snapshot.copies", "Decoded frames copied for snapshots", tags,
                m -> m.analyzer.snapshotCopies());
        Gauge.builder("streamtee.analyze.snapshots", store, EventStore::snapshots)
                .description("Snapshot JPEGs kept").tags(tags).register(registry);
        Gauge.builder("streamtee.analyze.snapshot.bytes", store, EventStore::snapshotBytes)
                .description("Bytes of the snapshot JPEGs kept").tags(tags).register(registry);
        FunctionCounter.builder("streamtee.analyze.snapshots.evicted", store, EventStore::evicted)
                .description("Snapshots evicted to stay within the store's bounds").tags(tags).register(registry);
        gauge("streamtee.analyze.stream.bits.per.second", "The input's bit rate (health monitor)", tags,
                m -> m.facts().bitrate());
        gauge("streamtee.analyze.stream.fps", "The video's frame rate (0 until known)", tags, m -> m.facts().fps());
        gauge("streamtee.analyze.stream.width", "The video's width (0 until known)", tags, m -> m.facts().width());
        gauge("streamtee.analyze.stream.height", "The video's height (0 until known)", tags,
                m -> m.facts().height());
        for (Tr101290.Kind kind : Tr101290.Kind.values()) {
            counter("streamtee.analyze.tr101290.errors",
                    "TR 101 290 errors, by kind and priority, since the analyzer started (across outages)",
                    tags.and("kind", kind.name().toLowerCase(Locale.ROOT), "priority",
                            String.valueOf(kind.priority())),
                    m -> m.health(h -> h.errorCount(kind)));
        }
        for (HealthEvent.Kind kind : HealthEvent.Kind.values()) {
            counter("streamtee.analyze.health.problems", "Health problems begun (STARTs and one-off reports), by kind",
                    tags.and("problem", kind.name().toLowerCase(Locale.ROOT)),
                    m -> m.health(h -> h.problemsStarted(kind)));
        }
        gauge("streamtee.analyze.health.active", "Health problems open now", tags, m -> m.health(h -> h.activeCount()));
        gauge("streamtee.analyze.stream.lost", "1 while the stream is lost (no data)", tags,
                m -> m.health(h -> h.lost() ? 1 : 0));
        counter("streamtee.analyze.outages", "Times the stream was lost", tags, m -> m.health(h -> h.outagesTotal()));
        FunctionCounter.builder("streamtee.http.unauthorized", this, m -> m.unauthorized.getAsLong())
                .description("HTTP requests refused for a missing or wrong token").register(registry);
    }

    private double health(java.util.function.ToDoubleFunction<HealthMonitor> f) {
        HealthMonitor h = analyzer.health();
        return h == null ? 0 : f.applyAsDouble(h);
    }

    private StreamFacts facts() {
        HealthMonitor h = analyzer.health();
        return h == null ? StreamFacts.UNKNOWN : h.facts();
    }

    private void counter(String name, String description, Tags tags, ToDoubleFunction<AnalyzerMetrics> f) {
        FunctionCounter.builder(name, this, f).description(description).tags(tags).register(registry);
    }

    private void gauge(String name, String description, Tags tags, ToDoubleFunction<AnalyzerMetrics> f) {
        Gauge.builder(name, this, f).description(description).tags(tags).register(registry);
    }

    /** The Prometheus text exposition of every series. */
    public synchronized String scrape() {
        return registry.scrape();
    }
}
