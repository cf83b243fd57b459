package io.streamtee.camera;

import io.streamtee.cli.Cli;
import io.streamtee.cli.CommandException;
import io.streamtee.cli.Signals;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Units;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamtee camera}: a simulated camera. Parses the options into a {@link CameraConfig}, starts a
 * {@link Camera}, waits until it is done (or the process is stopped) and closes it. Run through {@link Cli}: bad
 * arguments give exit code 2 and one line naming the option ({@link ConfigException}); failures at run time give 1.
 */
@Command(name = "camera", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {
            "Simulate a camera: send a live synthetic H.264 test pattern (the default) or a looping TS file as UDP"
                    + " datagrams of 7 x 188-byte TS packets, each frame as soon as it is encoded (a file: paced by its"
                    + " PCR).",
        },
        footer = {
            "",
            "Examples:",
            "  streamtee camera --to 127.0.0.1:8100",
            "  streamtee camera --to '239.1.1.1:5000?ttl=4&iface=eth0' --size 1920x1080 --bitrate 6M",
            "  streamtee camera --to rtp://[::1]:5004 --file clip.ts --seconds 60 --loss 0.01 --jitter 20ms",
            "  streamtee camera --to 127.0.0.1:8100 --light-step-every 20s --night-every 1m --night-for 20s",
        })
public final class CameraCommand implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CameraCommand.class);

    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

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

    /** Builds the configuration the options describe; a bad value is a {@link ConfigException} naming its option. */
    CameraConfig config() {
        if (file != null && pattern) {
            throw new ConfigException("--file and --pattern are exclusive: choose one");
        }
        Destination destination;
        try {
            destination = Destination.parse(to);
        } catch (ConfigException e) {
            throw ConfigException.at("--to", e.getMessage());
        }
        CameraConfig.Source source = file != null ? new CameraConfig.Clip(file) : patternOptions.pattern();
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new ConfigException("--seconds must be >= 0, got " + seconds);
        }
        if (Units.isBareNumber(jitter) && Units.duration("--jitter", jitter).compareTo(Duration.ZERO) > 0) {
            // a bare "20" jitter is too easy to misread (20 s? 20 ms?)
            throw ConfigException.at("--jitter", "'" + jitter + "' needs a unit (e.g. " + jitter.strip() + "ms)");
        }
        try {
            CameraConfig.Faults faults = new CameraConfig.Faults(loss, Units.duration("--jitter", jitter), reorder,
                    seed);
            return new CameraConfig(destination, source, rtp, Duration.ofNanos(Math.round(seconds * 1e9)), faults);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage().startsWith("--") ? e.getMessage() : "--" + e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        CameraConfig config = config();
        Camera camera = new Camera(config);
        try {
            camera.start();
        } catch (IOException | IllegalStateException e) {
            camera.close();
            // a clip that cannot be read is the user's to fix; a socket or encoder that fails is not
            throw config.source() instanceof CameraConfig.Clip ? new ConfigException(e.getMessage(), e)
                    : new CommandException(e.getMessage(), e);
        }
        // SIGTERM and Ctrl-C end the stream after the current datagram, log the summary and exit 0, as the relay
        // and the recorder do (a JVM shutdown hook would exit 143)
        CountDownLatch stop = Signals.stopLatch();
        try {
            long nextReport = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (stop.getCount() > 0 && !camera.awaitDone(Duration.ofMillis(200))) {
                if (System.nanoTime() - nextReport >= 0) {
                    nextReport += Duration.ofMinutes(1).toNanos();
                    CameraStats s = camera.stats();
                    LOG.info("sent {} datagrams, {} MB, {} frames, {} dropped, {} errors",
                            s.datagramsSent(), s.bytesSent() / 1_000_000, s.framesEncoded(), s.datagramsDropped(),
                            s.sendErrors());
                }
            }
        } finally {
            camera.finish(Duration.ofSeconds(3)); // the last frame whole: a receiver gets no cut frame
            CameraStats s = camera.stats();
            LOG.info("camera stopped: sent {} datagrams ({} bytes), {} frames, {} dropped on purpose,"
                    + " {} send errors", s.datagramsSent(), s.bytesSent(), s.framesEncoded(),
                    s.datagramsDropped(), s.sendErrors());
        }
        if (camera.failure() != null) {
            throw new CommandException(camera.failure().getMessage(), camera.failure());
        }
        return 0;
    }

    static int[] parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException("--size '" + text + "' is not WIDTHxHEIGHT (e.g. 1280x720)");
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        if (w < 16 || h < 16 || w > 7680 || h > 4320 || w % 2 != 0 || h % 2 != 0) {
            throw new ConfigException("--size " + text + ": width and height must be even, "
                    + "between 16x16 and 7680x4320");
        }
        return new int[] {w, h};
    }

    /** Runs the command standalone (the distribution runs it as {@code streamtee camera}), as {@link Cli} runs any. */
    public static void main(String[] args) {
        System.exit(Cli.run(new CameraCommand(), args));
    }
}
