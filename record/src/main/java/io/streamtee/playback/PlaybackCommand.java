package io.streamtee.playback;

import io.streamtee.cli.Cli;
import io.streamtee.cli.CommandException;
import io.streamtee.cli.Signals;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamtee playback}: serves a recordings directory over HTTP without recording: every camera in it, while
 * recorders (one per camera) write it, or a copy of it. The same server as {@code record --http}.
 */
@Command(name = "playback", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {
            "Play back a recordings directory over HTTP: a page, /api/recordings, /play.m3u8 (HLS), /clip.ts and"
                    + " /clip.mp4, for every camera in it. Reads only; recorders may be writing it.",
            ""},
        footer = {
            "",
            "Examples:",
            "  streamtee playback --dir recordings",
            "  ffplay \"http://127.0.0.1:8081/play.m3u8?camera=frontdoor&from=-5m\""})
public final class PlaybackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "recordings",
            description = "Recordings directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8081",
            description = "Where to serve (default: ${DEFAULT-VALUE}). Off loopback it needs STREAMTEE_API_TOKEN.")
    String http;

    /** Serves until SIGTERM or Ctrl-C. Errors are thrown for {@link Cli} to print as one line. */
    @Override
    public Integer call() throws InterruptedException {
        ApiSettings at = PlaybackServer.apiSettings(http);
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("--dir: " + dir + " is not a directory");
        }
        CountDownLatch stop = Signals.stopLatch();
        try (PlaybackServer server = new PlaybackServer(dir, at.listen().getAddress().getHostAddress(),
                at.listen().getPort(), at.token()).start()) {
            stop.await();
        }
        return 0;
    }

    /** Runs the command standalone (the distribution runs it through {@code streamtee}), as {@link Cli} runs any. */
    public static void main(String[] args) {
        System.exit(Cli.run(new PlaybackCommand(), args));
    }
}
