package io.streamtee.analyze.sink.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.analyze.event.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MqttMessagesTest {
    static Event motion(String camera, Event.Phase phase, int n) {
        return new Event(camera + "-" + n, camera, Event.Kind.MOTION, phase, "motion in porch", List.of("porch"),
                1_790_000_000_000L + n, phase == Event.Phase.END ? 1_790_000_005_000L : -1, 90_000L * n, -1, 0.25,
                List.of(new Event.Region(0.1, 0.2, 0.3, 0.4)), "/api/events/" + camera + "-" + n + "/snapshot.jpg",
                Map.of("frames", n));
    }

    static Event health(String camera, Event.Phase phase, String title) {
        return new Event(camera + "-h", camera, Event.Kind.HEALTH, phase, title, List.of(), 1_790_000_000_000L,
                -1, -1, -1, 0, List.of(), null, Map.of());
    }

    @Test
    void theEventAsJsonWithFrigatesTypeThenTheRetainedMotionState() throws Exception {
        List<MqttMessages.Publication> start = MqttMessages.of("streamtee", 1, motion("frontdoor", Event.Phase.START, 1));
        assertThat(start).hasSize(2);
        MqttMessages.Publication json = start.get(0);
        assertThat(json.topic()).isEqualTo("streamtee/events");
        assertThat(json.qos()).isEqualTo(1);
        assertThat(json.retained()).isFalse();
        JsonNode node = new ObjectMapper().readTree(json.payload());
        assertThat(node.fieldNames().next()).as("type comes first").isEqualTo("type");
        assertThat(node.get("type").asText()).isEqualTo("new");
        assertThat(node.get("id").asText()).isEqualTo("frontdoor-1");
        assertThat(node.get("camera").asText()).isEqualTo("frontdoor");
        assertThat(node.get("phase").asText()).isEqualTo("START");
        assertThat(node.get("zones").get(0).asText()).isEqualTo("porch");
        assertThat(node.get("boxes").get(0).get("h").asDouble()).isEqualTo(0.4);
        assertThat(node.get("snapshot").asText()).isEqualTo("/api/events/frontdoor-1/snapshot.jpg");

        assertThat(start.get(1)).satisfies(p -> {
            assertThat(p.topic()).isEqualTo("streamtee/frontdoor/motion");
            assertThat(p.text()).isEqualTo("ON");
            assertThat(p.retained()).isTrue();
        });
        List<MqttMessages.Publication> update = MqttMessages.of("streamtee", 1, motion("frontdoor", Event.Phase.UPDATE, 1));
        assertThat(new ObjectMapper().readTree(update.get(0).payload()).get("type").asText()).isEqualTo("update");
        assertThat(update.get(1).text()).isEqualTo("ON");
        List<MqttMessages.Publication> end = MqttMessages.of("home/cams", 0, motion("frontdoor", Event.Phase.END, 1));
        assertThat(new ObjectMapper().readTree(end.get(0).payload()).get("type").asText()).isEqualTo("end");
        assertThat(end.get(0).topic()).isEqualTo("home/cams/events");
        assertThat(end.get(0).qos()).isZero();
        assertThat(end.get(1).topic()).isEqualTo("home/cams/frontdoor/motion");
        assertThat(end.get(1).text()).isEqualTo("OFF");
        assertThat(end.get(1).retained()).isTrue();
    }

    @Test
    void healthIsTheProblemsTitleUntilItEndsThenOk() {
        List<MqttMessages.Publication> lost = MqttMessages.of("streamtee", 1,
                health("yard", Event.Phase.START, "stream lost"));
        assertThat(lost.get(1).topic()).isEqualTo("streamtee/yard/health");
        assertThat(lost.get(1).text()).isEqualTo("stream lost");
        assertThat(lost.get(1).retained()).isTrue();
        assertThat(MqttMessages.of("streamtee", 1, health("yard", Event.Phase.UPDATE, "stream lost for 60 s"))
                .get(1).text()).isEqualTo("stream lost for 60 s");
        assertThat(MqttMessages.of("streamtee", 1, health("yard", Event.Phase.END, "stream back after 12 s"))
                .get(1).text()).isEqualTo("ok");
    }

    @Test
    void aCameraNameIsOneTopicLevel() {
        assertThat(MqttMessages.of("streamtee", 1, motion("a/b+c#", Event.Phase.START, 1)).get(1).topic())
                .isEqualTo("streamtee/a_b_c_/motion");
        assertThat(MqttMessages.availability("streamtee")).isEqualTo("streamtee/available");
    }
}
