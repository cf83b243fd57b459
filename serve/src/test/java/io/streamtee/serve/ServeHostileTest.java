package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import io.streamtee.testing.Figures;
import io.streamtee.testing.HostilePaths;
import io.streamtee.testing.Slowloris;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve}'s one web server under hostile requests (issue 16): path traversal and slowloris. */
class ServeHostileTest {
    @TempDir
    Path tmp;

    @Test
    void noEncodingOfATraversalReachesAFileOutsideTheData() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        String secret = "hostile-" + System.nanoTime();
        Files.writeString(data.resolve("secret.txt"), secret);
        Files.writeString(tmp.resolve("data-secret.txt"), secret);
        Map<Integer, Integer> statuses = new TreeMap<>();
        int requests = 0;
        try (ServeRig rig = new ServeRig(data, "front")) {
            for (String prefix : List.of("/recordings/front/", "/recordings/", "/cameras/", "/cameras/front/",
                    "/api/cameras/", "/api/events/", "/api/events/front-1/", "/play.m3u8?camera=",
                    "/clip.ts?camera=", "/clip.mp4?camera=", "/api/recordings?camera=", "/relay/")) {
                for (String name : List.of("secret.txt", "data-secret.txt", "front/index.db")) {
                    for (String escape : HostilePaths.escapes(name)) {
                        HostilePaths.Response r = HostilePaths.get(rig.web.port(), prefix + escape, null);
                        assertThat(r.status()).as(prefix + escape).isIn(400, 404);
                        assertThat(r.body()).as(prefix + escape).doesNotContain(secret).doesNotContain("SQLite format");
                        statuses.merge(r.status(), 1, Integer::sum);
                        requests++;
                    }
                }
            }
        }
        Figures.of("hostile.path-traversal.serve").put("requests", requests)
                .put("answered_400", statuses.getOrDefault(400, 0)).put("answered_404", statuses.getOrDefault(404, 0))
                .record(getClass(), "noEncodingOfATraversalReachesAFileOutsideTheData");
    }

    @Test
    void aCameraNameWithALineBreakANulOrTooLongIsRefusedInOneLine() {
        for (String bad : List.of("\"front\\r\\nBcc: victim@example.org\"", "\"front\\0x\"", "a".repeat(65),
                "\"" + "b".repeat(100_000) + "\\n\"")) {
            String yaml = "cameras:\n  " + bad + ":\n    input: udp://127.0.0.1:0\n";
            assertThatThrownBy(() -> ServeYaml.parse("serve.yml", yaml, n -> null))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("serve.yml") // the name, or SnakeYAML's 1,024-character limit on a key
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r").doesNotContain("\n")
                            .doesNotContain("\u0000").hasSizeLessThan(400));
        }
    }

    @Test
    void aHealthyClientIsAnsweredDuringASlowloris() throws Exception {
        try (ServeRig rig = new ServeRig("serve-token-0123456789", tmp.resolve("data"), "front")) {
            Slowloris.assertAnswered("hostile.slowloris.serve", rig.web.port(), URI.create(rig.url("/api/cameras")),
                    "Bearer serve-token-0123456789", getClass(), "aHealthyClientIsAnsweredDuringASlowloris");
        }
    }
}
