package io.streamtee.analyze.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTest {
    @TempDir
    Path dir;

    @Test
    void eachEventIsOneLineOfJsonAndARestartAppends() throws Exception {
        Path file = dir.resolve("logs/events.jsonl");
        try (JsonLinesSink sink = new JsonLinesSink(file)) {
            sink.deliver(SinkQueueTest.event(1));
            sink.deliver(SinkQueueTest.event(2));
        }
        try (JsonLinesSink again = new JsonLinesSink(file)) {
            again.deliver(SinkQueueTest.event(3));
        }

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("id").asText()).isEqualTo("cam-1");
        assertThat(first.get("kind").asText()).isEqualTo("MOTION");
        assertThat(first.get("phase").asText()).isEqualTo("START");
        assertThat(first.get("zones").get(0).asText()).isEqualTo("porch");
        assertThat(first.get("endMillis").asLong()).isEqualTo(-1);
        assertThat(first.get("boxes").get(0).get("w").asDouble()).isEqualTo(0.3);
        assertThat(first.get("details").get("frames").asInt()).isEqualTo(1);
        assertThat(new ObjectMapper().readTree(lines.get(2)).get("id").asText()).isEqualTo("cam-3");
    }
}
