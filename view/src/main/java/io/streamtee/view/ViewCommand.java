package io.streamtee.view;

import io.streamtee.cli.Cli;
import io.streamtee.cli.CommandException;
import io.streamtee.cli.Signals;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.net.ReceiveException;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamtee view}: shows a UDP MPEG-TS camera live in the browser (WebCodecs, or MSE where that is missing).
 * Bad options give exit code 2 and one line naming the option; a socket or port that cannot be bound gives 1. SIGTERM or Ctrl-C
 * closes both and exits 0.
 */
@Command(name = "view", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {
            "Show a UDP MPEG-TS camera live in a browser: the H.264 access units go unchanged over a WebSocket to a"
                    + " page that decodes them with WebCodecs (or plays them as fragmented MP4 with MSE where WebCodecs"
                    + " is missing).",
            ""},
        footer = {
            "",
            "Examples:",
            "  streamtee view --listen udp://127.0.0.1:8103 --http 127.0.0.1:8083",
            "  streamtee view --listen udp://239.1.1.1:5004?iface=lo --camera frontdoor"})
public final class ViewCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ViewCommand.class);
    static final String DEFAULT_LISTEN = "udp://127.0.0.1:8103";
    static final String DEFAULT_HTTP = "127.0.0.1:8083";
    static final String DEFAULT_CAMERA = "camera";
    /** Frames a viewer may be behind before it is moved to the next keyframe: 4 s at 30 fps. */
    static final int QUEUE = 120;
    private static final Pattern CAMERA_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Option(names = "--listen", paramLabel = "URL",
            description = "Input: udp://host:port, or a multicast group (?iface=NAME, ?source=ADDR) (default: "
                    + DEFAULT_LISTEN + ").")
    String listen = DEFAULT_LISTEN;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve the page and its WebSocket here; loopback only for now (default: " + DEFAULT_HTTP
                    + ").")
    String http = DEFAULT_HTTP;

    @Option(names = "--camera", paramLabel = "NAME",
            description = "The camera's name, shown in the log and /healthz (default: " + DEFAULT_CAMERA + ").")
    String camera = DEFAULT_CAMERA;

    /** The checked {@code --listen}. */
    Endpoint input() {
        Endpoint e;
        try {
            e = Endpoint.parse(listen.strip(), Endpoint.Role.INPUT);
        } catch (ConfigException ex) {
            throw new ConfigException("--listen: " + ex.getMessage(), ex);
        }
        if (!e.isUdp()) {
            throw ConfigException.at("--listen", "the viewer takes udp:// input (unicast or multicast), not "
                    + e.url());
        }
        return e;
    }

    /** The checked {@code --http} address. */
    InetSocketAddress httpAddress() {
        Endpoint e;
        try {
            e = Endpoint.parse(http.strip(), Endpoint.Role.INPUT);
        } catch (ConfigException ex) {
            throw ConfigException.at("--http", ex.getMessage().replace("bad URL", "bad address"));
        }
        return e.address();
    }

    /** The checked {@code --camera}. */
    String cameraName() {
        if (!CAMERA_NAME.matcher(camera).matches()) {
            throw ConfigException.at("--camera", "letters, digits, '.', '_' and '-' (up to 64), not '" + camera
                    + "'");
        }
        return camera;
    }

    /** The viewer's parts, started; closing it closes them. */
    record Running(Hub hub, LiveInput input, ViewServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            input.close();
        }
    }

    /**
     * Checks the options and starts the input and the web server; the caller closes them.
     *
     * @throws ConfigException a bad option (exit 2)
     * @throws CommandException a socket or port that cannot be bound (exit 1)
     */
    Running start() {
        Endpoint in = input();
        InetSocketAddress at = httpAddress();
        String name = cameraName();
        Hub hub = Hub.withDefaults(QUEUE);
        ViewServer server = new ViewServer(hub, name, "--http", at); // checks loopback before anything is bound
        LiveInput input = new LiveInput(in, hub);
        try {
            input.start();
        } catch (ReceiveException e) {
            input.close();
            throw new CommandException("--listen: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            input.close();
            throw e;
        }
        try {
            server.start();
        } catch (RuntimeException e) {
            input.close();
            throw e;
        }
        InetSocketAddress bound = input.localAddress();
        LOG.info("viewing camera '{}' from {} (listening on {}:{}) at {}", name, in.url(),
                bound.getAddress().getHostAddress(), bound.getPort(), server.url());
        return new Running(hub, input, server);
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
