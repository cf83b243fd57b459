package io.streamtee.app;

import io.streamtee.analyze.ClipLinks;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import io.streamtee.camera.PatternOptions;
import io.streamtee.cli.CommandException;
import io.streamtee.cli.LogContext;
import io.streamtee.cli.Signals;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.config.Units;
import io.streamtee.serve.Serve;
import io.streamtee.serve.ServeConfig;
import io.streamtee.serve.ServeWeb;
import io.streamtee.serve.ServeYaml;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamtee demo}: {@code serve} with a built-in config ({@link #yaml()}) and simulated cameras. Each camera
 * is a relay route on a loopback port; each route copies every datagram to the camera's recorder, analyzer and live
 * viewer; one web page shows them all on {@code --http} (http://127.0.0.1:8080 by default). The cameras' visitors
 * come at different times (the second camera's a third of a period later than the first's, and so on).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {
            "Run serve with simulated cameras: each camera's stream goes through the relay to its recorder, its"
                    + " analyzer and the live page, all in one process.",
            "Open the page on --http: every camera live, events appearing as visitors cross, their recordings.",
            ""},
        footer = {
            "",
            "The same with your own cameras: streamtee serve -c streamtee.yml (every key is in serve.example.yml).",
            "Print the config the demo runs: streamtee demo --print-config"})
public final class DemoCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);
    /** The cameras' names, in order; more cameras than names are {@code camera-N}. */
    static final List<String> NAMES = List.of("front-door", "driveway", "backyard", "garage", "porch", "side-gate");
    /** The bottom of the simulated camera's picture, where its clock caption changes every second. */
    static final String CLOCK_MASK = "[[0, 0.85], [1, 0.85], [1, 1], [0, 1]]";
    private static final String DEFAULT_SIZE = "640x360";
    private static final long DEFAULT_BITRATE = 1_000_000;

    @Option(names = "--cameras", paramLabel = "N", defaultValue = "2",
            description = "How many simulated cameras, 1 to 16 (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
            description = "The web page, the JSON API and /metrics; off loopback it needs STREAMTEE_API_TOKEN"
                    + " (default: ${DEFAULT-VALUE}).")
    String http;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "demo-data",
            description = "Recordings and event files go here, one directory per camera (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--segment", paramLabel = "DURATION", defaultValue = "10s",
            description = "Recording segment length (default: ${DEFAULT-VALUE}).")
    String segment;

    @Option(names = "--to", paramLabel = "URL", split = ",",
            description = "Extra copies of the first camera's stream, e.g. udp://127.0.0.1:9000 for"
                    + " ffplay -fflags nobuffer udp://127.0.0.1:9000.")
    List<String> to = new ArrayList<>();

    /** The cameras' pattern: --size (default 640x360 here), --fps, --bitrate (default 1M here), --visitor-every... */
    @Mixin
    PatternOptions patternOptions = new PatternOptions();

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "0",
            description = "Stop after this many seconds; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long seconds;

    @Option(names = "--print-config", description = "Print the serve config the demo runs, and exit.")
    boolean printConfig;

    @Spec
    CommandSpec spec;

    /** Ends the demo; a stop signal when null (tests count it down instead). */
    CountDownLatch stop;
    /** What each camera sent, once the demo has ended. */
    volatile List<CameraStats> camerasSent = List.of();
    /** Set while running (tests). */
    volatile Serve running;
    volatile ServeWeb web;

    @Override
    public Integer call() throws InterruptedException {
        if (cameras < 1 || cameras > 16) {
            throw new ConfigException("--cameras: 1 to 16, not " + cameras);
        }
        if (seconds < 0) {
            throw new ConfigException("--seconds: must not be negative");
        }
        Units.duration("--segment", segment);
        ApiSettings.fromHttpFlag("--http", http); // its errors under its flag, before the config is built
        if (data.isBlank() || data.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigException("--data: a directory name, not '" + data.strip() + "'");
        }
        for (String url : to) {
            Endpoint.parse(url.strip(), Endpoint.Role.OUTPUT).url(); // "--to: bad URL ..." rather than a key
        }
        CameraConfig.Pattern pattern = pattern();
        String yaml = yaml();
        if (printConfig) {
            spec.commandLine().getOut().print(yaml);
            spec.commandLine().getOut().flush();
            return 0;
        }
        ServeConfig config = ServeYaml.parse("demo config", yaml, System::getenv);
        CountDownLatch stopped = stop != null ? stop : Signals.stopLatch();
        Serve serve = new Serve(config);
        ServeWeb server = null;
        List<Camera> started = new ArrayList<>();
        try {
            try {
                server = new ServeWeb(serve, config.web()).start();
            } catch (RuntimeException e) {
                config.close();
                throw rekey(e);
            }
            serve.start(ClipLinks.parse("--http", server.url()));
            web = server;
            running = serve;
            int i = 0;
            for (String name : config.cameras().keySet()) {
                InetSocketAddress in = serve.route(name).localAddress();
                Camera camera = new Camera(CameraConfig.pattern(Destination.of(
                                new InetSocketAddress("127.0.0.1", in.getPort())))
                        .withSource(visitorsLater(pattern, i++, cameras)).withDuration(Duration.ofSeconds(seconds)));
                started.add(camera);
                try (LogContext.Scope named = LogContext.camera(name)) {
                    camera.start(); // its lines and its threads' lines name the camera
                } catch (IOException e) {
                    throw new CommandException("camera " + name + ": " + e.getMessage(), e);
                }
            }
            log.info("demo running (Ctrl-C stops it): open {} for {} camera(s) live; the config: streamtee demo"
                    + " --print-config", server.url(), cameras);
            // With --seconds the cameras end by themselves, after a whole frame; else run until a stop signal.
            while (stopped.getCount() > 0 && !allDone(started)) {
                stopped.await(200, TimeUnit.MILLISECONDS);
            }
        } finally {
            List<CameraStats> sent = new ArrayList<>();
            for (Camera c : started) {
                c.finish(Duration.ofSeconds(3)); // its last frame whole, the encoder's delayed frames too
                sent.add(c.stats());
            }
            camerasSent = sent;
            serve.close(); // the routes drain into the services, which close: the last segment whole
            if (server != null) {
                server.close();
            }
        }
        return 0;
    }

    private static boolean allDone(List<Camera> cameras) throws InterruptedException {
        for (Camera c : cameras) {
            if (!c.awaitDone(Duration.ZERO)) {
                return false;
            }
        }
        return !cameras.isEmpty();
    }

    /** The web address's error under this command's flag. */
    private static RuntimeException rekey(RuntimeException e) {
        if (e instanceof ConfigException && e.getMessage().startsWith("web.listen")) {
            return new ConfigException("--http" + e.getMessage().substring("web.listen".length()), e);
        }
        if (e instanceof CommandException && e.getMessage().startsWith("web.listen")) {
            return new CommandException("--http" + e.getMessage().substring("web.listen".length()), e);
        }
        return e;
    }

    /** The pattern options, with this command's smaller defaults for the size and the bit rate. */
    private CameraConfig.Pattern pattern() {
        CameraConfig.Pattern p = patternOptions.pattern();
        boolean sized = spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--size");
        boolean rated = spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--bitrate");
        int[] wh = sized ? new int[] {p.width(), p.height()} : new int[] {640, 360};
        return new CameraConfig.Pattern(wh[0], wh[1], p.fps(), rated ? p.bitrate() : DEFAULT_BITRATE, p.gop(),
                p.visitorEvery(), p.visitorFor(), p.noise(), p.lights());
    }

    /** Camera {@code i} of {@code n}: its visitors' period stretched by {@code i/n}, so that they cross apart. */
    static CameraConfig.Pattern visitorsLater(CameraConfig.Pattern p, int i, int n) {
        if (p.visitorEvery().isZero() || i == 0) {
            return p;
        }
        Duration every = p.visitorEvery().plus(p.visitorEvery().multipliedBy(i).dividedBy(n * 2L));
        return new CameraConfig.Pattern(p.width(), p.height(), p.fps(), p.bitrate(), p.gop(), every, p.visitorFor(),
                p.noise(), p.lights());
    }

    /** A YAML double-quoted scalar (JSON's escapes): a path or URL with ':' or '#' stays one value. */
    static String quote(String text) {
        return "\"" + text.strip().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The camera names: {@link #NAMES}, then {@code camera-7} and on. */
    static String name(int i) {
        return i < NAMES.size() ? NAMES.get(i) : "camera-" + (i + 1);
    }

    /** The serve config the demo runs (every camera on a free loopback port; the simulators send there). */
    String yaml() {
        StringBuilder y = new StringBuilder();
        y.append("# streamtee demo: ").append(cameras).append(" simulated camera(s) (").append(DEFAULT_SIZE)
                .append(" unless --size). Run it yourself: streamtee serve -c this-file.yml\n");
        y.append("web:\n  listen: ").append(quote(http)).append('\n');
        y.append("data: ").append(quote(data)).append('\n');
        y.append("cameras:\n");
        for (int i = 0; i < cameras; i++) {
            y.append("  ").append(name(i)).append(":\n");
            y.append("    input: udp://127.0.0.1:0   # any free port; a real camera's is fixed: udp://0.0.0.0:8100\n");
            y.append("    record: { segment: ").append(quote(segment)).append(" }\n");
            y.append("    analyze:\n      masks: [").append(CLOCK_MASK).append("]   # the simulator's clock caption\n");
            if (i == 0 && !to.isEmpty()) {
                y.append("    outputs: [").append(String.join(", ", to.stream().map(DemoCommand::quote).toList()))
                        .append("]\n");
            }
        }
        return y.toString();
    }
}
