package io.streamtee.analyze;

import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.health.HealthSettings;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.analyze.motion.TrackerSettings;
import io.streamtee.analyze.motion.Zone;
import io.streamtee.config.Endpoint;
import io.streamtee.input.Inputs;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link Analyzer} watches and where its events go.
 *
 * @param listen the camera's stream (an input endpoint: {@code udp://0.0.0.0:5000}, port 0 for any)
 * @param camera the camera's name, the start of every event id
 * @param motion the motion detector's settings
 * @param health the health monitor's thresholds
 * @param zones  named zones events report (may be empty)
 * @param masks  parts of the picture the detector ignores (may be empty)
 * @param sinks  where events go, each on its own {@link io.streamtee.analyze.event.SinkQueue}; the analyzer closes
 *               them
 * @param tracker how motion becomes events: frames to start, the gap that ends, UPDATE thinning
 * @param cooldowns the notification cooldown of each sink that has one (see
 *               {@link io.streamtee.analyze.event.Cooldown}), by the sink object itself; a sink not in it has none
 * @param store  the recent events and their snapshots (what the web server serves, where the webhook and mail sinks
 *               find snapshots); every event goes here before the sinks
 * @param clips  links to the recorder's playback server for each event, or null for none
 */
public record AnalyzerConfig(Endpoint listen, String camera, MotionSettings motion, HealthSettings health,
        List<Zone> zones, List<Polygon> masks, List<EventSink> sinks, TrackerSettings tracker,
        Map<EventSink, Duration> cooldowns, EventStore store, ClipLinks clips) {

    public AnalyzerConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(motion, "motion");
        Objects.requireNonNull(health, "health");
        zones = List.copyOf(zones);
        masks = List.copyOf(masks);
        sinks = List.copyOf(sinks);
        Objects.requireNonNull(tracker, "tracker");
        Map<EventSink, Duration> byIdentity = new IdentityHashMap<>(cooldowns);
        cooldowns = Collections.unmodifiableMap(byIdentity);
        Objects.requireNonNull(store, "store");
    }

    /** No cooldowns, the default tracker settings, a new {@link EventStore} with the default bounds, no clip links. */
    public AnalyzerConfig(Endpoint listen, String camera, MotionSettings motion, HealthSettings health,
            List<Zone> zones, List<Polygon> masks, List<EventSink> sinks) {
        this(listen, camera, motion, health, zones, masks, sinks, TrackerSettings.DEFAULTS, Map.of(), new EventStore(),
                null);
    }

    /**
     * Checks an input for the analyzer: UDP, or a scheme some plugged input on the class path serves
     * ({@link Inputs}: {@code rtsp://}, {@code srt://} with the bridge module).
     *
     * @throws io.streamtee.config.ConfigException one line naming {@code key}
     */
    static Endpoint checkListen(String key, Endpoint listen) {
        if (!listen.isUdp()) {
            Inputs.installed().require(key, listen, List.of("udp"));
        }
        return listen;
    }

    /**
     * Checks a camera name: the recorder's rule, so that an event's clip link finds the camera's recordings.
     *
     * @throws io.streamtee.config.ConfigException one line naming {@code key}
     */
    static String checkCamera(String key, String camera) {
        if (!io.streamtee.config.CameraName.isValid(camera)) {
            throw io.streamtee.config.ConfigException.at(key, "letters, digits, '.', '_' and '-' (up to 64, as the"
                    + " recorder names its cameras), not '" + io.streamtee.config.CameraName.shown(camera) + "'");
        }
        return camera;
    }

    /** Default motion and health settings, no zones, no masks. */
    public static AnalyzerConfig of(Endpoint listen, String camera, List<EventSink> sinks) {
        return new AnalyzerConfig(listen, camera, MotionSettings.defaults(), HealthSettings.DEFAULTS, List.of(),
                List.of(), sinks);
    }

    /** The cooldown of {@code sink}: {@link Duration#ZERO} when it has none. */
    public Duration cooldown(EventSink sink) {
        return cooldowns.getOrDefault(sink, Duration.ZERO);
    }

    public AnalyzerConfig withMotion(MotionSettings value) {
        return new AnalyzerConfig(listen, camera, value, health, zones, masks, sinks, tracker, cooldowns, store, clips);
    }

    public AnalyzerConfig withZones(List<Zone> value, List<Polygon> maskValue) {
        return new AnalyzerConfig(listen, camera, motion, health, value, maskValue, sinks, tracker, cooldowns, store,
                clips);
    }

    public AnalyzerConfig withTracker(TrackerSettings value) {
        return new AnalyzerConfig(listen, camera, motion, health, zones, masks, sinks, value, cooldowns, store, clips);
    }

    public AnalyzerConfig withStore(EventStore value) {
        return new AnalyzerConfig(listen, camera, motion, health, zones, masks, sinks, tracker, cooldowns, value, clips);
    }

    /** @param value links to the playback server, or null for none */
    public AnalyzerConfig withClips(ClipLinks value) {
        return new AnalyzerConfig(listen, camera, motion, health, zones, masks, sinks, tracker, cooldowns, store, value);
    }
}
