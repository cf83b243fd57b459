package io.streamtee.view;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamtee.net.UdpReceiver;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The viewer's counters as Prometheus series ({@code GET /metrics}), every one but the last tagged with
 * {@code camera}:
 *
 * <pre>
 * streamtee_view_datagrams_total / _datagram_bytes_total     UDP datagrams received, taken or not, and their bytes
 * streamtee_view_datagrams_dropped_total{reason}              not_ts (garbage), no_stream_yet, other_source, denied,
 *                                                             queue_full (a plugged input ahead of the receive thread)
 * streamtee_view_input_events_total{event}                    a plugged input's (rtsp://, srt://): connects, errors...
 * streamtee_view_frames_total / _frame_bytes_total            access units published, and their bytes
 * streamtee_view_viewers                                      (gauge) viewers watching now
 * streamtee_view_viewer_limit                                 (gauge) the most viewers at once
 * streamtee_view_viewers_refused_total                        viewers refused over the limit
 * streamtee_view_skips_total                                  times a viewer fell behind and was moved to a keyframe
 * streamtee_view_frames_dropped_total                         frames viewers did not get (skips, waiting for a key)
 * streamtee_view_cut_off_total                                viewers cut off: one send took too long
 * streamtee_view_sent_frames_total / _sent_bytes_total        frames (messages) sent to viewers, and their bytes
 * streamtee_view_client_messages_ignored_total                messages viewers sent (ignored)
 * streamtee_view_gop_cache_frames / _gop_cache_bytes          (gauges) the cached GOP now
 * streamtee_view_snapshots_total                              snapshot JPEGs made
 * streamtee_view_snapshot_requests_total                      /snapshot.jpg requests
 * streamtee_view_mse_viewers                                  (gauge) of the viewers, those on the MSE fallback
 * streamtee_view_mse_skips_total                              times an MSE viewer was moved to a keyframe
 * streamtee_view_mse_errors_total                             times libavformat refused the stream (MSE restarts)
 * streamtee_view_mse_passed_over_total                        access units not sent over MSE (damaged, not H.264)
 * streamtee_http_unauthorized_total                           HTTP requests refused for a missing or wrong token
 * </pre>
 *
 * The cameras are fixed for a server's life, so every meter is registered once, at construction.
 */
final class ViewMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<ServedCamera> cameras; // held here: Micrometer holds the counted objects weakly
    private final LongSupplier unauthorized;

    ViewMetrics(List<ServedCamera> cameras, LongSupplier unauthorized) {
        this.cameras = List.copyOf(cameras);
        this.unauthorized = unauthorized;
        for (ServedCamera c : this.cameras) {
            Tags tags = Tags.of("camera", c.name());
            counter(c, "streamtee.view.datagrams", "UDP datagrams received, taken or not", tags,
                    x -> x.feed().receiver().datagrams());
            counter(c, "streamtee.view.datagram.bytes", "Bytes of the UDP datagrams received", tags,
                    x -> x.feed().receiver().bytes());
            for (UdpReceiver.Drop d : UdpReceiver.Drop.values()) {
                counter(c, "streamtee.view.datagrams.dropped", "UDP datagrams dropped, by reason (not_ts: garbage)",
                        tags.and("reason", d.label()), x -> x.feed().receiver().dropped(d));
            }
            for (String event : c.feed().receiver().input().keySet()) { // fixed for the input's life
                counter(c, "streamtee.view.input.events",
                        "Events of a plugged input (rtsp://, srt://): connects, reconnects, errors by kind",
                        tags.and("event", event), x -> x.feed().receiver().input().getOrDefault(event, 0L));
            }
            counter(c, "streamtee.view.frames", "Access units published to the viewers", tags,
                    x -> x.hub().frames());
            counter(c, "streamtee.view.frame.bytes", "Bytes of the access units published", tags,
                    x -> x.hub().bytes());
            gauge(c, "streamtee.view.viewers", "Viewers watching now", tags, x -> x.admitted());
            gauge(c, "streamtee.view.viewer.limit", "The most viewers at once", tags, x -> x.maxViewers());
            counter(c, "streamtee.view.viewers.refused", "Viewers refused over the viewer limit", tags,
                    x -> x.refused.get());
            counter(c, "streamtee.view.skips", "Times a viewer fell behind and was moved to the next keyframe", tags,
                    x -> x.hub().skips());
            counter(c, "streamtee.view.frames.dropped",
                    "Frames viewers did not get: dropped from a full queue, or passed over waiting for a keyframe",
                    tags, x -> x.hub().framesDropped());
            counter(c, "streamtee.view.cut.off", "Viewers cut off because one send took too long", tags,
                    x -> x.cutOff.get());
            counter(c, "streamtee.view.sent.frames", "Frames sent to viewers", tags, x -> x.sentFrames.get());
            counter(c, "streamtee.view.sent.bytes", "Bytes sent to viewers", tags, x -> x.sentBytes.get());
            counter(c, "streamtee.view.client.messages.ignored", "Messages viewers sent (ignored)", tags,
                    x -> x.ignoredMessages.get());
            gauge(c, "streamtee.view.gop.cache.frames", "Frames in the cached GOP", tags, x -> x.hub().cachedFrames());
            gauge(c, "streamtee.view.gop.cache.bytes", "Bytes in the cached GOP", tags, x -> x.hub().cachedBytes());
            counter(c, "streamtee.view.snapshots", "Snapshot JPEGs made", tags, x -> x.snapshots().made());
            counter(c, "streamtee.view.snapshot.requests", "Snapshot requests", tags,
                    x -> x.snapshotRequests.get());
            gauge(c, "streamtee.view.mse.viewers", "Viewers on the MSE fallback now", tags, x -> x.mse().viewers());
            counter(c, "streamtee.view.mse.skips", "Times an MSE viewer fell behind and was moved to a keyframe",
                    tags, x -> x.mse().hub().skips());
            counter(c, "streamtee.view.mse.errors", "Times libavformat refused the stream (the MSE feed restarts)",
                    tags, x -> x.mse().errors());
            counter(c, "streamtee.view.mse.passed.over",
                    "Access units not sent over MSE: before the first keyframe, damaged, or not H.264", tags,
                    x -> x.mse().passedOver());
        }
        FunctionCounter.builder("streamtee.http.unauthorized", this, m -> m.unauthorized.getAsLong())
                .description("HTTP requests refused for a missing or wrong token").register(registry);
    }

    private void counter(ServedCamera c, String name, String description, Tags tags,
            ToDoubleFunction<ServedCamera> f) {
        FunctionCounter.builder(name, c, f).description(description).tags(tags).register(registry);
    }

    private void gauge(ServedCamera c, String name, String description, Tags tags, ToDoubleFunction<ServedCamera> f) {
        Gauge.builder(name, c, f).description(description).tags(tags).register(registry);
    }

    /** The Prometheus text exposition of every series. */
    synchronized String scrape() {
        return registry.scrape();
    }
}
