package io.streamtee.serve;

import io.streamtee.analyze.Analyzer;
import io.streamtee.analyze.health.HealthEvent;
import io.streamtee.analyze.health.HealthMonitor;
import io.streamtee.analyze.health.StreamFacts;
import io.streamtee.record.Recorder;
import io.streamtee.relay.Route;
import io.streamtee.relay.RouteStats;
import io.streamtee.view.ViewRoutes;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One camera as {@code GET /api/cameras} shows it (the home page's tiles and the camera page's figures):
 *
 * <pre>
 * name, input            the camera's name and input URL
 * localPort              the port its input is bound to (the real one for port 0), or null when not bound
 * state                  "live" (a datagram in the last {@value #LIVE_WITHIN_MS} ms) or "no signal"
 * lastDatagram           ISO time of the newest datagram, or null
 * bitrate                the input's bit/s over the relay's last 10 s
 * datagrams, bytes       received by its relay route
 * services               {"record","analyze","view"}: on (true) or off
 * recording              the recorder's counters {segments, bytesWritten, gaps, lostBytes, writeErrors}, or null
 *                        when record is off
 * lastEvent              the newest event (as /api/events shows it), or null
 * viewers                live viewers now (0 when view is off)
 * health                 the analyzer's view of the stream {lost, problems: [..], codec, width, height, fps, bitrate},
 *                        or null when analyze is off
 * </pre>
 */
final class CameraStatus {
    /** A camera is live while its newest datagram is younger than this. */
    static final long LIVE_WITHIN_MS = 5000;

    private CameraStatus() {
    }

    /**
     * The input link's own figures when the input has them (an RTSP camera's connects and errors; an SRT link's RTT,
     * latency, loss and retransmissions): {@code {"counters": {...}, "gauges": {...}}}, or null for a plain UDP input.
     */
    static Map<String, Object> link(Route route) {
        if (route == null) {
            return null;
        }
        Map<String, Long> counters = route.stats().inputCounters();
        Map<String, Double> gauges = route.stats().inputGauges();
        if (counters.isEmpty() && gauges.isEmpty()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("counters", counters);
        m.put("gauges", gauges);
        return m;
    }

    static Map<String, Object> of(CameraServices c, Route route, ViewRoutes view, long nowMillis) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("input", c.config().route().input().masked());
        InetSocketAddress bound = route == null ? null : route.localAddress();
        m.put("localPort", bound == null ? null : bound.getPort());
        RouteStats.Snapshot s = route == null ? null : route.stats().snapshot();
        long last = s == null ? 0 : s.lastDatagramMillis();
        m.put("state", last > 0 && nowMillis - last < LIVE_WITHIN_MS ? "live" : "no signal");
        m.put("lastDatagram", last > 0 ? Instant.ofEpochMilli(last).toString() : null);
        m.put("bitrate", route == null ? 0 : Math.round(route.stats().bitsPerSecond(nowMillis)));
        m.put("datagrams", s == null ? 0 : s.datagrams());
        m.put("bytes", s == null ? 0 : s.bytes());
        m.put("link", link(route));
        Map<String, Object> services = new LinkedHashMap<>();
        services.put("record", c.recorder() != null);
        services.put("analyze", c.analyzer() != null);
        services.put("view", c.feed() != null);
        m.put("services", services);
        m.put("recording", recording(c.recorder()));
        m.put("lastEvent", ServeEvents.latest(c));
        Map<String, Object> viewer = c.feed() == null ? null : view.health(c.name());
        m.put("viewers", viewer == null ? 0 : viewer.get("viewers"));
        m.put("health", health(c.analyzer()));
        return m;
    }

    private static Map<String, Object> recording(Recorder r) {
        if (r == null) {
            return null;
        }
        Recorder.Stats s = r.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("segments", s.segments());
        m.put("bytesWritten", s.bytesWritten());
        m.put("gaps", s.gaps());
        m.put("lostBytes", s.lostBytes());
        m.put("writeErrors", s.writeErrors());
        return m;
    }

    private static Map<String, Object> health(Analyzer a) {
        if (a == null) {
            return null;
        }
        HealthMonitor h = a.health();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lost", h != null && h.lost());
        m.put("problems", h == null ? java.util.List.of()
                : h.activeProblems().stream().map(HealthEvent::text).toList());
        StreamFacts f = h == null ? StreamFacts.UNKNOWN : h.facts();
        m.put("codec", f.codec());
        m.put("width", f.width());
        m.put("height", f.height());
        m.put("fps", Math.round(f.fps() * 10) / 10.0);
        m.put("bitrate", f.bitrate());
        m.put("framesDecoded", a.stats().framesDecoded());
        return m;
    }
}
