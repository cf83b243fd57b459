package io.streamtee.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.FfmpegJudge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Stopping {@code streamtee demo} (in this JVM, on free ports) leaves a recording that ends on a whole frame. */
@Timeout(120)
class DemoStopTest {
    @TempDir
    Path tmp;

    @Test
    void stoppingTheDemoKeepsEveryFrameTheCameraSentAndTheLastOneWhole() throws Exception {
        FfmpegJudge.assumeInstalled();
        Path data = tmp.resolve("data");
        Path dir = data.resolve("front-door");
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs("--cameras", "1", "--size", "320x240", "--fps", "25", "--bitrate", "500k",
                "--http", "127.0.0.1:0", "--data", data.toString());
        demo.stop = new CountDownLatch(1);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> exit = runner.submit(demo::call);
            // a second or two of stream on disk, then stop as Ctrl-C would, wherever the camera is in its frame
            await().atMost(Duration.ofSeconds(60)).until(() -> recordedBytes(dir) > 100_000);
            demo.stop.countDown();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        } finally {
            runner.shutdownNow();
        }
        List<Path> segments = segments(dir);
        assertThat(segments).isNotEmpty();
        long recordedFrames = 0;
        for (Path segment : segments) {
            recordedFrames += FfmpegJudge.frames(segment); // fails unless ffprobe exits 0
        }
        assertThat(recordedFrames).as("frames in %s", segments).isEqualTo(demo.camerasSent.getFirst().framesEncoded());

        Path last = segments.get(segments.size() - 1);
        FfmpegJudge.Result decode = FfmpegJudge.decode(last.toString());
        String errors = decode.output().strip();
        assertThat(decode.exit()).isZero();
        assertThat(errors).as("ffmpeg decode errors in the last segment").isEmpty();
    }

    private static long recordedBytes(Path dir) throws Exception {
        long n = 0;
        for (Path p : segments(dir)) {
            n += Files.size(p);
        }
        return n;
    }

    private static List<Path> segments(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".ts")).sorted().toList();
        }
    }
}
