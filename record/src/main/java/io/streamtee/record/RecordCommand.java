package io.streamtee.record;

import io.streamtee.cli.Cli;
import io.streamtee.cli.CommandException;
import io.streamtee.cli.Signals;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.config.Units;
import io.streamtee.playback.PlaybackServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamtee record}: records a UDP MPEG-TS stream into keyframe-aligned segments with an SQLite index. Bad
 * options give exit code 2 and one line naming the option; a directory or socket that cannot be opened gives 1.
 * SIGTERM or Ctrl-C closes the current segment cleanly and exits 0.
 */
@Command(name = "record", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {
            "Record a UDP MPEG-TS stream, unchanged, into segments that start at a keyframe, with an SQLite index,"
                    + " crash repair and retention by age and size.",
            "",
            "Layout: DIR/CAMERA/YYYY/MM/DD/HH-MM-SS.ts (UTC) and DIR/CAMERA/index.db.",
            "With --store, finished segments and the index are also uploaded to an S3-compatible bucket, as"
                    + " PREFIX/CAMERA/YYYY/MM/DD/HH-MM-SS.ts and PREFIX/CAMERA/index.db; credentials come from"
                    + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, ~/.aws/credentials).",
            ""},
        footer = {
            "",
            "Examples:",
            "  streamtee record --listen udp://127.0.0.1:8101 --dir recordings",
            "  streamtee record --listen udp://0.0.0.0:5000 --camera frontdoor --keep 7d --max-size 50GB",
            "  streamtee record --http 127.0.0.1:8081     # then http://127.0.0.1:8081/ plays the recordings",
            "  streamtee record --store s3://my-bucket/cameras --store-region eu-central-1"})
public final class RecordCommand implements Callable<Integer> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RecordCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "URL", defaultValue = "udp://127.0.0.1:8101",
            description = "Input: udp://host:port, or a multicast group (?iface=NAME, ?source=ADDR), or a camera"
                    + " pulled over rtsp:// or received over srt:// (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "recordings",
            description = "Recordings directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--camera", paramLabel = "NAME", defaultValue = RecorderConfig.DEFAULT_CAMERA,
            description = "Camera name: the directory under DIR (default: ${DEFAULT-VALUE}).")
    String camera;

    @Option(names = "--segment", paramLabel = "DURATION", defaultValue = "10s",
            description = "Segment length; each is cut at the first keyframe after it (default: ${DEFAULT-VALUE}).")
    String segment;

    @Option(names = "--keep", paramLabel = "DURATION",
            description = "Delete segments older than this, e.g. 7d (default: keep).")
    String keep;

    @Option(names = "--max-size", paramLabel = "SIZE",
            description = "Delete the oldest segments while all take more than this, e.g. 50GB (default: no limit).")
    String maxSize;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve playback here: a page, /api/recordings, /play.m3u8, /clip.ts, /clip.mp4 "
                    + "(default: off). Off loopback it needs STREAMTEE_API_TOKEN.")
    String http;

    /** The playback server's address and token, or null when {@code --http} is off. */
    ApiSettings playback() {
        if (http == null || http.equalsIgnoreCase("off")) {
            return null;
        }
        return PlaybackServer.apiSettings(http);
    }

    @Option(names = "--store", paramLabel = "URL",
            description = "Also upload finished segments and the index to s3://BUCKET[/PREFIX] (default: local only).")
    String store;

    @Option(names = "--store-endpoint", paramLabel = "URL",
            description = "S3 API endpoint of an S3-compatible store, e.g. https://NAMESPACE.compat.objectstorage."
                    + "REGION.oraclecloud.com (default: AWS_ENDPOINT_URL, else AWS).")
    String storeEndpoint;

    @Option(names = "--store-region", paramLabel = "REGION",
            description = "Signing region (default: AWS_REGION, else the AWS profile's, else us-east-1).")
    String storeRegion;

    @Option(names = "--store-path-style", negatable = true, paramLabel = "",
            description = "Path-style addressing (ENDPOINT/BUCKET/KEY), needed by OCI, MinIO and S3Proxy "
                    + "(default: on when an endpoint is set).")
    Boolean storePathStyle;

    /** Builds the configuration the options describe. */
    RecorderConfig config() {
        Endpoint input;
        try {
            input = Endpoint.parse(listen, Endpoint.Role.INPUT);
        } catch (ConfigException e) {
            throw new ConfigException("--listen: " + e.getMessage(), e);
        }
        Duration length = Units.duration("--segment", segment);
        Duration age = keep == null ? Duration.ZERO : Units.duration("--keep", keep);
        if (keep != null && age.isZero()) {
            throw new ConfigException("--keep: must be more than 0 (leave it out to keep everything)");
        }
        long bytes = maxSize == null ? 0 : Units.bytes("--max-size", maxSize);
        if (maxSize != null && bytes == 0) {
            throw new ConfigException("--max-size: must be more than 0 (leave it out for no limit)");
        }
        return new RecorderConfig(input, dir, camera, length, age, bytes, storeConfig());
    }

    private StoreConfig storeConfig() {
        if (store == null) {
            String orphan = storeEndpoint != null ? "--store-endpoint" : storeRegion != null ? "--store-region"
                    : storePathStyle != null ? "--store-path-style" : null;
            if (orphan != null) {
                throw new ConfigException(orphan + ": needs --store s3://BUCKET[/PREFIX]");
            }
            return null;
        }
        StoreConfig config = StoreConfig.parse(store)
                .withEndpoint(storeEndpoint == null ? null : StoreConfig.endpoint(storeEndpoint))
                .withRegion(storeRegion)
                .withPathStyle(storePathStyle);
        config.endpoint(System.getenv()); // a bad AWS_ENDPOINT_URL is a configuration error too
        return config;
    }

    /** A started recorder and its playback server (null without {@code --http}); closing closes both. */
    record Running(Recorder recorder, PlaybackServer playback) implements AutoCloseable {
        @Override
        public void close() {
            try {
                if (playback != null) {
                    playback.close();
                }
            } finally {
                recorder.close();
            }
        }
    }

    /**
     * Checks the options and starts the recorder and the playback server; the caller closes them.
     *
     * @throws ConfigException a bad option (exit 2)
     * @throws CommandException a socket, directory or port that cannot be used (exit 1)
     */
    Running start() {
        RecorderConfig config = config();
        ApiSettings playback = playback();
        Recorder recorder = new Recorder(config).start();
        try {
            return new Running(recorder, playback == null ? null : new PlaybackServer(config.dir(),
                    playback.listen().getAddress().getHostAddress(), playback.listen().getPort(),
                    playback.token()).start());
        } catch (RuntimeException e) {
            recorder.close();
            throw e;
        }
    }

    /**
     * Records until SIGTERM or Ctrl-C, then closes the current segment (flushed, forced, indexed). A bad option throws
     * a {@link ConfigException}, a recorder or server that cannot start a {@link RecordException} or
     * {@link CommandException}; {@link Cli} prints either as one line.
     */
    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch stop = Signals.stopLatch();
        try (Running running = start()) {
            stop.await();
        }
        return 0;
    }

    /** Runs the command standalone (the distribution runs it through {@code streamtee}), as {@link Cli} runs any. */
    public static void main(String[] args) {
        System.exit(Cli.run(new RecordCommand(), args));
    }
}
