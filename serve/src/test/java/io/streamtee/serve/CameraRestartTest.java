package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamtee.camera.Camera;
import io.streamtee.testing.Figures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A camera of {@code serve} that stops sending and starts again (a new encoder, its timestamps from zero, as a camera
 * that reboots): the analyzer says the stream is lost once and back once, and the recorder records again.
 */
@Timeout(90)
class CameraRestartTest {
    @TempDir
    Path tmp;

    /**
     * lostAfter 2 s, not 1: on a loaded machine the stream of a running camera can pause for most of a second (its
     * sender or the analyzer's input thread not scheduled), and an outage said then would be a second one.
     */
    private static final String YAML = """
            web: {listen: 127.0.0.1:0}
            data: $DATA
            cameras:
              cam:
                input: udp://127.0.0.1:0
                record: {segment: 1s}
                analyze: {health: {lostAfter: 2s, backConfirm: 1s}}
            """;

    @Test
    void aCameraThatGoesDarkAndComesBackIsSaidLostOnceAndBackOnceAndRecordedAgain() throws Exception {
        Path data = tmp.resolve("data");
        Path cam = data.resolve("cam");
        Path events = data.resolve("cam-events.jsonl");
        long darkMs;
        long recoveryMs;
        long backMs;
        long bytesLost;
        try (ServeRig rig = new ServeRig(data, ServeRig.parse(data, YAML))) {
            Camera first = rig.feed("cam", 320, 180, Duration.ofSeconds(60));
            CameraServices services = rig.serve.camera("cam");
            await().atMost(Duration.ofSeconds(30)).until(() -> services.recorder().stats().segments() >= 2);

            rig.stop(first); // the camera goes dark
            long stopped = System.nanoTime();
            long[] lostSeen = {0};
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
                boolean lost = !titled(events, "START", "stream lost").isEmpty();
                if (lost) {
                    lostSeen[0] = System.nanoTime();
                }
                return lost;
            });
            Set<Path> before = segmentFiles(cam);

            Camera second = rig.feed("cam", 320, 180, Duration.ofSeconds(60)); // it reboots
            long restarted = System.nanoTime();
            long[] recordedAt = {0};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                boolean recorded = segmentFiles(cam).stream().anyMatch(f -> !before.contains(f) && size(f) > 0);
                if (recorded) {
                    recordedAt[0] = System.nanoTime();
                }
                return recorded;
            });
            long[] backSeen = {0};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                boolean back = !titled(events, "END", "stream back").isEmpty();
                if (back) {
                    backSeen[0] = System.nanoTime();
                }
                return back;
            });
            long segmentsAtBack = services.recorder().stats().segments();
            await().atMost(Duration.ofSeconds(30)).until(() -> services.recorder().stats().segments()
                    >= segmentsAtBack + 2);
            darkMs = (lostSeen[0] - stopped) / 1_000_000;
            recoveryMs = (recordedAt[0] - restarted) / 1_000_000;
            backMs = (backSeen[0] - restarted) / 1_000_000;
            bytesLost = services.recorder().stats().lostBytes();
            rig.stop(second);
        }
        // said once each, and of one outage: the END carries the START's id
        List<JsonNode> lost = titled(events, "START", "stream lost");
        List<JsonNode> back = titled(events, "END", "stream back");
        assertThat(lost).hasSize(1);
        assertThat(back).hasSize(1);
        assertThat(back.getFirst().path("id").asText()).isEqualTo(lost.getFirst().path("id").asText());
        Figures.of("fault.serve.camera-restart")
                .put("dark_detected_ms", darkMs).put("lost_said", lost.size()).put("back_said", back.size())
                .put("recovery_ms", recoveryMs).put("back_said_ms", backMs).put("recorder_bytes_lost", bytesLost)
                .record(getClass(), "aCameraThatGoesDarkAndComesBackIsSaidLostOnceAndBackOnceAndRecordedAgain");
    }

    /** The health events of {@code phase} whose title starts with {@code title}. */
    private static List<JsonNode> titled(Path events, String phase, String title) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(events)) {
            return out;
        }
        for (String line : Files.readAllLines(events)) {
            JsonNode e;
            try {
                e = ServeRig.JSON.readTree(line);
            } catch (IOException partial) {
                continue; // being written
            }
            if (e.path("kind").asText().equals("HEALTH") && e.path("phase").asText().equals(phase)
                    && e.path("title").asText().startsWith(title)) {
                out.add(e);
            }
        }
        return out;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return -1;
        }
    }

    private static Set<Path> segmentFiles(Path cam) throws IOException {
        if (!Files.isDirectory(cam)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.walk(cam)) {
            return new HashSet<>(files.filter(f -> f.toString().endsWith(".ts")).toList());
        }
    }
}
