package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Header injection through a camera name, the config path (issue 16): a name with CR/LF, NUL or too long is refused
 * before any sink sees it, in one line naming the key (the bad value quoted without its control characters).
 */
class CameraNameInjectionTest {
    @Test
    void aCameraNameWithALineBreakANulOrTooLongIsRefusedInOneLineNamingTheKey() {
        for (String bad : List.of("front\r\nBcc: victim@example.org", "front\nSubject: forged", "front\u0000x",
                "front\rx", "a".repeat(65), "a".repeat(100_000) + "\r\n", "<34>1 forged", "")) {
            assertThatThrownBy(() -> AnalyzerConfig.checkCamera("camera", bad))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("camera: ")
                    .satisfies(e -> assertThat(e.getMessage())
                            .doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0000")
                            .hasSizeLessThan(300));
        }
    }
}
