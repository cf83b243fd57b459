package io.streamtee.analyze.sink.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamtee.analyze.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the MQTT sink publishes, laid out the way Frigate does so Home Assistant users know it (no sockets here):
 * <ul>
 * <li>{@code PREFIX/events}: every event as JSON, with {@code type} {@code new}, {@code update} or {@code end}
 * (from START, UPDATE, END) added in front of the event's own fields; not retained;</li>
 * <li>{@code PREFIX/CAMERA/motion}: {@code ON} at a motion event's START (and again at each UPDATE, so a broker that
 * restarted in between learns it again), {@code OFF} at its END; retained, so a subscriber that connects later sees
 * the current state;</li>
 * <li>{@code PREFIX/CAMERA/health}: the problem's title while a health event goes on, {@code ok} at its END;
 * retained;</li>
 * <li>{@code PREFIX/available}: {@code online} once connected, {@code offline} at a clean close and as the
 * connection's last will; retained.</li>
 * </ul>
 * A camera name's characters that MQTT gives a meaning in topics ({@code / + #}) become {@code _}.
 */
public final class MqttMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";
    public static final String ON = "ON";
    public static final String OFF = "OFF";
    public static final String OK = "ok";

    private MqttMessages() {
    }

    /** One message to publish. */
    public record Publication(String topic, byte[] payload, int qos, boolean retained) {

        /** The payload as text (every payload here is UTF-8). */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** The messages for one event, in the order they are published: the JSON first, then the retained state. */
    public static List<Publication> of(String prefix, int qos, Event event) {
        List<Publication> out = new ArrayList<>(2);
        out.add(new Publication(prefix + "/events", json(event), qos, false));
        String camera = prefix + "/" + topicLevel(event.camera());
        switch (event.kind()) {
            case MOTION -> out.add(new Publication(camera + "/motion",
                    utf8(event.phase() == Event.Phase.END ? OFF : ON), qos, true));
            case HEALTH -> out.add(new Publication(camera + "/health",
                    utf8(event.phase() == Event.Phase.END ? OK : event.title()), qos, true));
        }
        return out;
    }

    /** The topic that says whether the analyzer is there: {@code PREFIX/available}. */
    public static String availability(String prefix) {
        return prefix + "/available";
    }

    /** Frigate's name for a phase: {@code new}, {@code update}, {@code end}. */
    public static String type(Event.Phase phase) {
        return switch (phase) {
            case START -> "new";
            case UPDATE -> "update";
            case END -> "end";
        };
    }

    /** {@code name} as one topic level: {@code / + #} and NUL become {@code _}, an empty name {@code _}. */
    static String topicLevel(String name) {
        if (name == null || name.isEmpty()) {
            return "_";
        }
        return name.replaceAll("[/+#\u0000]", "_");
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(Event event) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", type(event.phase()));
        node.setAll((ObjectNode) JSON.valueToTree(event));
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + event.id() + " cannot be written as JSON", e);
        }
    }
}
