package io.streamtee.camera;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamtee camera}: a simulated camera. Parses the options into a {@link CameraConfig}, starts a
 * {@link Camera}, waits until it is done (or the process is stopped) and closes it. Bad arguments give exit code 2
 * and one line naming the option; failures at run time give 1.
 */
@Command(name = "camera", mixinStandardHelpOptions = true,
        description = {
            "Simulate a camera: send a live synthetic H.264 test pattern (the default) or a looping TS file as UDP",
            "datagrams of 7 x 188-byte TS packets, paced by the stream's PCR.",
        },
        footer = {
            "",
            "Examples:",
            "  streamtee camera --to 127.0.0.1:8100",
            "  streamtee camera --to '239.1.1.1:5000?ttl=4&iface=eth0' --size 1920x1080 --bitrate 6M",
            "  streamtee camera --to rtp://[::1]:5004 --file clip.ts --seconds 60 --loss 0.01 --jitter 20ms",
        })
public final class CameraCommand implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CameraCommand.class);

    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)([kKmMgG]?)(?:bit/s|bps|b)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s|m|h)?");

    @Spec
    CommandSpec spec;

    @Option(names = "--to", required = true, paramLabel = "URL",
            description = "Destination: host:port or udp://host:port (UDP), rtp://host:port (RTP); IPv6 as "
                    + "[::1]:port; multicast options ?ttl=N (default 1) and ?iface=NAME|ADDRESS.")
    String to;

    @Option(names = "--file", paramLabel = "CLIP.ts",
            description = "Play this TS file at its PCR rate, looping seamlessly.")
    Path file;

    @Option(names = "--pattern", description = "Send the synthetic test pattern (the default without --file).")
    boolean pattern;

    /** The test pattern's options, shared with {@code streamtee demo}. */
    @Mixin
    PatternOptions patternOptions = new PatternOptions();

    @Option(names = "--rtp", description = "Wrap datagrams in RTP (RFC 2250, payload type 33).")
    boolean rtp;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "0",
            description = "Stop after S seconds of stream; 0 runs until stopped (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--loss", paramLabel = "FRACTION", defaultValue = "0",
            description = "Drop this fraction of datagrams at random, e.g. 0.01 (default: ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--jitter", paramLabel = "DURATION", defaultValue = "0ms",
            description = "Delay each datagram by a random 0..DURATION, keeping order (default: ${DEFAULT-VALUE}).")
    String jitter;

    @Option(names = "--reorder", description = "With --jitter, let delayed datagrams be overtaken.")
    boolean reorder;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Random seed for --loss and --jitter (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Builds the configuration the options describe. */
    CameraConfig config() {
        if (file != null && pattern) {
            throw new IllegalArgumentException("--file and --pattern are exclusive: choose one");
        }
        Destination destination;
        try {
            destination = Destination.parse(to);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--to " + e.getMessage(), e);
        }
        CameraConfig.Source source;
        if (file != null) {
            source = new CameraConfig.Clip(file);
        } else {
            source = patternOptions.pattern();
        }
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("--seconds must be >= 0, got " + seconds);
        }
        CameraConfig.Faults faults;
        try {
            faults = new CameraConfig.Faults(loss, parseDuration("--jitter", jitter, false), reorder, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("--") ? e.getMessage()
                    : "--" + e.getMessage(), e);
        }
        return new CameraConfig(destination, source, rtp, Duration.ofNanos(Math.round(seconds * 1e9)), faults);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec != null ? spec.commandLine().getErr() : new PrintWriter(System.err, true);
        CameraConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            err.println("camera: " + e.getMessage());
            err.flush();
            return 2;
        }
        Camera camera = new Camera(config);
        java.util.concurrent.atomic.AtomicBoolean summarized = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable stop = () -> {
            camera.close();
            if (summarized.compareAndSet(false, true)) {
                CameraStats s = camera.stats();
                LOG.info("camera stopped: sent {} datagrams ({} bytes), {} frames, {} dropped on purpose,"
                        + " {} send errors", s.datagramsSent(), s.bytesSent(), s.framesEncoded(),
                        s.datagramsDropped(), s.sendErrors());
            }
        };
        try {
            camera.start();
        } catch (IOException | IllegalStateException e) {
            err.println("camera: " + e.getMessage());
            err.flush();
            return config.source() instanceof CameraConfig.Clip ? 2 : 1;
        }
        // SIGTERM and Ctrl-C end the stream after the current datagram, log the summary and exit 0, as the relay
        // and the recorder do (a JVM shutdown hook would exit 143)
        stopOnSignals(camera);
        try {
            while (!camera.awaitDone(Duration.ofMinutes(1))) {
                CameraStats s = camera.stats();
                LOG.info("sent {} datagrams, {} MB, {} frames, {} dropped, {} errors",
                        s.datagramsSent(), s.bytesSent() / 1_000_000, s.framesEncoded(), s.datagramsDropped(),
                        s.sendErrors());
            }
        } finally {
            stop.run();
        }
        if (camera.failure() != null) {
            err.println("camera: " + camera.failure().getMessage());
            err.flush();
            return 1;
        }
        return 0;
    }

    @SuppressWarnings("restriction")
    private static void stopOnSignals(Camera camera) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> camera.close());
            } catch (IllegalArgumentException e) {
                // not available on this platform, or reserved by the JVM: the default stays
            }
        }
    }

    static int[] parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--size '" + text + "' is not WIDTHxHEIGHT (e.g. 1280x720)");
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        if (w < 16 || h < 16 || w > 7680 || h > 4320 || w % 2 != 0 || h % 2 != 0) {
            throw new IllegalArgumentException("--size " + text + ": width and height must be even, "
                    + "between 16x16 and 7680x4320");
        }
        return new int[] {w, h};
    }

    static long parseRate(String option, String text) {
        Matcher m = RATE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a rate (e.g. 4M, 800k, 2500000)");
        }
        double value = Double.parseDouble(m.group(1));
        double factor = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1e3;
            case "m" -> 1e6;
            case "g" -> 1e9;
            default -> 1;
        };
        return Math.round(value * factor);
    }

    /**
     * Parses {@code 20ms}, {@code 1.5s}, {@code 500us}, {@code 2m}, {@code 1h}; a bare number means seconds when
     * {@code bareSeconds}, otherwise it is an error (a bare "20" jitter is too easy to misread).
     */
    static Duration parseDuration(String option, String text, boolean bareSeconds) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a duration (e.g. 20ms, 1.5s)");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2);
        if (unit == null) {
            if (!bareSeconds && value != 0) {
                throw new IllegalArgumentException(option + " '" + text + "' needs a unit (e.g. " + text + "ms)");
            }
            unit = "s";
        }
        double nanos = value * switch (unit) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> 1e9;
        };
        return Duration.ofNanos(Math.round(nanos));
    }

    /** Runs the command standalone, with one-line messages for bad arguments. */
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new CameraCommand());
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("camera: " + e.getMessage() + " (see --help)");
            return 2;
        });
        System.exit(cli.execute(args));
    }
}
