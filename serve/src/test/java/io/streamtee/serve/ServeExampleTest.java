package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.config.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** serve.example.yml at the repository root: every key it shows is read, with the values it says. */
class ServeExampleTest {
    private static Path example() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("serve.example.yml");
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new AssertionError("serve.example.yml not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void theExampleLoadsWithTheValuesItShows() throws Exception {
        String text = Files.readString(example());
        try (ServeConfig c = ServeYaml.parse("serve.example.yml", text, name -> null)) {
            assertThat(c.web().listen().getPort()).isEqualTo(8080);
            assertThat(c.data()).isEqualTo(Path.of("data"));
            assertThat(c.cameras().keySet()).containsExactly("front", "back", "garage");

            ServeConfig.Camera front = c.cameras().get("front");
            assertThat(front.route().input().address().getPort()).isEqualTo(8100);
            assertThat(front.route().allow()).hasSize(2);
            assertThat(front.route().outputs()).extracting(Endpoint::url).containsExactly("udp://127.0.0.1:9101");
            assertThat(front.record().segment()).isEqualTo(Duration.ofSeconds(10));
            assertThat(front.record().keep()).isEqualTo(Duration.ofDays(30));
            assertThat(front.record().maxBytes()).isEqualTo(50L << 30);
            assertThat(front.record().store().bucket()).isEqualTo("recordings");
            assertThat(front.record().store().prefix()).isEqualTo("streamtee");
            assertThat(front.record().store().region()).isEqualTo("us-east-1");
            assertThat(front.record().store().pathStyle()).isTrue();
            assertThat(front.analyze().motion().threshold()).isEqualTo(30);
            assertThat(front.analyze().masks()).hasSize(1);
            assertThat(front.analyze().zones()).extracting(z -> z.name()).containsExactly("door");
            assertThat(front.analyze().sinks()).hasSize(1);
            assertThat(front.analyze().sinks().get(0).cooldown()).isEqualTo(Duration.ofMinutes(1));
            assertThat(front.view()).isTrue();

            ServeConfig.Camera back = c.cameras().get("back");
            assertThat(back.record()).isNotNull();
            assertThat(back.analyze()).isNotNull();
            assertThat(back.view()).isTrue();

            ServeConfig.Camera garage = c.cameras().get("garage");
            assertThat(garage.record()).isNotNull();
            assertThat(garage.analyze()).isNull();
            assertThat(garage.view()).isFalse();
        }
    }
}
