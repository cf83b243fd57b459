package io.streamtee.record;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real ffmpeg and ffprobe as independent judges of the recordings. Tests skip when they are absent. */
public final class Ffmpeg {
    private Ffmpeg() {
    }

    public static void assumeAvailable() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ffprobe")) && Files.isExecutable(Path.of("/usr/bin/ffmpeg")),
                "ffprobe/ffmpeg not installed");
    }

    /** What ffmpeg prints at level "error" while decoding every frame: empty for a clean file. */
    public static String decodeErrors(Path ts) throws IOException, InterruptedException {
        return decodeErrors(ts.toString());
    }

    /** As {@link #decodeErrors(Path)}, for a file or a URL (an HLS playlist, say). */
    public static String decodeErrors(String input) throws IOException, InterruptedException {
        return run(List.of("/usr/bin/ffmpeg", "-nostdin", "-v", "error", "-i", input, "-f", "null", "-"));
    }

    /** Video frames ffprobe decodes. */
    public static int frames(Path ts) throws IOException, InterruptedException {
        return frames(ts.toString());
    }

    /** As {@link #frames(Path)}, for a file or a URL. */
    public static int frames(String input) throws IOException, InterruptedException {
        String out = run(List.of("/usr/bin/ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames", "-of", "default=noprint_wrappers=1:nokey=1",
                input)).strip();
        return Integer.parseInt(out.lines().filter(l -> !l.isBlank()).findFirst().orElse(out).strip());
    }

    /** The first video frame's key_frame flag and picture type, e.g. {@code 1,I}. */
    public static String firstFrame(Path ts) throws IOException, InterruptedException {
        return run(List.of("/usr/bin/ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
                "-show_entries", "frame=key_frame,pict_type", "-of", "csv=p=0", ts.toString())).strip()
                .lines().filter(l -> !l.isBlank()).findFirst().orElse("");
    }

    /** One ffprobe entry, e.g. {@code format=format_name}, as plain values. */
    public static String probe(Path file, String entries) throws IOException, InterruptedException {
        return run(List.of("/usr/bin/ffprobe", "-v", "error", "-show_entries", entries, "-of",
                "default=noprint_wrappers=1:nokey=1", file.toString())).strip();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " timed out");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
