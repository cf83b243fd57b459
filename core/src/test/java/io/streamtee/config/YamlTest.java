package io.streamtee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Core's YAML reader: each kind of mistake is one line naming the key and what was expected. */
class YamlTest {
    record Knobs(Integer count, Double share, Boolean on, String name, List<String> items) {
    }

    @Test
    void valuesOfTheRightKindAreRead() {
        assertThat(Yaml.read("k.yml", "count: 3\nshare: 0.5\non: true\nname: x\nitems: [a, b]\n", Knobs.class))
                .isEqualTo(new Knobs(3, 0.5, true, "x", List.of("a", "b")));
    }

    @Test
    void aValueOfTheWrongKindSaysWhatWasExpected() {
        assertThatThrownBy(() -> Yaml.read("k.yml", "count: many\n", Knobs.class))
                .hasMessage("k.yml: count: expected a whole number");
        assertThatThrownBy(() -> Yaml.read("k.yml", "share: half\n", Knobs.class))
                .hasMessage("k.yml: share: expected a number");
        assertThatThrownBy(() -> Yaml.read("k.yml", "on: maybe\n", Knobs.class))
                .hasMessage("k.yml: on: expected true or false");
        assertThatThrownBy(() -> Yaml.read("k.yml", "items: {a: 1}\n", Knobs.class))
                .hasMessage("k.yml: items: expected a list, e.g. [a, b]");
        assertThatThrownBy(() -> Yaml.read("k.yml", "nmae: x\n", Knobs.class))
                .hasMessage("k.yml: nmae: unknown key (known: count, items, name, on, share)");
    }
}
