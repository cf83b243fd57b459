package io.streamtee.media;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's ffmpeg command: makes test streams, and decodes them as an independent judge. Tests skip without it. */
final class FfmpegCli {

    private FfmpegCli() {
    }

    static void assumeAvailable() {
        assumeTrue(onPath("ffmpeg"), "ffmpeg not installed: skipping the tests that need real streams");
    }

    static void assumeEncoder(String encoder) throws IOException, InterruptedException {
        assumeAvailable();
        assumeTrue(run(List.of("ffmpeg", "-hide_banner", "-encoders")).contains(" " + encoder + " "),
                "this ffmpeg has no " + encoder + " encoder");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A test pattern ({@code testsrc}) encoded to an MPEG-TS file.
     *
     * @param encoderArgs e.g. {@code -c:v libx264 -profile:v high -bf 2}
     */
    static Path testPattern(Path out, int width, int height, int fps, double seconds, String... encoderArgs)
            throws IOException, InterruptedException {
        return encode(out, "testsrc=size=" + width + "x" + height + ":rate=" + fps, seconds, encoderArgs);
    }

    /** A lavfi source ({@code testsrc=...}, {@code gradients=...}) encoded to an MPEG-TS file. */
    static Path encode(Path out, String lavfiSource, double seconds, String... encoderArgs)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
                "-i", lavfiSource, "-t", String.valueOf(seconds), "-pix_fmt", "yuv420p"));
        command.addAll(List.of(encoderArgs));
        command.addAll(List.of("-f", "mpegts", out.toString()));
        String printed = run(command);
        if (!Files.isRegularFile(out) || Files.size(out) == 0) {
            throw new AssertionError(command + " made no file:\n" + printed);
        }
        return out;
    }

    /** Every frame's luma plane as ffmpeg decodes it ({@code width * height} bytes each, in output order). */
    static List<byte[]> lumaPlanes(Path ts, int width, int height) throws IOException, InterruptedException {
        Path raw = ts.resolveSibling(ts.getFileName() + ".yuv");
        run(List.of("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", ts.toString(), "-f", "rawvideo", "-pix_fmt",
                "yuv420p", raw.toString()));
        byte[] all = Files.readAllBytes(raw);
        int frameBytes = width * height * 3 / 2;
        List<byte[]> planes = new ArrayList<>();
        for (int off = 0; off + frameBytes <= all.length; off += frameBytes) {
            planes.add(java.util.Arrays.copyOfRange(all, off, off + width * height));
        }
        return planes;
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(command + " exited with " + p.exitValue() + ":\n"
                    + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
