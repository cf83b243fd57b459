package io.streamtee.serve;

import io.streamtee.analyze.AnalyzeException;
import io.streamtee.analyze.AnalyzeFile;
import io.streamtee.analyze.Analyzer;
import io.streamtee.analyze.AnalyzerConfig;
import io.streamtee.analyze.ClipLinks;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.JsonLinesSink;
import io.streamtee.analyze.sink.ConfiguredSink;
import io.streamtee.cli.LogContext;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.net.ReceiveException;
import io.streamtee.record.RecordException;
import io.streamtee.record.Recorder;
import io.streamtee.record.RecorderConfig;
import io.streamtee.relay.config.RouteSpec;
import io.streamtee.view.CameraFeed;
import io.streamtee.view.Hub;
import io.streamtee.view.LiveInput;
import io.streamtee.view.ViewCommand;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One camera's services in {@code serve}: its recorder, analyzer and live feed, each on a loopback UDP port of its own
 * (port 0, any free one) that the camera's relay route sends a copy of every datagram to ({@link #outputs()}).
 *
 * <p><b>Why loopback sockets and not an in-process hand-off.</b> Each service already receives on its own thread from
 * a {@link io.streamtee.net.UdpReceiver}; the kernel's socket buffer is the bounded queue between the relay and the
 * service, and the relay's send never waits for it: a stalled service loses its own datagrams (counted by the relay
 * as send drops and by the service as gaps), never anyone else's. A camera sends a few hundred datagrams a second;
 * the copies cost the relay one {@code sendmmsg} per batch and output and each service one {@code recvmmsg}: the
 * cost bench ({@code bench/serve-cost.sh}) measures what this costs per camera.
 *
 * <p><b>Changes.</b> {@link #apply} changes only the services whose settings changed: a service whose settings
 * differ is stopped and started again on a new port (the relay route then swaps its output), the others keep running
 * and lose nothing. Not thread-safe: {@link Serve} calls it under its own lock.
 */
public final class CameraServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CameraServices.class);
    /** Every service listens here: loopback, any free port. */
    static final String LOOPBACK_ANY = "udp://127.0.0.1:0";

    private final String name;
    private final Path data;
    private final ClipLinks clips;
    private final Function<RecorderConfig, Recorder> recorders;
    /**
     * What runs: a service's settings are here only while the service runs (null or false otherwise). Changed under
     * {@link Serve}'s lock, read by the web server without it (volatile: each read sees one whole value).
     */
    private volatile ServeConfig.Camera config;
    /** What {@link #start()} is to start; null once started. */
    private ServeConfig.Camera wanted;
    private volatile Recorder recorder;
    private volatile Analyzer analyzer;
    private volatile LiveInput viewInput;
    private volatile CameraFeed feed;
    private boolean closed;

    /**
     * @param wanted the camera's settings; its analyzer's sinks are this object's from now on (handed to the analyzer,
     *              or closed)
     * @param data  the data directory (the default events file goes there)
     * @param clips where an event's clip links point (the web server's playback routes), or null for none
     * @param recorders makes the recorder from its config ({@code Recorder::new}; tests give one whose disk stalls)
     */
    CameraServices(ServeConfig.Camera wanted, Path data, ClipLinks clips, Function<RecorderConfig, Recorder> recorders) {
        this.name = wanted.name();
        this.wanted = wanted;
        this.config = wanted.withRecord(null).withoutAnalyze().withView(false);
        this.data = data;
        this.clips = clips;
        this.recorders = recorders;
    }

    /**
     * Starts every service the camera's config asks for: all of them or, on failure, none (what was started is
     * closed again).
     *
     * @throws ConfigException one line naming the camera's key, when a service cannot start
     */
    CameraServices start() {
        ServeConfig.Camera next = wanted;
        wanted = null;
        Steps done;
        try (LogContext.Scope ignored = LogContext.camera(name)) {
            done = applyHere(next);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        if (!done.errors().isEmpty()) {
            close();
            throw new ConfigException(String.join("; ", done.errors()));
        }
        return this;
    }

    /**
     * Moves to {@code next} (the same camera's new settings), restarting only the services whose settings changed.
     * A service that cannot start is left off, said in the result, and not in {@link #config()}: the next reload
     * tries it again. The analyzer's sinks of {@code next} are handed to a new analyzer, or closed when the running
     * analyzer is kept.
     *
     * @return what changed and what failed, for the log ("record restarted", "view stopped"), empty when nothing did
     */
    List<String> apply(ServeConfig.Camera next) {
        if (!next.name().equals(name)) {
            throw new IllegalArgumentException("camera " + next.name() + " is not " + name);
        }
        try (LogContext.Scope ignored = LogContext.camera(name)) {
            Steps done = applyHere(next);
            List<String> all = new ArrayList<>(done.changes());
            all.addAll(done.errors());
            return all;
        }
    }

    /** What {@link #applyHere} changed, and the services it could not start (one line each, naming the key). */
    private record Steps(List<String> changes, List<String> errors) {
    }

    private Steps applyHere(ServeConfig.Camera next) {
        List<String> changes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        if (!Objects.equals(next.record(), config.record())) {
            boolean had = recorder != null;
            if (recorder != null) {
                recorder.close(); // first: two recorders must never write one directory
                recorder = null;
                config = config.withRecord(null);
            }
            if (next.record() != null) {
                try {
                    recorder = startRecorder(next);
                    config = config.withRecord(next.record());
                    changes.add(had ? "record restarted" : "record started");
                } catch (RuntimeException e) {
                    errors.add(e.getMessage());
                }
            } else {
                changes.add("record stopped");
            }
        }
        if (!next.sameAnalyze(config)) {
            boolean had = analyzer != null;
            if (analyzer != null) {
                analyzer.close(); // closes its own sinks; an open event ends
                analyzer = null;
                config = config.withoutAnalyze();
            }
            if (next.analyze() != null) {
                try {
                    analyzer = startAnalyzer(next); // on failure it closed next's sinks
                    config = config.withAnalyzeOf(next);
                    changes.add(had ? "analyze restarted" : "analyze started");
                } catch (RuntimeException e) {
                    errors.add(e.getMessage());
                }
            } else {
                changes.add("analyze stopped");
            }
        } else if (next.analyze() != null) {
            ServeConfig.closeSinks(List.of(next)); // the running analyzer keeps its own sinks
        }
        if (next.view() != config.view()) {
            if (next.view()) {
                try {
                    startView();
                    config = config.withView(true);
                    changes.add("view started");
                } catch (RuntimeException e) {
                    errors.add(e.getMessage());
                }
            } else {
                stopView();
                config = config.withView(false);
                changes.add("view stopped");
            }
        }
        config = config.withRoute(next.route());
        return new Steps(changes, errors);
    }

    /** The relay could not move the camera's route to its new input and kept the old one: so does the config. */
    void keepRoute(RouteSpec running) {
        config = config.withRoute(running);
    }

    private Recorder startRecorder(ServeConfig.Camera c) {
        Recorder r = recorders.apply(c.record().recorderConfig(name, Endpoint.parse(LOOPBACK_ANY,
                Endpoint.Role.INPUT)));
        try {
            return r.start();
        } catch (RecordException e) {
            throw new ConfigException("cameras." + name + ".record: " + e.getMessage(), e);
        }
    }

    private Analyzer startAnalyzer(ServeConfig.Camera c) {
        AnalyzerConfig ac = analyzerConfig(c, data, clips);
        c.store().baseUrl(ServeWeb.linkBase(clips)); // sinks' snapshot links absolute, on the web server
        try {
            return new Analyzer(ac).start();
        } catch (AnalyzeException e) {
            ac.sinks().forEach(CameraServices::closeQuietly);
            throw new ConfigException("cameras." + name + ".analyze: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            ac.sinks().forEach(CameraServices::closeQuietly);
            throw e;
        }
    }

    /**
     * The analyzer's config for camera {@code c}: the section's settings, a JSON Lines file of its events
     * ({@code data/NAME-events.jsonl} unless {@code events:} says otherwise or {@code off}), the section's sinks.
     */
    static AnalyzerConfig analyzerConfig(ServeConfig.Camera c, Path data, ClipLinks clips) {
        AnalyzeFile file = c.analyze();
        List<EventSink> sinks = new ArrayList<>();
        Map<EventSink, Duration> cooldowns = new IdentityHashMap<>();
        String events = file.events() != null ? file.events() : data.resolve(c.name() + "-events.jsonl").toString();
        if (!events.equalsIgnoreCase("off")) {
            sinks.add(new JsonLinesSink(Path.of(events)));
        }
        for (ConfiguredSink s : file.sinks()) {
            sinks.add(s.sink());
            cooldowns.put(s.sink(), s.cooldown());
        }
        return new AnalyzerConfig(Endpoint.parse(LOOPBACK_ANY, Endpoint.Role.INPUT), c.name(), file.motion(),
                file.health(), file.zones(), file.masks(), sinks, file.tracker(), cooldowns, c.store(), clips);
    }

    private void startView() {
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        LiveInput input = new LiveInput(Endpoint.parse(LOOPBACK_ANY, Endpoint.Role.INPUT), hub);
        try {
            input.start();
        } catch (ReceiveException e) {
            input.close();
            throw new ConfigException("cameras." + name + ".view: " + e.getMessage(), e);
        }
        viewInput = input;
        feed = new CameraFeed(name, hub, input);
    }

    private void stopView() {
        if (viewInput != null) {
            viewInput.close();
        }
        viewInput = null;
        feed = null;
    }

    /** The copies the relay route sends: the services' loopback ports, in the order record, analyze, view. */
    List<Endpoint> outputs() {
        List<Endpoint> out = new ArrayList<>();
        if (recorder != null) {
            out.add(loopback(recorder.localAddress()));
        }
        if (analyzer != null) {
            out.add(loopback(analyzer.localAddress()));
        }
        if (viewInput != null) {
            out.add(loopback(viewInput.localAddress()));
        }
        return out;
    }

    private static Endpoint loopback(InetSocketAddress at) {
        return Endpoint.parse("udp://127.0.0.1:" + at.getPort(), Endpoint.Role.OUTPUT);
    }

    public String name() {
        return name;
    }

    /** The settings it runs with now. */
    public ServeConfig.Camera config() {
        return config;
    }

    /** The recorder, or null when {@code record: false}. */
    public Recorder recorder() {
        return recorder;
    }

    /** The analyzer, or null when {@code analyze: false}. */
    public Analyzer analyzer() {
        return analyzer;
    }

    /** The live feed (hub and input) the web server's viewer serves, or null when {@code view: false}. */
    public CameraFeed feed() {
        return feed;
    }

    /**
     * Stops every service: the recorder closes its last segment, the analyzer ends an open event and closes its sinks.
     * Call it after the relay route stopped, so that the services get the stream's tail. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (LogContext.Scope ignored = LogContext.camera(name)) {
            if (recorder != null) {
                recorder.close();
            }
            if (analyzer != null) {
                analyzer.close();
            }
            if (wanted != null) {
                ServeConfig.closeSinks(List.of(wanted)); // never started: its sinks were built with the config
                wanted = null;
            }
            stopView();
            LOG.debug("camera {}: services stopped", name);
        }
    }

    private static void closeQuietly(EventSink sink) {
        try {
            sink.close();
        } catch (Exception ignored) {
            // nothing was delivered: closing is only tidying up
        }
    }
}
