package io.streamtee.analyze;

import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.http.AnalyzerServer;
import io.streamtee.analyze.event.JsonLinesSink;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.analyze.motion.Zone;
import io.streamtee.analyze.sink.Sinks;
import io.streamtee.cli.Cli;
import io.streamtee.cli.Signals;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamtee analyze}: watches a UDP MPEG-TS stream for motion and stream problems and sends each event to its
 * sinks. Bad options give exit code 2 and one line naming the option; a socket that cannot be bound gives 1. SIGTERM
 * or Ctrl-C closes the analyzer (its sinks drain; a summary line is logged) and exits 0.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {
            "Watch a UDP MPEG-TS stream for motion and for problems with the stream itself, and send each event to"
                    + " files, syslog, webhooks, email, MQTT or a database.",
            "",
            "Sink URLs (--sink, repeatable):",
            "  file:PATH, or a PATH ending in .jsonl        JSON Lines",
            "  webhook:URL, http://..., https://...         HTTP POST",
            "  syslog://HOST:PORT, syslog+tcp://HOST:PORT   syslog",
            "  smtp://HOST:PORT?to=ADDR&from=ADDR           email",
            "  mqtt://HOST:PORT                             MQTT",
            "  jdbc:sqlite:FILE, jdbc:postgresql://...      database",
            "Polygons are [[x,y],[x,y],[x,y],...] in fractions of the picture (0..1, from the top left).",
            ""},
        footer = {
            "",
            "Examples:",
            "  streamtee analyze --listen udp://127.0.0.1:8102",
            "  streamtee analyze --camera porch --threshold 10 --mask '[[0,0.85],[1,0.85],[1,1],[0,1]]'",
            "  streamtee analyze --zone 'door=[[0.6,0.2],[0.9,0.2],[0.9,0.9],[0.6,0.9]]' --sink syslog://127.0.0.1:514",
            "  streamtee analyze --events off --sink https://hooks.example.org/cam --sink jdbc:sqlite:events.db",
            "  streamtee analyze --camera porch --http 127.0.0.1:8082 --playback http://127.0.0.1:8081"})
public final class AnalyzeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeCommand.class);

    @Option(names = "--listen", paramLabel = "URL", defaultValue = "udp://127.0.0.1:8102",
            description = "Input: udp://host:port, or a multicast group (?iface=NAME, ?source=ADDR) "
                    + "(default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--camera", paramLabel = "NAME", defaultValue = "camera",
            description = "Camera name: the start of every event id (default: ${DEFAULT-VALUE}).")
    String camera;

    @Option(names = "--events", paramLabel = "FILE", defaultValue = "events.jsonl",
            description = "Append every event to this JSON Lines file; off for none (default: ${DEFAULT-VALUE}).")
    String events;

    @Option(names = "--sink", paramLabel = "URL",
            description = "Also send events here (repeatable); the forms are listed above.")
    List<String> sinks = new ArrayList<>();

    @Option(names = "--mask", paramLabel = "POLYGON",
            description = "Ignore motion inside this polygon, e.g. a clock overlay (repeatable).")
    List<String> masks = new ArrayList<>();

    @Option(names = "--zone", paramLabel = "NAME=POLYGON",
            description = "A named zone; events name the zones their motion touches (repeatable).")
    List<String> zones = new ArrayList<>();

    @Option(names = "--threshold", paramLabel = "N",
            description = "Motion threshold: the luma change (1..255) a pixel needs to count as moving; lower sees"
                    + " low-contrast movement (default: 30).")
    Integer threshold;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "off",
            description = "Serve the events page, /api/events, snapshots and /metrics here, e.g. 127.0.0.1:8082;"
                    + " off for none (default: ${DEFAULT-VALUE}). Off loopback, STREAMTEE_API_TOKEN is required.")
    String http;

    @Option(names = "--playback", paramLabel = "URL",
            description = "The recorder's playback server, e.g. http://127.0.0.1:8081: each event links to its clip"
                    + " there (5 s before to 5 s after).")
    String playback;

    /** The checked {@code --http} address and token, or null for off. */
    ApiSettings httpSettings() {
        if (http == null || http.isBlank() || http.strip().equalsIgnoreCase("off")) {
            return null;
        }
        return AnalyzerServer.apiSettings(http.strip());
    }

    /** Builds the configuration the options describe; a bad option throws a one-line {@link ConfigException}. */
    AnalyzerConfig config() {
        Endpoint input;
        try {
            input = Endpoint.parse(listen, Endpoint.Role.INPUT);
        } catch (ConfigException e) {
            throw new ConfigException("--listen: " + e.getMessage(), e);
        }
        if (camera == null || camera.isBlank()) {
            throw new ConfigException("--camera: a name is needed");
        }
        MotionSettings motion = MotionSettings.defaults();
        if (events == null || events.isBlank()) {
            throw new ConfigException("--events: a file is needed, or off for none");
        }
        if (threshold != null) {
            if (threshold < 1 || threshold > 255) {
                throw new ConfigException("--threshold: must be between 1 and 255, not " + threshold);
            }
            motion = motion.withThreshold(threshold);
        }
        List<Polygon> maskPolygons = new ArrayList<>();
        for (String m : masks) {
            maskPolygons.add(Polygon.parse("--mask", m));
        }
        List<Zone> zoneList = new ArrayList<>();
        for (String z : zones) {
            int eq = z.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--zone: expected NAME=POLYGON, e.g. door=[[0.6,0.2],[0.9,0.2],[0.9,0.9]],"
                        + " not " + z.strip());
            }
            String name = z.substring(0, eq).strip();
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new ConfigException("--zone: a zone name is letters, digits, _ and -, not '" + name + "'");
            }
            if (zoneList.stream().anyMatch(other -> other.name().equals(name))) {
                throw new ConfigException("--zone: '" + name + "' is given twice");
            }
            zoneList.add(Zone.of(name, Polygon.parse("--zone " + name, z.substring(eq + 1))));
        }
        ApiSettings web = httpSettings();
        ClipLinks clips = playback == null || playback.isBlank() ? null : ClipLinks.parse("--playback", playback);
        EventStore store = new EventStore();
        if (web != null && web.listen().getPort() != 0) { // else the server tells the store once it is bound
            store.baseUrl(AnalyzerServer.baseUrl(web.listen().getAddress(), web.listen().getPort()));
        }
        List<EventSink> sinkList = new ArrayList<>();
        try {
            if (!events.equalsIgnoreCase("off")) {
                sinkList.add(new JsonLinesSink(Path.of(events)));
            }
            for (String s : sinks) {
                try {
                    sinkList.add(Sinks.parse(s, store));
                } catch (ConfigException e) {
                    throw new ConfigException("--sink: " + e.getMessage(), e);
                }
            }
        } catch (RuntimeException e) {
            sinkList.forEach(AnalyzeCommand::closeQuietly);
            throw e;
        }
        return new AnalyzerConfig(input, camera, motion, io.streamtee.analyze.health.HealthSettings.DEFAULTS,
                zoneList, maskPolygons, sinkList).withStore(store).withClips(clips);
    }

    private static void closeQuietly(EventSink sink) {
        try {
            sink.close();
        } catch (Exception ignored) {
            // nothing was delivered yet; closing is only tidying up
        }
    }

    /**
     * Builds the configuration and starts an analyzer on it; the caller closes it.
     *
     * @throws ConfigException a bad option
     * @throws AnalyzeException the socket cannot be bound
     */
    Analyzer start() {
        AnalyzerConfig config = config();
        try {
            return new Analyzer(config).start();
        } catch (AnalyzeException e) {
            // the analyzer closes only the sinks it started; these never were (close is idempotent)
            config.sinks().forEach(AnalyzeCommand::closeQuietly);
            throw new AnalyzeException("--listen: " + e.getMessage(), e);
        }
    }

    /**
     * Analyzes until SIGTERM or Ctrl-C, then closes the analyzer (its sinks drain, a summary line is logged). A bad
     * option throws a {@link ConfigException}, a socket that cannot be bound an {@link AnalyzeException};
     * {@link Cli} prints either as one line.
     */
    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch stop = Signals.stopLatch();
        ApiSettings web = httpSettings();
        try (Analyzer analyzer = start(); AnalyzerServer server = web == null ? null : serve(analyzer, web)) {
            stop.await();
        }
        return 0;
    }

    /** Starts the web server for {@code analyzer} ({@code --http}); the caller closes it. */
    static AnalyzerServer serve(Analyzer analyzer, ApiSettings web) {
        AnalyzerServer server = new AnalyzerServer(analyzer, web).start();
        LOG.info("events page at {} ({})", server.url(), web.tokenRequired() ? "token required" : "no token");
        return server;
    }

    /** Runs the command standalone (the distribution runs it through {@code streamtee}), as {@link Cli} runs any. */
    public static void main(String[] args) {
        System.exit(Cli.run(new AnalyzeCommand(), args));
    }
}
