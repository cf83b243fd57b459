package io.streamtee.camera;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real ffprobe and ffmpeg, as independent judges of what the camera sends. Tests skip when absent. */
final class Ffmpeg {

    record Probe(String codec, int width, int height, String frameRate, int frames) {
    }

    private Ffmpeg() {
    }

    static void assumeAvailable() {
        assumeTrue(onPath("ffprobe") && onPath("ffmpeg"), "ffprobe/ffmpeg not installed");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Decodes every frame; returns what ffmpeg printed at level "error" (empty when the stream is clean). */
    static String decodeErrors(Path ts) throws IOException, InterruptedException {
        return run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", ts.toString(), "-f", "null", "-"));
    }

    static Probe probe(Path ts) throws IOException, InterruptedException {
        String out = run(List.of("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,width,height,r_frame_rate,nb_read_frames",
                "-of", "default=noprint_wrappers=1", ts.toString()));
        return new Probe(field(out, "codec_name"), Integer.parseInt(field(out, "width")),
                Integer.parseInt(field(out, "height")), field(out, "r_frame_rate"),
                Integer.parseInt(field(out, "nb_read_frames")));
    }

    private static String field(String out, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "=(.*)$").matcher(out);
        if (!m.find()) {
            throw new AssertionError("ffprobe printed no " + name + ":\n" + out);
        }
        return m.group(1).trim();
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
