package io.streamtee.app;

import io.streamtee.analyze.AnalyzeException;
import io.streamtee.analyze.Analyzer;
import io.streamtee.analyze.AnalyzerConfig;
import io.streamtee.analyze.ClipLinks;
import io.streamtee.analyze.event.JsonLinesSink;
import io.streamtee.analyze.http.AnalyzerServer;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import io.streamtee.camera.PatternOptions;
import io.streamtee.cli.CommandException;
import io.streamtee.cli.Signals;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.Endpoint;
import io.streamtee.net.ReceiveException;
import io.streamtee.playback.PlaybackServer;
import io.streamtee.record.Recorder;
import io.streamtee.record.RecorderConfig;
import io.streamtee.relay.Relay;
import io.streamtee.relay.StatsReporter;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RelaySettings;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.relay.http.ControlServer;
import io.streamtee.view.CameraFeed;
import io.streamtee.view.Hub;
import io.streamtee.view.LiveInput;
import io.streamtee.view.ViewCommand;
import io.streamtee.view.ViewServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamtee demo}: the whole cloud camera on this machine. A simulated camera streams H.264 in MPEG-TS to the
 * relay, which copies it to three loopback ports, one per consumer: the recorder, the analyzer and the live viewer
 * (its page on {@code --view-http}, http://127.0.0.1:8080 by default). Every arrow is a real UDP socket.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {
            "Run a simulated camera, the relay, the recorder, playback, the analyzer and the live viewer in one"
                    + " process.",
            "The camera sends to udp://127.0.0.1:8100; the relay copies every datagram to 127.0.0.1:8101 (the"
                    + " recorder, writing the recordings directory), 8102 (the analyzer, writing events.jsonl) and"
                    + " 8103 (the live viewer, whose page is on --view-http).",
            ""},
        footer = {
            "",
            "Watch:",
            "  the camera live: http://127.0.0.1:8080/",
            "  recordings: http://127.0.0.1:8081/   events: http://127.0.0.1:8082/   relay status page:"
                    + " http://127.0.0.1:8084/",
            "  ffplay -fflags nobuffer udp://127.0.0.1:8103 (with --view-http off)"})
public final class DemoCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);
    /** The bottom of the simulated camera's picture, where its clock caption changes every second. */
    private static final Polygon CLOCK_MASK = Polygon.parse("demo mask", "[[0,0.85],[1,0.85],[1,1],[0,1]]");

    @Option(names = "--listen", paramLabel = "URL", defaultValue = "udp://127.0.0.1:8100",
            description = "Where the relay receives the camera (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--to", paramLabel = "URL", split = ",",
            defaultValue = "udp://127.0.0.1:8101,udp://127.0.0.1:8102,udp://127.0.0.1:8103",
            description = "The relay's outputs (default: ${DEFAULT-VALUE}).")
    List<String> to = new ArrayList<>();

    @Option(names = "--view-http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
            description = "The live viewer's page and WebSockets, on the relay's third output; off loopback it needs"
                    + " STREAMTEE_API_TOKEN (default: ${DEFAULT-VALUE}; 'off' for none).")
    String viewHttp;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8084",
            description = "The relay's status page, control API, /metrics and /streams/camera (default:"
                    + " ${DEFAULT-VALUE}; 'off' for none).")
    String http;

    @Option(names = "--record", paramLabel = "DIR", defaultValue = "recordings",
            description = "Record the relay's first output into DIR/camera/ (default: ${DEFAULT-VALUE}; 'off' for none).")
    String record;

    @Option(names = "--playback", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8081",
            description = "Play the recordings back here: a page, HLS, clips (default: ${DEFAULT-VALUE}; 'off' for none).")
    String playback;

    /** The camera's pattern: --size, --fps, --bitrate, --gop, --noise, --visitor-every, --visitor-for. */
    @Mixin
    PatternOptions patternOptions = new PatternOptions();

    @Option(names = "--events", paramLabel = "FILE", defaultValue = "events.jsonl",
            description = "Analyze the relay's second output and append its events to FILE (default: ${DEFAULT-VALUE};"
                    + " 'off' for no analyzer).")
    String eventsFile;

    @Option(names = "--events-http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8082",
            description = "The analyzer's events page, /api/events, snapshots and /metrics (default: ${DEFAULT-VALUE};"
                    + " 'off' for none).")
    String eventsHttp;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "0",
            description = "Stop after this many seconds; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long seconds;

    @Option(names = "--stats-interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often to log the relay's counters (default: ${DEFAULT-VALUE}).")
    String statsInterval;

    /** Ends the demo; a stop signal when null (tests count it down instead). */
    CountDownLatch stop;
    /** What the camera sent, once the demo has ended. */
    volatile CameraStats cameraSent;

    @Override
    public Integer call() throws InterruptedException {
        CameraConfig.Pattern pattern = patternOptions.pattern();
        RelaySettings settings = ConfigLoader.check(new RelayConfig(
                Map.of("camera", RouteConfig.of(listen, List.of(), to)), statsInterval, null));
        ApiSettings playbackAt = null;
        if (!record.equalsIgnoreCase("off") && !playback.equalsIgnoreCase("off")) {
            playbackAt = ApiSettings.fromFlag("--playback", playback, System.getenv("STREAMTEE_API_TOKEN"),
                    "STREAMTEE_API_TOKEN");
        }
        ApiSettings eventsAt = eventsHttp.equalsIgnoreCase("off") ? null : ApiSettings.fromHttpFlag("--events-http", eventsHttp);
        ApiSettings viewAt = viewHttp.equalsIgnoreCase("off") ? null
                : ApiSettings.fromHttpFlag("--view-http", viewHttp);
        ApiSettings api = http.equalsIgnoreCase("off") ? null : ApiSettings.fromFlag("--http", http,
                System.getenv("STREAMTEE_API_TOKEN"), "STREAMTEE_API_TOKEN");
        CountDownLatch stopped = stop != null ? stop : Signals.stopLatch();
        // Started in the order data flows back to front, so that every consumer is there when data comes; closed in
        // the order it flows, front to back: the camera ends its last frame, the relay passes on what it holds, and
        // only then do the recorder and the playback server close, with the whole stream on disk.
        Recorder recorder = null;
        Analyzer analyzer = null;
        AnalyzerServer events = null;
        LiveInput viewInput = null;
        ViewServer viewer = null;
        PlaybackServer player = null;
        Relay relay = null;
        StatsReporter stats = null;
        ControlServer control = null;
        Camera camera = null;
        try {
            if (!record.equalsIgnoreCase("off")) {
                // the recorder listens where the relay's first output goes, as it would on another machine
                Endpoint first = settings.routes().get(0).outputs().get(0);
                recorder = new Recorder(RecorderConfig.of(Endpoint.parse(first.url(), Endpoint.Role.INPUT),
                        Path.of(record))).start();
            }
            if (playbackAt != null) {
                player = new PlaybackServer(Path.of(record), playbackAt.listen().getAddress().getHostAddress(),
                        playbackAt.listen().getPort(), playbackAt.token()).start();
            }
            if (!eventsFile.equalsIgnoreCase("off")) {
                analyzer = startAnalyzer(settings.routes().get(0).outputs(), player);
                if (analyzer != null && eventsAt != null) {
                    events = new AnalyzerServer(analyzer, eventsAt, "--events-http").start();
                }
            }
            if (viewAt != null) {
                List<Endpoint> outputs = settings.routes().get(0).outputs();
                if (outputs.size() < 3) {
                    log.info("no viewer: the relay has {} output(s) (--to), the viewer takes the third",
                            outputs.size());
                } else {
                    Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
                    viewInput = startViewer(outputs.get(2), hub);
                    viewer = new ViewServer(List.of(new CameraFeed("camera", hub, viewInput)), "--view-http",
                            viewAt.listen(), viewAt.token(), ViewServer.DEFAULT_MAX_VIEWERS).start();
                    log.info("viewer: {} -> {}", outputs.get(2).url(), viewer.url());
                }
            }
            relay = new Relay(settings).start();
            stats = new StatsReporter(relay::routes, settings.statsInterval());
            if (api != null) {
                control = new ControlServer(relay, api).start();
            }
            InetSocketAddress in = relay.routes().get(0).localAddress();
            InetSocketAddress target = in.getAddress().isAnyLocalAddress()
                    ? new InetSocketAddress("127.0.0.1", in.getPort()) : in;
            camera = new Camera(CameraConfig.pattern(Destination.of(target)).withSource(pattern)
                    .withDuration(Duration.ofSeconds(seconds)));
            try {
                camera.start();
            } catch (IOException e) {
                throw new CommandException(e.getMessage(), e);
            }
            log.info("demo running (Ctrl-C stops it): {}{}{}{}",
                    viewer != null ? "open " + viewer.url() + " for the camera live"
                            : "watch with ffplay -fflags nobuffer " + to.get(to.size() - 1),
                    player == null ? "" : "; recordings " + player.url(),
                    events == null ? "" : "; events " + events.url(),
                    control == null ? "" : "; status page http://" + control.host() + ":" + control.port() + "/");
            // With --seconds the camera ends by itself, after a whole frame; else run until a stop signal.
            while (stopped.getCount() > 0 && !camera.awaitDone(Duration.ofMillis(200))) {
                stopped.await(200, TimeUnit.MILLISECONDS);
            }
        } finally {
            if (camera != null) {
                camera.finish(Duration.ofSeconds(3)); // its last frame whole, the encoder's delayed frames too
                cameraSent = camera.stats();
                log.info("camera: {} frames, {} datagrams sent", cameraSent.framesEncoded(),
                        cameraSent.datagramsSent());
            }
            if (control != null) {
                control.close(); // ends the HTTP streams
            }
            if (relay != null) {
                relay.close(); // stop reading, let queued copies leave, close
            }
            if (stats != null) {
                stats.close(); // the final summary, with every datagram counted
            }
            if (recorder != null) {
                recorder.close(); // after the relay: the final segment gets the tail of the stream
            }
            if (analyzer != null) {
                analyzer.close(); // after the relay, like the recorder: an open motion event ends, the file is whole
            }
            if (events != null) {
                events.close();
            }
            if (viewInput != null) {
                viewInput.close();
            }
            if (viewer != null) {
                viewer.close();
            }
            if (player != null) {
                player.close();
            }
        }
        return 0;
    }

    /** The viewer's input on the relay's third output (port 8103 by default), publishing to {@code hub}. */
    private static LiveInput startViewer(Endpoint output, Hub hub) {
        LiveInput input = new LiveInput(Endpoint.parse(output.url(), Endpoint.Role.INPUT), hub);
        try {
            return input.start();
        } catch (ReceiveException e) {
            input.close();
            throw new CommandException("--to: the viewer's port: " + e.getMessage(), e);
        }
    }

    /**
     * The analyzer on the relay's second output (port 8102 by default), writing {@link #eventsFile}, or null
     * when the relay has only one output. The simulated camera burns a clock into the bottom of its picture; the
     * analyzer masks it, as a user masks a real camera's clock.
     */
    private Analyzer startAnalyzer(List<Endpoint> outputs, PlaybackServer player) {
        if (outputs.size() < 2) {
            log.info("no analyzer: the relay has one output (--to), which the recorder takes");
            return null;
        }
        AnalyzerConfig config = AnalyzerConfig.of(Endpoint.parse(outputs.get(1).url(), Endpoint.Role.INPUT), "camera",
                List.of(new JsonLinesSink(Path.of(eventsFile)))).withZones(List.of(), List.of(CLOCK_MASK));
        if (player != null) {
            config = config.withClips(ClipLinks.parse("--playback", player.url()));
        }
        try {
            Analyzer started = new Analyzer(config).start();
            log.info("analyzer: {} -> {}", outputs.get(1).url(), eventsFile);
            return started;
        } catch (AnalyzeException e) {
            throw new CommandException("--to: the analyzer's port: " + e.getMessage(), e);
        }
    }
}
