package io.streamtee.view;

import io.streamtee.cli.Cli;
import io.streamtee.cli.CommandException;
import io.streamtee.cli.Signals;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.CameraName;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.input.Inputs;
import io.streamtee.net.ReceiveException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamtee view}: shows one or several UDP MPEG-TS cameras live in the browser (WebCodecs, or MSE where that
 * is missing). Bad options give exit code 2 and one line naming the option; a socket or port that cannot be bound
 * gives 1. SIGTERM or Ctrl-C closes everything and exits 0.
 */
@Command(name = "view", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {
            "Show UDP MPEG-TS cameras live in a browser: the H.264 access units go unchanged over a WebSocket to a"
                    + " page that decodes them with WebCodecs (or plays them as fragmented MP4 with MSE where WebCodecs"
                    + " is missing). Each camera has its page at /cameras/NAME/ (with one camera also at /; with several, / is a grid of them all), its latest frame at"
                    + " /cameras/NAME/snapshot.jpg; /metrics and /healthz for the server.",
            "",
            "Off loopback the token in STREAMTEE_API_TOKEN is required: send it as Authorization: Bearer, or as"
                    + " ?token= in the page's URL (the page hands it to its WebSocket).",
            ""},
        footer = {
            "",
            "Examples:",
            "  streamtee view --listen udp://127.0.0.1:8103 --http 127.0.0.1:8083",
            "  streamtee view --listen udp://239.1.1.1:5004?iface=lo --camera frontdoor",
            "  streamtee view --listen front=udp://127.0.0.1:8103 --listen back=udp://127.0.0.1:8104",
            "  STREAMTEE_API_TOKEN=... streamtee view --http 0.0.0.0:8083   (then open http://HOST:8083/?token=...)"})
public final class ViewCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ViewCommand.class);
    static final String DEFAULT_LISTEN = "udp://127.0.0.1:8103";
    static final String DEFAULT_HTTP = "127.0.0.1:8083";
    static final String DEFAULT_CAMERA = "camera";
    /** Frames a viewer may be behind before it is moved to the next keyframe: 4 s at 30 fps. */
    public static final int QUEUE = 120;
    static final int MAX_VIEWERS_LIMIT = 10_000;

    @Option(names = "--listen", paramLabel = "[NAME=]URL",
            description = "Input, once per camera: NAME=udp://host:port, or a multicast group (?iface=NAME,"
                    + " ?source=ADDR), or rtsp://..., srt://...; a bare URL is the camera named by --camera (default: "
                    + DEFAULT_LISTEN + ").")
    List<String> listen = new ArrayList<>();

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve the pages, WebSockets, snapshots, /metrics and /healthz here; off loopback it needs"
                    + " STREAMTEE_API_TOKEN (default: " + DEFAULT_HTTP + ").")
    String http = DEFAULT_HTTP;

    @Option(names = "--camera", paramLabel = "NAME",
            description = "The name of the camera given by a bare --listen URL (default: " + DEFAULT_CAMERA + ").")
    String camera = DEFAULT_CAMERA;

    @Option(names = "--max-viewers", paramLabel = "N",
            description = "The most viewers of each camera at once; one more is refused with a message the page"
                    + " shows (default: " + ViewServer.DEFAULT_MAX_VIEWERS + ").")
    int maxViewers = ViewServer.DEFAULT_MAX_VIEWERS;

    /** Reads the environment (STREAMTEE_API_TOKEN); tests replace it. */
    UnaryOperator<String> env = System::getenv;

    /** The checked inputs, camera name to address, in the order given. */
    Map<String, Endpoint> inputs() {
        List<String> given = listen.isEmpty() ? List.of(DEFAULT_LISTEN) : listen;
        Map<String, Endpoint> inputs = new LinkedHashMap<>();
        for (String text : given) {
            String t = text.strip();
            String name;
            String url;
            int eq = t.indexOf('=');
            int scheme = t.indexOf("://");
            if (eq > 0 && (scheme < 0 || eq < scheme)) {
                name = t.substring(0, eq).strip();
                url = t.substring(eq + 1).strip();
                if (!CameraName.isValid(name)) {
                    throw ConfigException.at("--listen", "'" + CameraName.shown(name)
                            + "' is not a camera name (letters, digits, '.', '_' and '-', up to 64, starting with a"
                            + " letter or digit) in '" + CameraName.shown(t) + "'");
                }
            } else {
                name = cameraName();
                url = t;
            }
            if (inputs.containsKey(name)) {
                throw ConfigException.at("--listen", "camera '" + name + "' is given twice"
                        + (t.equals(url) ? " (a bare URL is the camera named by --camera; name each: NAME=udp://...)"
                        : ""));
            }
            Endpoint e = endpoint(url);
            for (Map.Entry<String, Endpoint> other : inputs.entrySet()) {
                if (clash(other.getValue(), e)) {
                    throw ConfigException.at("--listen", "cameras '" + other.getKey() + "' and '" + name
                            + "' both listen on port " + e.address().getPort() + " (" + other.getValue().url()
                            + ", " + e.url() + ")");
                }
            }
            inputs.put(name, e);
        }
        return inputs;
    }

    /** The first input's address (the only one with a single camera). */
    Endpoint input() {
        return inputs().values().iterator().next();
    }

    private static Endpoint endpoint(String url) {
        Endpoint e;
        try {
            e = Endpoint.parse(url, Endpoint.Role.INPUT);
        } catch (ConfigException ex) {
            throw new ConfigException("--listen: " + ex.getMessage(), ex);
        }
        if (!e.isUdp()) {
            Inputs.installed().require("--listen", e, List.of("udp")); // rtsp://, srt://: plugged inputs
        }
        return e;
    }

    /** Two inputs that cannot both bind: the same port (not 0), unless both are different multicast groups. */
    private static boolean clash(Endpoint a, Endpoint b) {
        if (!a.isUdp() || !b.isUdp()) {
            return false; // a plugged input binds no socket of ours (an SRT listener's own bind error is its own)
        }
        int port = a.address().getPort();
        if (port == 0 || port != b.address().getPort()) {
            return false;
        }
        boolean sameAddress = a.address().getAddress().equals(b.address().getAddress());
        if (a.isMulticast() && b.isMulticast()) {
            return sameAddress; // two groups on one port: each socket joins its own
        }
        if (!a.isMulticast() && !b.isMulticast()) { // two unicast addresses clash when one is the wildcard or both are one
            return sameAddress || a.address().getAddress().isAnyLocalAddress()
                    || b.address().getAddress().isAnyLocalAddress();
        }
        return true;
    }

    /** The checked {@code --http} address and the token from {@code STREAMTEE_API_TOKEN}. */
    ApiSettings httpSettings() {
        return ApiSettings.fromHttpFlag("--http", http.strip(), env);
    }

    /** The checked {@code --http} address. */
    InetSocketAddress httpAddress() {
        return httpSettings().listen();
    }

    /** The checked {@code --camera}. */
    String cameraName() {
        if (!CameraName.isValid(camera)) {
            throw ConfigException.at("--camera", "letters, digits, '.', '_' and '-' (up to 64, starting with a"
                    + " letter or digit), not '" + CameraName.shown(camera) + "'");
        }
        return camera;
    }

    /** The checked {@code --max-viewers}. */
    int maxViewers() {
        if (maxViewers < 1 || maxViewers > MAX_VIEWERS_LIMIT) {
            throw ConfigException.at("--max-viewers", "a number from 1 to " + MAX_VIEWERS_LIMIT + ", not "
                    + maxViewers);
        }
        return maxViewers;
    }

    /** The viewer's parts, started; closing it closes them. */
    record Running(List<CameraFeed> cameras, ViewServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            for (CameraFeed c : cameras) {
                c.input().close();
            }
        }
    }

    /**
     * Checks the options and starts the inputs and the web server; the caller closes them.
     *
     * @throws ConfigException a bad option (exit 2)
     * @throws CommandException a socket or port that cannot be bound (exit 1)
     */
    Running start() {
        Map<String, Endpoint> in = inputs();
        ApiSettings at = httpSettings();
        int max = maxViewers();
        List<CameraFeed> cameras = new ArrayList<>();
        for (Map.Entry<String, Endpoint> e : in.entrySet()) {
            Hub hub = Hub.withDefaults(QUEUE);
            cameras.add(new CameraFeed(e.getKey(), hub, new LiveInput(e.getValue(), hub, e.getKey())));
        }
        ViewServer server = new ViewServer(cameras, "--http", at.listen(), at.token(), max);
        try {
            for (CameraFeed c : cameras) {
                try {
                    c.input().start();
                } catch (ReceiveException e) {
                    throw new CommandException("--listen: " + (in.size() > 1 ? "camera " + c.name() + ": " : "")
                            + e.getMessage(), e);
                }
            }
            server.start();
        } catch (RuntimeException e) {
            server.close();
            for (CameraFeed c : cameras) {
                c.input().close();
            }
            throw e;
        }
        for (CameraFeed c : cameras) {
            LOG.info("viewing camera '{}' from {} ({}) at {}cameras/{}/", c.name(), in.get(c.name()),
                    c.input().where(), server.url(), c.name());
        }
        LOG.info("the viewer serves {} at {} ({}; at most {} viewers per camera)",
                cameras.size() == 1 ? "its camera" : cameras.size() + " cameras (a grid at /)", server.url(),
                at.tokenRequired() ? "token required" : "no token", max);
        return new Running(cameras, server);
    }

    /** Serves until SIGTERM or Ctrl-C. */
    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch stop = Signals.stopLatch();
        try (Running running = start()) {
            stop.await();
        }
        return 0;
    }

    /** Runs the command standalone (the distribution runs it through {@code streamtee}). */
    public static void main(String[] args) {
        System.exit(Cli.run(new ViewCommand(), args));
    }
}
