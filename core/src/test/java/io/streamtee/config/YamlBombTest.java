package io.streamtee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.testing.Figures;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile configs (issue 16): a billion-laughs alias bomb, deep nesting and a huge document each end in one line
 * naming the source, quickly and without filling the heap; an ordinary config with a few aliases still reads.
 */
class YamlBombTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    record Knobs(Integer count, List<String> items, Map<String, Object> extra) {
    }

    @Test
    void aBillionLaughsAliasBombIsRefusedInOneLine() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [" + String.join(",", java.util.Collections.nCopies(9, "lol"))
                + "]\n");
        for (int i = 1; i <= 9; i++) {
            yaml.append('a').append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                yaml.append(j == 0 ? "" : ",").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        String bomb = yaml.toString();
        long ms = refusedInOneLine(bomb, Map.class, "aliases are not supported");
        refusedInOneLine(bomb, Knobs.class, "");
        Figures.of("hostile.yaml-bomb").put("refused_ms", ms).put("input_bytes", bomb.length())
                .record(getClass(), "aBillionLaughsAliasBombIsRefusedInOneLine");
    }

    @Test
    void deepNestingIsRefusedInOneLine() {
        int depth = 10_000;
        String flow = "extra: " + "[".repeat(depth) + "]".repeat(depth) + "\n";
        long flowMs = refusedInOneLine(flow, Knobs.class, "");
        StringBuilder block = new StringBuilder("extra:\n");
        for (int i = 0; i < 2_000; i++) {
            block.append("  ".repeat(i + 1)).append('k').append(i).append(":\n");
        }
        long blockMs = refusedInOneLine(block.toString(), Knobs.class, "");
        Figures.of("hostile.yaml-nesting").put("depth", depth).put("flow_refused_ms", flowMs)
                .put("block_refused_ms", blockMs).record(getClass(), "deepNestingIsRefusedInOneLine");
    }

    @Test
    void aHugeDocumentIsRefusedInOneLine() {
        StringBuilder big = new StringBuilder(50 * 1024 * 1024 + 100).append("items:\n");
        while (big.length() < 50 * 1024 * 1024) {
            big.append("  - ").append("a".repeat(89)).append('\n');
        }
        String huge = big.toString();
        Runtime rt = Runtime.getRuntime();
        long ms = refusedInOneLine(huge, Knobs.class, "");
        Figures.of("hostile.yaml-huge").put("input_mb", huge.length() >> 20).put("refused_ms", ms)
                .put("heap_used_mb", (rt.totalMemory() - rt.freeMemory()) >> 20)
                .record(getClass(), "aHugeDocumentIsRefusedInOneLine");
    }

    @Test
    void anAliasIsRefusedWithItsLineNotReadAsItsName() {
        // before: "one: *b" read as one = "b", silently
        assertThatThrownBy(() -> Yaml.read("k.yml", "extra:\n  base: &b {x: 1}\n  one: *b\n", Knobs.class))
                .hasMessage("k.yml:3:8: aliases are not supported (*b): write the value out");
        // an anchor alone is harmless
        assertThat(Yaml.read("k.yml", "items: &i [p, q]\n", Knobs.class).items()).containsExactly("p", "q");
    }

    @Test
    void aHugeFileIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path huge = dir.resolve("huge.yml");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(50L * 1024 * 1024); // sparse: 50 MiB on paper, nothing on disk
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> Yaml.readFile(huge)).isInstanceOf(ConfigException.class)
                .hasMessage(huge + ": 50 MiB, more than a config file may be (16 MiB)");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(Duration.ofMillis(ms)).isLessThan(BOUND);
        assertThatThrownBy(() -> Yaml.readFile(dir.resolve("none.yml"))).hasMessageEndingWith("none.yml: no such file");
        Files.writeString(dir.resolve("ok.yml"), "count: 3\n");
        assertThat(Yaml.readFile(dir.resolve("ok.yml"))).isEqualTo("count: 3\n");
        Figures.of("hostile.yaml-huge-file").put("file_mb", 50).put("refused_ms", ms)
                .record(getClass(), "aHugeFileIsRefusedBeforeItIsRead");
    }

    @Test
    void anEmptyValueIsStillNullWithTheLimitsSet() {
        assertThat(Yaml.read("k.yml", "extra:\n  front:\n", Knobs.class).extra()).containsEntry("front", null);
    }

    @Test
    void aConfigNearTheLimitsStillReads() {
        StringBuilder yaml = new StringBuilder("items:\n");
        while (yaml.length() < Yaml.MAX_CODE_POINTS - 100) {
            yaml.append("  - abcdefghijklmnopqrstuvwxyz\n");
        }
        assertThat(Yaml.read("k.yml", yaml.toString(), Knobs.class).items()).hasSizeGreaterThan(100_000);
        String nested = "extra:\n  a: " + "[".repeat(Yaml.MAX_DEPTH - 4) + "]".repeat(Yaml.MAX_DEPTH - 4);
        assertThat(Yaml.read("k.yml", nested, Knobs.class).extra()).containsKey("a");
    }

    /** Asserts a one-line ConfigException starting with the source (and containing {@code says}); returns ms. */
    private static long refusedInOneLine(String yaml, Class<?> type, String says) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> Yaml.read("bomb.yml", yaml, type))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("bomb.yml")
                .hasMessageContaining(says)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(300));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(Duration.ofMillis(ms)).isLessThan(BOUND);
        return ms;
    }
}
