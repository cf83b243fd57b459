package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Merging expositions: each family once, its samples from every source together (no sockets). */
class ExpositionTest {
    private static final String A = """
            # HELP x_total Things
            # TYPE x_total counter
            x_total{camera="a"} 1.0
            # HELP up_total Refusals
            # TYPE up_total counter
            up_total 3.0
            # HELP g Now
            # TYPE g gauge
            g{camera="a"} 5.0
            """;
    private static final String B = """
            # HELP x_total Things
            # TYPE x_total counter
            x_total{camera="b"} 2.0
            # HELP up_total Refusals
            # TYPE up_total counter
            up_total 0.0
            """;

    @Test
    void aFamilyFromTwoSourcesIsGivenOnceWithTheSamplesOfBoth() {
        String merged = new Exposition().add(A, Set.of()).add(B, Set.of("up_total")).text();
        assertThat(merged).isEqualTo("""
                # HELP x_total Things
                # TYPE x_total counter
                x_total{camera="a"} 1.0
                x_total{camera="b"} 2.0
                # HELP up_total Refusals
                # TYPE up_total counter
                up_total 3.0
                # HELP g Now
                # TYPE g gauge
                g{camera="a"} 5.0
                """);
        assertThat(ExpositionCheck.check(merged)).containsExactly("x_total", "up_total", "g");
    }

    @Test
    void theCheckRefusesWhatAPlainConcatenationGives() {
        assertThatThrownBy(() -> ExpositionCheck.check(A + B)).hasMessageContaining("given twice");
    }

    @Test
    void aFamilyLeftWithoutSamplesIsLeftOut() {
        String merged = new Exposition().add("# HELP e Empty\n# TYPE e gauge\n", Set.of()).add(A, Set.of("g")).text();
        assertThat(merged).doesNotContain("# HELP e").doesNotContain("g{");
    }
}
