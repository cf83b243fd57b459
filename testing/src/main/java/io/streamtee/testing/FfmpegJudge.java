package io.streamtee.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's ffmpeg and ffprobe commands as independent judges of what the code under test writes or sends, and as the
 * maker of test streams. Not main code's {@code io.streamtee.media.Ffmpeg} (the linked library): this runs the
 * command-line tools, found on {@code PATH}, each with a timeout. Call {@link #assumeInstalled()} first: tests skip
 * with a message where the tools are missing.
 */
public final class FfmpegJudge {
    /** How long one command may run before the test fails. */
    public static final int TIMEOUT_SECONDS = 120;

    private FfmpegJudge() {
    }

    /** What a command printed on stdout and on stderr, and its exit code. */
    public record Result(int exit, String out, String err) {
        /** Both streams, stdout first. */
        public String output() {
            return out + err;
        }
    }

    /** ffprobe's reading of the first video stream: codec, size, frame rate (e.g. {@code 25/1}) and frames read. */
    public record Probe(String codec, int width, int height, String frameRate, int frames) {
    }

    /** Skips the test unless both ffmpeg and ffprobe are on {@code PATH}. */
    public static void assumeInstalled() {
        assumeTrue(tool("ffmpeg").isPresent() && tool("ffprobe").isPresent(), "ffmpeg/ffprobe not installed");
    }

    /** Skips the test unless ffmpeg is installed and has {@code encoder} (e.g. {@code libx265}). */
    public static void assumeEncoder(String encoder) throws IOException, InterruptedException {
        assumeInstalled();
        assumeTrue(check(ffmpeg("-hide_banner", "-encoders")).contains(" " + encoder + " "),
                "this ffmpeg has no " + encoder + " encoder");
    }

    /** {@code ffmpeg -nostdin} and {@code args}, as a command for {@link #run}. */
    public static List<String> ffmpeg(String... args) {
        List<String> command = new ArrayList<>(List.of(path("ffmpeg"), "-nostdin"));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code ffprobe} and {@code args}, as a command for {@link #run}. */
    public static List<String> ffprobe(String... args) {
        List<String> command = new ArrayList<>(List.of(path("ffprobe")));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code command} and waits for it; fails the test when it runs longer than {@link #TIMEOUT_SECONDS}. */
    public static Result run(List<String> command) throws IOException, InterruptedException {
        Path errFile = Files.createTempFile("ffmpeg-judge", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(errFile.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(errFile));
        } finally {
            Files.deleteIfExists(errFile);
        }
    }

    /** As {@link #run}, and fails the test unless the command exits 0; returns its stdout. */
    public static String check(List<String> command) throws IOException, InterruptedException {
        Result r = run(command);
        if (r.exit() != 0) {
            throw new AssertionError(command + " exited with " + r.exit() + ":\n" + r.output());
        }
        return r.out();
    }

    /** Starts {@code command} with stderr merged into stdout, without waiting (to judge a live stream, say). */
    public static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Decodes every frame of a file or URL ({@code ffmpeg -v error -i input -f null -}): exit code and output. */
    public static Result decode(String input) throws IOException, InterruptedException {
        return run(ffmpeg("-v", "error", "-i", input, "-f", "null", "-"));
    }

    /** What ffmpeg prints at level "error" while decoding every frame: empty for a clean file. */
    public static String decodeErrors(Path file) throws IOException, InterruptedException {
        return decodeErrors(file.toString());
    }

    /** As {@link #decodeErrors(Path)}, for a file or a URL (an HLS playlist, say). */
    public static String decodeErrors(String input) throws IOException, InterruptedException {
        return decode(input).output();
    }

    /** Video frames ffprobe decodes; fails the test when ffprobe fails. */
    public static int frames(Path file) throws IOException, InterruptedException {
        return frames(file.toString());
    }

    /** As {@link #frames(Path)}, for a file or a URL. */
    public static int frames(String input) throws IOException, InterruptedException {
        String out = check(ffprobe("-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=nb_read_frames", "-of", "default=noprint_wrappers=1:nokey=1", input)).strip();
        return Integer.parseInt(out.lines().filter(l -> !l.isBlank()).findFirst().orElse(out).strip());
    }

    /**
     * The first video frame's key_frame flag and picture type, e.g. {@code 1,I}. Only those two fields: ffprobe's
     * csv adds one (empty) for a frame with side data, such as SEI user data (x264's version, the camera's capture
     * time).
     */
    public static String firstFrame(Path file) throws IOException, InterruptedException {
        String line = run(ffprobe("-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
                "-show_entries", "frame=key_frame,pict_type", "-of", "csv=p=0", file.toString())).output().strip()
                .lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        String[] fields = line.split(",", -1);
        return fields.length > 2 ? fields[0] + "," + fields[1] : line;
    }

    /** ffprobe's {@code -show_entries entries} (e.g. {@code format=format_name}) as plain values, one a line. */
    public static String probe(Path file, String entries) throws IOException, InterruptedException {
        return run(ffprobe("-v", "error", "-show_entries", entries, "-of", "default=noprint_wrappers=1:nokey=1",
                file.toString())).output().strip();
    }

    /** Codec, size, frame rate and frame count of the first video stream, counting every frame. */
    public static Probe stream(Path file) throws IOException, InterruptedException {
        String out = check(ffprobe("-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name,width,height,r_frame_rate,nb_read_frames", "-of", "default=noprint_wrappers=1",
                file.toString()));
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

    /**
     * A test pattern ({@code testsrc}) encoded to an MPEG-TS file.
     *
     * @param encoderArgs e.g. {@code -c:v libx264 -profile:v high -bf 2}
     */
    public static Path testPattern(Path out, int width, int height, int fps, double seconds, String... encoderArgs)
            throws IOException, InterruptedException {
        return encode(out, "testsrc=size=" + width + "x" + height + ":rate=" + fps, seconds, encoderArgs);
    }

    /**
     * A lavfi source ({@code testsrc=...}, {@code testsrc2=...}, {@code gradients=...}) encoded as yuv420p to an
     * MPEG-TS file; fails the test when ffmpeg fails or makes no file.
     */
    public static Path encode(Path out, String lavfiSource, double seconds, String... encoderArgs)
            throws IOException, InterruptedException {
        List<String> command = ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i", lavfiSource, "-t",
                String.valueOf(seconds), "-pix_fmt", "yuv420p");
        command.addAll(List.of(encoderArgs));
        command.addAll(List.of("-f", "mpegts", out.toString()));
        String printed = check(command);
        if (!Files.isRegularFile(out) || Files.size(out) == 0) {
            throw new AssertionError(command + " made no file:\n" + printed);
        }
        return out;
    }

    /** Every frame's luma plane as ffmpeg decodes it ({@code width * height} bytes each, in output order). */
    public static List<byte[]> lumaPlanes(Path ts, int width, int height) throws IOException, InterruptedException {
        Path raw = ts.resolveSibling(ts.getFileName() + ".yuv");
        check(ffmpeg("-v", "error", "-y", "-i", ts.toString(), "-f", "rawvideo", "-pix_fmt", "yuv420p",
                raw.toString()));
        byte[] all = Files.readAllBytes(raw);
        int frameBytes = width * height * 3 / 2;
        List<byte[]> planes = new ArrayList<>();
        for (int off = 0; off + frameBytes <= all.length; off += frameBytes) {
            planes.add(Arrays.copyOfRange(all, off, off + width * height));
        }
        return planes;
    }

    private static String path(String name) {
        return tool(name).map(Path::toString).orElse(name);
    }

    private static Optional<Path> tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
