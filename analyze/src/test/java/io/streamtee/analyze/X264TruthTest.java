package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.MotionTracker;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.ts.Timestamps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The truth test with a camera that is not ours: Debian's ffmpeg with libx264 (High profile, three B-frames, so
 * pictures arrive out of display order) encodes a static SMPTE bar scene with temporal sensor noise, and a white
 * 64x64 box that crosses it at known times: every 10 s for 4 s, from 3 s in ({@code overlay} with {@code enable}).
 * Each crossing must be one motion event at the default settings, starting within 0.5 s of the box's first frame,
 * ending within 1 s plus the gap after its last, with the box inside the event's box. Times are the stream's PTS,
 * counted from its first picture.
 */
class X264TruthTest {
    private static final int W = 640;
    private static final int H = 360;
    private static final int FPS = 15;
    private static final int SIDE = 64;
    private static final int TOP = (H - SIDE) / 2;
    private static final double FIRST = 3;
    private static final double EVERY = 10;
    private static final double FOR = 4;

    /** The lavfi graph: the scene, the noise, the box and when it shows. */
    static String graph() {
        String phase = "(t-" + FIRST + "-" + EVERY + "*floor((t-" + FIRST + ")/" + EVERY + "))";
        return String.format(Locale.ROOT, "smptebars=s=%dx%d:r=%d,noise=alls=8:allf=t[bg];"
                + "color=c=white:s=%dx%d:r=%d[box];"
                + "[bg][box]overlay=x='-%d+%d*%s/%s':y=%d:enable='gte(t,%s)*lt(%s,%s)'[out0]",
                W, H, FPS, SIDE, SIDE, FPS, SIDE, W + SIDE, phase, FOR, TOP, FIRST, phase, FOR);
    }

    /** ffmpeg's arguments after the input: libx264 High with B-frames, 2 s GOP, TS. */
    static List<String> encode(double seconds) {
        return List.of("-t", String.valueOf(seconds), "-c:v", "libx264", "-profile:v", "high", "-bf", "3",
                "-preset", "veryfast", "-g", String.valueOf(2 * FPS), "-b:v", "800k", "-maxrate", "800k",
                "-bufsize", "800k", "-pix_fmt", "yuv420p");
    }

    /** The visits in the first {@code seconds} of a stream whose first picture has PTS {@code firstPts}. */
    static Truth truth(double seconds, long firstPts) {
        List<Truth.Visit> visits = new ArrayList<>();
        for (int k = 0; FIRST + k * EVERY + FOR <= seconds; k++) {
            long startFrame = Math.round((FIRST + k * EVERY) * FPS);
            long endFrame = Math.round((FIRST + k * EVERY + FOR) * FPS);
            visits.add(new Truth.Visit(k + 1, firstPts + startFrame * Timestamps.PTS_HZ / FPS,
                    firstPts + endFrame * Timestamps.PTS_HZ / FPS, endFrame - startFrame));
        }
        return new Truth(visits, pts -> {
            long frame = Math.round((double) (pts - firstPts) * FPS / Timestamps.PTS_HZ);
            double t = (double) frame / FPS;
            double phase = t - FIRST - EVERY * Math.floor((t - FIRST) / EVERY);
            if (t < FIRST || phase >= FOR) {
                return null;
            }
            // overlay truncates the position and aligns it to the chroma grid (even) for yuv420p
            int x = (int) (-SIDE + (W + SIDE) * phase / FOR) & ~1;
            int x0 = Math.max(0, x);
            int x1 = Math.min(W, x + SIDE);
            return x1 <= x0 ? null : new double[] {(double) x0 / W, (double) TOP / H, (double) x1 / W,
                (double) (TOP + SIDE) / H};
        });
    }

    @Test
    void aMinuteOfLibx264HighWithBFramesOneEventPerCrossing(@TempDir Path dir) throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        Path file = dir.resolve("x264.ts");
        List<String> command = new ArrayList<>(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error", "-f",
                "lavfi", "-i", graph()));
        command.addAll(encode(60));
        command.addAll(List.of("-f", "mpegts", file.toString()));
        long t0 = System.nanoTime();
        FfmpegJudge.check(command);
        long t1 = System.nanoTime();
        assertThat(FfmpegJudge.check(FfmpegJudge.ffprobe("-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name,profile,has_b_frames", "-of", "default=nw=1", file.toString())))
                .contains("codec_name=h264", "profile=High", "has_b_frames=2");
        Replay.Result result = Replay.run(Files.readAllBytes(file), MotionSettings.defaults(), List.of(), List.of());
        System.out.printf("libx264 60 s: encoded in %d ms, analysed in %d ms, %d frames, %d reordered%n",
                (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000, result.frames(), result.reordered());
        assertThat(result.frames()).isEqualTo(60L * FPS);
        assertThat(result.errors()).isZero();
        assertThat(result.reordered()).as("access units out of display order (B-frames)").isPositive();
        Truth truth = truth(60, result.firstPts());
        assertThat(truth.visits()).hasSize(6);
        truth.check("libx264", result.motion(), MotionTracker.DEFAULT_GAP);
    }

    /**
     * The same live: {@code ffmpeg -re} sends to a running {@link Analyzer} over loopback UDP, and (ffmpeg's tee
     * muxer, same timestamps) to a file the test reads the first PTS from. Three crossings, 30 s.
     */
    @Test
    void liveFromFfmpegOverUdpOneEventPerCrossing(@TempDir Path dir) throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        Path file = dir.resolve("x264.ts");
        double seconds = 30;
        Analyzer.Stats stats;
        Analyzer analyzer = new Analyzer(AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT),
                "x264", List.of(sink)));
        try (Analyzer a = analyzer.start()) {
            int port = a.localAddress().getPort();
            List<String> command = new ArrayList<>(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error", "-re",
                    "-f", "lavfi", "-i", graph()));
            command.addAll(encode(seconds));
            command.addAll(List.of("-map", "0:v", "-f", "tee", "[f=mpegts]udp://127.0.0.1:" + port
                    + "?pkt_size=1316|[f=mpegts]" + file));
            FfmpegJudge.check(command);
            // the decoder holds a few pictures back for the B-frames; closing flushes them
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> a.stats().framesDecoded() >= seconds * FPS - 8);
        }
        stats = analyzer.stats();
        System.out.println("analyzer " + stats);
        assertThat(stats.framesDecoded()).isEqualTo((long) (seconds * FPS));
        assertThat(stats.framesSkipped()).isZero();
        assertThat(stats.decodeErrors()).isZero();
        Replay.Result sent = Replay.run(Files.readAllBytes(file), MotionSettings.defaults(), List.of(), List.of());
        assertThat(sent.reordered()).isPositive();
        Truth truth = truth(seconds, sent.firstPts());
        assertThat(truth.visits()).hasSize(3);
        Map<String, List<Event>> motion = new LinkedHashMap<>();
        sink.events.stream().filter(e -> e.kind() == Event.Kind.MOTION)
                .forEach(e -> motion.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e));
        truth.check("live libx264", motion, MotionTracker.DEFAULT_GAP);
    }
}
