package io.streamtee.serve;

import io.streamtee.analyze.ClipLinks;
import io.streamtee.config.Endpoint;
import io.streamtee.record.Recorder;
import io.streamtee.record.RecorderConfig;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.config.RelaySettings;
import io.streamtee.relay.config.RouteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve} running: one relay whose routes are the cameras, and each camera's services ({@link CameraServices})
 * on the loopback ports the route copies every datagram to. The web server ({@link ServeWeb}) reads it.
 *
 * <pre>{@code
 * try (Serve serve = new Serve(ServeYaml.load(file)).start(clips)) {
 *     serve.reload(ServeYaml.load(file)); // only what changed changes
 * }
 * }</pre>
 *
 * <p><b>Order.</b> Started back to front (the services, then the relay route that feeds them), stopped front to back
 * (the route drains what it holds into the services, then they close: the last segment and the last event whole).
 *
 * <p>Thread-safe: {@link #reload}, {@link #close} and the readers ({@link #cameras()}) may come from any thread.
 */
public final class Serve implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Serve.class);

    private final Map<String, CameraServices> cameras = new LinkedHashMap<>();
    private final Function<RecorderConfig, Recorder> recorders;
    private ServeConfig config;
    private ClipLinks clips;
    private Relay relay;
    private boolean closed;

    /** @param config the checked config; the cameras' analyzer sinks are this runtime's from now on */
    public Serve(ServeConfig config) {
        this(config, Recorder::new);
    }

    /** For tests: how each recorder is made (one whose disk stalls, say). */
    Serve(ServeConfig config, Function<RecorderConfig, Recorder> recorders) {
        this.config = config;
        this.recorders = recorders;
    }

    /**
     * Starts every camera: its services, then the relay with one route per camera. On failure everything started is
     * stopped again and the config's unused sinks closed.
     *
     * @param clipLinks where an event's clip links point (the web server's playback), or null for none
     * @throws io.streamtee.config.ConfigException one line naming the camera's key, when a service cannot start
     * @throws io.streamtee.relay.RelayException when a camera's input cannot be bound
     */
    public synchronized Serve start(ClipLinks clipLinks) {
        if (relay != null || closed) {
            throw new IllegalStateException("already started");
        }
        this.clips = clipLinks;
        List<ServeConfig.Camera> notStarted = new ArrayList<>(config.cameras().values());
        try {
            for (ServeConfig.Camera c : config.cameras().values()) {
                notStarted.remove(c);
                cameras.put(c.name(), new CameraServices(c, config.data(), clips, recorders).start());
            }
            relay = new Relay(relaySettings()).start();
        } catch (RuntimeException | Error e) {
            ServeConfig.closeSinks(notStarted);
            closeAll();
            throw e;
        }
        LOG.info("serving {} camera(s): {}", cameras.size(), String.join(", ", cameras.keySet()));
        return this;
    }

    /**
     * Moves to {@code next}: a camera added starts, a camera removed stops, a camera whose settings changed restarts
     * only the services whose settings changed; its route's other outputs, and every other camera, lose nothing. The
     * web section takes a restart. When a service of a changed camera cannot start, that camera runs without it and
     * the error is in the summary.
     *
     * @return a one-line summary of what changed, for the log
     */
    public synchronized String reload(ServeConfig next) {
        if (relay == null || closed) {
            next.close();
            throw new IllegalStateException("not running");
        }
        ServeConfig before = config;
        List<String> changes = new ArrayList<>();
        if (!next.web().equals(config.web())) {
            changes.add("web stays " + config.web().listen() + " until restart");
        }
        if (!next.data().equals(config.data())) {
            changes.add("data stays " + config.data() + " until restart");
        }
        // Removed cameras first, route then services: a new camera may take a removed one's port.
        List<CameraServices> removed = new ArrayList<>();
        for (CameraServices running : List.copyOf(cameras.values())) {
            if (!next.cameras().containsKey(running.name())) {
                cameras.remove(running.name());
                removed.add(running);
            }
        }
        if (!removed.isEmpty()) {
            relay.apply(relaySettings()); // only stops routes: the others' specs are what runs
            for (CameraServices r : removed) {
                r.close(); // after its route stopped: the tail of its stream is in its recording
                changes.add("camera " + r.name() + " removed");
            }
        }
        Map<String, CameraServices> after = new LinkedHashMap<>();
        for (ServeConfig.Camera c : next.cameras().values()) {
            CameraServices running = cameras.get(c.name());
            if (running == null) {
                try {
                    after.put(c.name(), new CameraServices(c, config.data(), clips, recorders).start());
                    changes.add("camera " + c.name() + " added");
                } catch (RuntimeException e) {
                    changes.add("camera " + c.name() + " not added: " + e.getMessage());
                }
                continue;
            }
            List<String> done = running.apply(c);
            if (!done.isEmpty()) {
                changes.add("camera " + c.name() + ": " + String.join(", ", done));
            }
            after.put(c.name(), running);
        }
        cameras.clear();
        cameras.putAll(after);
        String routes = applyRoutes(before, changes);
        this.config = new ServeConfig(config.web(), config.url(), config.data(), configs(cameras));
        String summary = changes.isEmpty() ? "no change" : String.join("; ", changes);
        LOG.info("config applied: {} (relay: {})", summary, routes);
        return summary;
    }

    /**
     * Gives the relay the cameras' routes. When a camera's input cannot be bound, the relay stops at that camera (the
     * ones before it are applied, the ones after not yet): a new camera is dropped, a changed one keeps the input it
     * had (the relay kept it), and the relay is given the rest again, until every camera runs or was dropped.
     */
    private String applyRoutes(ServeConfig before, List<String> changes) {
        for (int attempt = 0; ; attempt++) {
            try {
                return relay.apply(relaySettings());
            } catch (RuntimeException e) {
                changes.add(e.getMessage());
                CameraServices failed = firstWithoutItsRoute();
                if (failed == null || attempt > before.cameras().size() + cameras.size()) {
                    LOG.warn("relay: {}", e.getMessage(), e);
                    return "failed: " + e.getMessage();
                }
                Route route = route(failed.name());
                if (route == null) {
                    cameras.remove(failed.name());
                    failed.close();
                    changes.add("camera " + failed.name() + " not added");
                } else {
                    failed.keepRoute(before.cameras().get(failed.name()).route());
                    changes.add("camera " + failed.name() + " keeps its input " + route.spec().input().masked());
                }
            }
        }
    }

    /** The first camera, in order, whose route is missing or on another input than its config says. */
    private CameraServices firstWithoutItsRoute() {
        for (CameraServices c : cameras.values()) {
            Route r = route(c.name());
            if (r == null || !r.spec().input().equals(c.config().route().input())) {
                return c;
            }
        }
        return null;
    }

    private static Map<String, ServeConfig.Camera> configs(Map<String, CameraServices> running) {
        Map<String, ServeConfig.Camera> out = new LinkedHashMap<>();
        running.forEach((name, s) -> out.put(name, s.config()));
        return out;
    }

    /** One route per camera: its input and allow list, its extra outputs, then its services' loopback ports. */
    private RelaySettings relaySettings() {
        List<RouteSpec> routes = new ArrayList<>();
        for (CameraServices s : cameras.values()) {
            RouteSpec r = s.config().route();
            List<Endpoint> outputs = new ArrayList<>(r.outputs());
            outputs.addAll(s.outputs());
            routes.add(new RouteSpec(r.name(), r.input(), r.allow(), outputs, r.receiveBuffer(), r.sendBuffer(),
                    r.workers(), r.gso()));
        }
        return new RelaySettings(routes, Duration.ofSeconds(60), RelaySettings.Transport.AUTO);
    }

    /** The cameras running, in the config's order. */
    public synchronized List<CameraServices> cameras() {
        return List.copyOf(cameras.values());
    }

    /** The camera {@code name}, or null when none runs by that name. */
    public synchronized CameraServices camera(String name) {
        return cameras.get(name);
    }

    /** The relay route of camera {@code name}, or null. */
    public synchronized Route route(String name) {
        if (relay == null) {
            return null;
        }
        return relay.routes().stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    /** The relay (its routes are the cameras), or null before {@link #start}. */
    public synchronized Relay relay() {
        return relay;
    }

    /** The config running now (after a reload, what was applied). */
    public synchronized ServeConfig config() {
        return config;
    }

    /** Stops the relay (its routes drain into the services), then every camera's services. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll();
    }

    private void closeAll() {
        if (relay != null) {
            relay.close();
        }
        for (CameraServices s : cameras.values()) {
            s.close();
        }
        cameras.clear();
    }
}
