package io.streamtee.bench.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Whether a camera's recorded segments decode, with Debian's ffprobe and ffmpeg: every segment's video stream must
 * probe as H.264 of a real size without an error, and decode from its start (its first {@value #HEAD_FRAMES}
 * frames, so its keyframe and what follows) without an error; the last segment of each camera (the one the stop
 * closed) is decoded whole.
 */
final class SegmentCheck {

    static final int HEAD_FRAMES = 30;

    /** The result for one camera's directory. */
    record Result(int segments, int decodable, List<String> failures) {
    }

    private SegmentCheck() {
    }

    static Result check(Path dir) throws IOException, InterruptedException {
        List<Path> segments;
        try (Stream<Path> s = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            segments = s.filter(p -> p.toString().endsWith(".ts")).sorted().toList();
        }
        int ok = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            Path seg = segments.get(i);
            String probe = run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                    "stream=codec_name,width,height", "-of", "csv=p=0", seg.toString());
            boolean last = i == segments.size() - 1;
            List<String> decode = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-v", "error",
                    "-i", seg.toString(), "-map", "0:v:0"));
            if (!last) {
                decode.addAll(List.of("-frames:v", String.valueOf(HEAD_FRAMES)));
            }
            decode.addAll(List.of("-f", "null", "-"));
            // one line per program and per stream, all the same
            boolean probed = !probe.isBlank()
                    && probe.lines().filter(l -> !l.isBlank()).allMatch(l -> l.matches("h264,[1-9]\\d*,[1-9]\\d*"));
            String decoded = probed ? run(decode.toArray(String[]::new)) : null;
            if (decoded != null && decoded.isBlank()) {
                ok++;
            } else {
                failures.add(seg.getFileName() + ": " + (decoded == null ? "ffprobe: " + probe.strip()
                        : "ffmpeg: " + decoded.strip().lines().findFirst().orElse("")));
            }
        }
        return new Result(segments.size(), ok, failures);
    }

    /** The command's output, or its first line and exit code when it fails. */
    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out: " + out;
        }
        return p.exitValue() == 0 ? out : "exit " + p.exitValue() + ": " + out;
    }
}
