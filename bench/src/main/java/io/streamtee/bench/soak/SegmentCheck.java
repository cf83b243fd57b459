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
 * Whether a camera's recorded segments decode, with Debian's ffprobe ({@code -count_frames}): every segment's video
 * stream must be H.264 of a real size and decode from its start (its first {@value #HEAD_FRAMES} packets, so its
 * keyframe and what follows) with at least one frame and without an error message; the last segment of each camera
 * (the one the stop closed) is decoded whole.
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
            List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error", "-select_streams", "v:0"));
            if (i < segments.size() - 1) {
                cmd.addAll(List.of("-read_intervals", "%+#" + HEAD_FRAMES));
            }
            cmd.addAll(List.of("-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames",
                    "-of", "csv=p=0", seg.toString()));
            String out = run(cmd.toArray(String[]::new));
            // one line per program and per stream, all the same; any other line is an error message
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            boolean decoded = !lines.isEmpty()
                    && lines.stream().allMatch(l -> l.matches("h264,[1-9]\\d*,[1-9]\\d*,[1-9]\\d*"));
            if (decoded) {
                ok++;
            } else {
                failures.add(seg.getFileName() + ": ffprobe: " + String.join(" | ", lines));
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
