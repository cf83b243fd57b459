package io.streamtee.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FiguresTest {

    @Test
    void appendsOneJsonLinePerRecord(@TempDir Path dir) throws Exception {
        String before = System.getProperty("streamtee.figures.dir");
        System.setProperty("streamtee.figures.dir", dir.toString());
        try {
            Figures.of("fault.tcp-stall").put("recovery_ms", 412).put("lost", 0L).put("note", "a \"b\"\n")
                    .record(FiguresTest.class, "x");
            Figures.of("fault.tcp-stall").put("ok", true).record(FiguresTest.class, "y");
        } finally {
            if (before == null) {
                System.clearProperty("streamtee.figures.dir");
            } else {
                System.setProperty("streamtee.figures.dir", before);
            }
        }
        var lines = Files.readAllLines(dir.resolve("figures.jsonl"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("{\"id\":\"fault.tcp-stall\",\"test\":\"FiguresTest#x\",\"at\":\"")
                .endsWith("\"values\":{\"recovery_ms\":412,\"lost\":0,\"note\":\"a \\\"b\\\"\\n\"}}");
        assertThat(lines.get(1)).endsWith("\"values\":{\"ok\":true}}");
    }

    @Test
    void refusesIdsAndValuesTheGeneratorCannotName() {
        assertThatThrownBy(() -> Figures.of("Fault tcp")).hasMessageContaining("figure id");
        assertThatThrownBy(() -> Figures.of("fault.x").put("Recovery", 1)).hasMessageContaining("figure key");
        assertThatThrownBy(() -> Figures.of("fault.x").put("list", java.util.List.of()))
                .hasMessageContaining("number, boolean or string");
    }
}
