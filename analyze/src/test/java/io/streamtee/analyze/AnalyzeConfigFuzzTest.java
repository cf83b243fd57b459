package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.analyze.sink.ConfiguredSink;
import io.streamtee.config.ConfigException;
import java.nio.charset.StandardCharsets;

/**
 * Jazzer fuzz tests of the analyzer's text configuration: a zone or mask polygon ({@code --zone}, {@code --mask},
 * {@code analyze.zones}) and the whole {@code analyze:} YAML file. In a plain {@code mvn test} each method replays
 * the files in {@code src/test/resources/io/streamtee/analyze/AnalyzeConfigFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} one of them fuzzes ({@code bench/fuzz.sh}).
 */
class AnalyzeConfigFuzzTest {
    /**
     * A polygon of arbitrary text: a one-line {@link ConfigException} naming the key, or a polygon that prints as
     * text parsing to the same polygon, and rasterizes to 0s and 1s.
     */
    @FuzzTest
    void polygon(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Polygon p;
        try {
            p = Polygon.parse("--zone door", text);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith("--zone door").doesNotContain("\n", "\r");
            return;
        }
        assertThat(p.size()).isGreaterThanOrEqualTo(3);
        assertThat(Polygon.parse("again", p.toString())).isEqualTo(p);
        for (byte b : p.rasterize(16, 9)) {
            assertThat(b).isBetween((byte) 0, (byte) 1);
        }
    }

    /**
     * An analyze file of arbitrary text (no environment variables): a one-line {@link ConfigException} naming the
     * file, or a configuration; never another exception. Sinks it made are closed.
     */
    @FuzzTest
    void analyzeFile(byte[] input) throws Exception {
        String yaml = new String(input, StandardCharsets.UTF_8);
        AnalyzeFile file;
        try {
            file = AnalyzeFile.parse("fuzz.yml", yaml, name -> null);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith("fuzz.yml").doesNotContain("\n", "\r");
            return;
        }
        for (ConfiguredSink sink : file.sinks()) {
            sink.sink().close();
        }
    }
}
