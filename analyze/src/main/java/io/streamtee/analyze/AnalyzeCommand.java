package io.streamtee.analyze;

import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.http.AnalyzerServer;
import io.streamtee.analyze.event.JsonLinesSink;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.analyze.motion.Zone;
import io.streamtee.analyze.sink.ConfiguredSink;
import io.streamtee.analyze.sink.Sinks;
import io.streamtee.cli.Cli;
import io.streamtee.cli.Signals;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
            "A sink URL may end in ?cooldown=5m: at most one motion event per camera that often (email: 5m by default,"
                    + " others: none).",
            "Polygons are [[x,y],[x,y],[x,y],...] in fractions of the picture (0..1, from the top left).",
            "With -c FILE, the file gives every setting (see analyze.example.yml); flags override its values and add"
                    + " to its masks, zones and sinks.",
            ""},
        footer = {
            "",
            "Examples:",
            "  streamtee analyze --listen udp://127.0.0.1:8102",
            "  streamtee analyze -c analyze.yml --camera porch",
            "  streamtee analyze --camera porch --threshold 10 --mask '[[0,0.85],[1,0.85],[1,1],[0,1]]'",
            "  streamtee analyze --zone 'door=[[0.6,0.2],[0.9,0.2],[0.9,0.9],[0.6,0.9]]' --sink syslog://127.0.0.1:514",
            "  streamtee analyze --events off --sink https://hooks.example.org/cam --sink jdbc:sqlite:events.db",
            "  streamtee analyze --camera porch --http 127.0.0.1:8082 --playback http://127.0.0.1:8081"})
public final class AnalyzeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeCommand.class);
    static final String DEFAULT_LISTEN = "udp://127.0.0.1:8102";
    static final String DEFAULT_CAMERA = "camera";
    static final String DEFAULT_EVENTS = "events.jsonl";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Read the settings from this YAML file (every key: analyze.example.yml); flags override"
                    + " its values and add to its lists.")
    Path configFile;

    @Option(names = "--listen", paramLabel = "URL",
            description = "Input: udp://host:port, or a multicast group (?iface=NAME, ?source=ADDR), or a camera"
                    + " pulled over rtsp:// or received over srt:// (default: " + DEFAULT_LISTEN + ").")
    String listen;

    @Option(names = "--camera", paramLabel = "NAME",
            description = "Camera name: the start of every event id (default: " + DEFAULT_CAMERA + ").")
    String camera;

    @Option(names = "--events", paramLabel = "FILE",
            description = "Append every event to this JSON Lines file; off for none (default: " + DEFAULT_EVENTS
                    + ").")
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

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve the events page, /api/events, snapshots and /metrics here, e.g. 127.0.0.1:8082;"
                    + " off for none (default: off). Off loopback, STREAMTEE_API_TOKEN is required.")
    String http;

    @Option(names = "--playback", paramLabel = "URL",
            description = "The recorder's playback server, e.g. http://127.0.0.1:8081: each event links to its clip"
                    + " there (5 s before to 5 s after).")
    String playback;

    /** The config file ({@code -c}) once read, with its sinks finding snapshots in {@link #store}. */
    private AnalyzeFile file;
    /** The recent events and their snapshots: the web server's, and where webhook and mail sinks find snapshots. */
    private final EventStore store = new EventStore();

    private AnalyzeFile file() {
        if (file == null) {
            file = configFile == null ? AnalyzeFile.none() : AnalyzeFile.load(configFile, store);
        }
        return file;
    }

    /** The checked {@code --http} address and token (the flag, else the file's {@code http}), or null for off. */
    ApiSettings httpSettings() {
        if (http == null) {
            return file().httpSettings();
        }
        if (http.isBlank() || http.strip().equalsIgnoreCase("off")) {
            return null;
        }
        return AnalyzerServer.apiSettings(http.strip());
    }

    /**
     * Builds the configuration the config file ({@code -c}) and the options describe: a flag overrides the file's
     * value, {@code --mask}, {@code --zone} and {@code --sink} add to the file's lists. A bad option or value throws a
     * one-line {@link ConfigException} naming the flag or the file and key.
     */
    AnalyzerConfig config() {
        AnalyzeFile file = file();
        List<EventSink> sinkList = new ArrayList<>();
        try {
            return config(file, sinkList);
        } catch (RuntimeException e) {
            sinkList.forEach(AnalyzeCommand::closeQuietly);
            file.sinks().stream().map(ConfiguredSink::sink).filter(s -> !sinkList.contains(s))
                    .forEach(AnalyzeCommand::closeQuietly);
            throw e;
        }
    }

    /** Merges the flags into {@code file}; every sink built goes into {@code sinkList} (closed by the caller on error). */
    private AnalyzerConfig config(AnalyzeFile file, List<EventSink> sinkList) {
        Endpoint input = file.listen();
        if (listen != null || input == null) {
            String text = listen != null ? listen : DEFAULT_LISTEN;
            try {
                input = Endpoint.parse(text, Endpoint.Role.INPUT);
            } catch (ConfigException e) {
                throw new ConfigException("--listen: " + e.getMessage(), e);
            }
            AnalyzerConfig.checkListen("--listen", input);
        }
        String cameraName = camera != null ? camera : file.camera() != null ? file.camera() : DEFAULT_CAMERA;
        if (cameraName.isBlank()) {
            throw new ConfigException("--camera: a name is needed");
        }
        if (camera != null) {
            AnalyzerConfig.checkCamera("--camera", cameraName);
        }
        String eventsFile = events != null ? events : file.events() != null ? file.events() : DEFAULT_EVENTS;
        if (eventsFile.isBlank()) {
            throw new ConfigException("--events: a file is needed, or off for none");
        }
        MotionSettings motion = file.motion();
        if (threshold != null) {
            if (threshold < 1 || threshold > 255) {
                throw new ConfigException("--threshold: must be between 1 and 255, not " + threshold);
            }
            motion = motion.withThreshold(threshold);
        }
        List<Polygon> maskPolygons = new ArrayList<>(file.masks());
        for (String m : masks) {
            maskPolygons.add(Polygon.parse("--mask", m));
        }
        List<Zone> zoneList = new ArrayList<>(file.zones());
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
                throw new ConfigException("--zone: '" + name + "' is given twice"
                        + (file.zones().stream().anyMatch(other -> other.name().equals(name))
                                ? " (the config file has it too)" : ""));
            }
            zoneList.add(Zone.of(name, Polygon.parse("--zone " + name, z.substring(eq + 1))));
        }
        ApiSettings web = httpSettings();
        String playbackUrl = playback != null ? playback : file.playback();
        ClipLinks clips = playbackUrl == null || playbackUrl.isBlank() || playbackUrl.equalsIgnoreCase("off") ? null
                : ClipLinks.parse(playback != null ? "--playback" : "analyze.playback", playbackUrl);
        if (web != null && web.listen().getPort() != 0) { // else the server tells the store once it is bound
            store.baseUrl(AnalyzerServer.baseUrl(web.listen().getAddress(), web.listen().getPort()));
        }
        Map<EventSink, Duration> cooldowns = new IdentityHashMap<>();
        if (!eventsFile.equalsIgnoreCase("off")) {
            sinkList.add(new JsonLinesSink(Path.of(eventsFile)));
        }
        for (ConfiguredSink s : file.sinks()) {
            sinkList.add(s.sink());
            cooldowns.put(s.sink(), s.cooldown());
        }
        for (String s : sinks) {
            ConfiguredSink c;
            try {
                c = Sinks.configure(s, null, store);
            } catch (ConfigException e) {
                throw new ConfigException("--sink: " + e.getMessage(), e);
            }
            sinkList.add(c.sink());
            cooldowns.put(c.sink(), c.cooldown());
        }
        return new AnalyzerConfig(input, cameraName, motion, file.health(), zoneList, maskPolygons, sinkList,
                file.tracker(), cooldowns, store, clips);
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
        } catch (RuntimeException | Error e) {
            config.sinks().forEach(AnalyzeCommand::closeQuietly);
            throw e;
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
        try (Analyzer analyzer = start(); AnalyzerServer server = web == null ? null : serve(analyzer, web, http != null ? "--http" : "analyze.http")) {
            stop.await();
        }
        return 0;
    }

    /** Starts the web server for {@code analyzer} ({@code --http}); the caller closes it. */
    static AnalyzerServer serve(Analyzer analyzer, ApiSettings web, String key) {
        AnalyzerServer server = new AnalyzerServer(analyzer, web, key).start();
        LOG.info("events page at {} ({})", server.url(), web.tokenRequired() ? "token required" : "no token");
        return server;
    }

    /** Runs the command standalone (the distribution runs it through {@code streamtee}), as {@link Cli} runs any. */
    public static void main(String[] args) {
        System.exit(Cli.run(new AnalyzeCommand(), args));
    }
}
