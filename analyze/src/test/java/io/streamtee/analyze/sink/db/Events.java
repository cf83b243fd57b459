package io.streamtee.analyze.sink.db;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The phases of one motion event, as the analyzer sends them, and a sink that records what it is given. */
final class Events {
    /** 2026-11-30T12:00:10.123Z. */
    static final long T0 = 1_796_040_010_123L;

    private Events() {
    }

    static Event start(String id) {
        return new Event(id, "frontdoor", Event.Kind.MOTION, Event.Phase.START, "motion in porch", List.of("porch"),
                T0, -1, 900_000, -1, 0.12, List.of(new Event.Region(0.1, 0.2, 0.3, 0.4)), null,
                Map.of("frames", 1));
    }

    static Event update(String id) {
        return new Event(id, "frontdoor", Event.Kind.MOTION, Event.Phase.UPDATE, "motion in porch, driveway",
                List.of("porch", "driveway"), T0, -1, 900_000, -1, 0.37,
                List.of(new Event.Region(0.1, 0.2, 0.3, 0.4), new Event.Region(0.5, 0.5, 0.25, 0.25)),
                "/api/events/" + id + "/snapshot.jpg", Map.of("frames", 40, "pixels", 12_345));
    }

    static Event end(String id) {
        return new Event(id, "frontdoor", Event.Kind.MOTION, Event.Phase.END, "motion in porch, driveway (12 s)",
                List.of("porch", "driveway"), T0, T0 + 12_000, 900_000, 900_000 + 12 * 90_000, 0.41,
                List.of(new Event.Region(0.1, 0.2, 0.3, 0.4), new Event.Region(0.5, 0.5, 0.25, 0.25)),
                "/api/events/" + id + "/snapshot.jpg", Map.of("frames", 300, "pixels", 23_456));
    }

    /** A stream health event: no zones, no boxes, no stream time. */
    static Event health(String id, long startMillis) {
        return new Event(id, "backyard", Event.Kind.HEALTH, Event.Phase.START, "stream lost", List.of(),
                startMillis, -1, -1, -1, 0, List.of(), null, Map.of());
    }

    /** Records the ids it was given, in order. */
    static final class Recording implements EventSink {
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void deliver(Event event) {
            ids.add(event.id());
        }

        @Override
        public void close() {
        }
    }
}
