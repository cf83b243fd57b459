package io.streamtee.analyze.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventStoreTest {
    private static final long T0 = 1_796_040_010_000L;

    private static Event event(String id, String camera, Event.Kind kind, Event.Phase phase, long start, long end,
            boolean snapshot) {
        return new Event(id, camera, kind, phase, "t " + id, List.of(), start, end, -1, -1, 0.1, List.of(),
                snapshot ? EventStore.snapshotPath(id) : null, Map.of());
    }

    @Test
    void anEventsPhasesMergeIntoItsLatestStateAndKeepTheirPlace() {
        EventStore store = new EventStore();
        store.put(event("a", "cam", Event.Kind.MOTION, Event.Phase.START, T0, -1, true));
        store.put(event("b", "cam", Event.Kind.HEALTH, Event.Phase.START, T0 + 1000, -1, false));
        Event end = event("a", "cam", Event.Kind.MOTION, Event.Phase.END, T0, T0 + 5000, true);
        store.put(end);
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.event("a")).isEqualTo(end);
        assertThat(store.list(e -> true, 10)).extracting(Event::id).containsExactly("b", "a");
        assertThat(store.count(Event.Kind.MOTION, Event.Phase.START)).isEqualTo(1);
        assertThat(store.count(Event.Kind.MOTION, Event.Phase.END)).isEqualTo(1);
        assertThat(store.count(Event.Kind.HEALTH, Event.Phase.START)).isEqualTo(1);
        assertThat(store.count(Event.Kind.HEALTH, Event.Phase.END)).isZero();
    }

    @Test
    void listIsNewestFirstFilteredAndLimited() {
        EventStore store = new EventStore();
        for (int i = 0; i < 10; i++) {
            store.put(event("e" + i, i % 2 == 0 ? "porch" : "yard", i < 5 ? Event.Kind.MOTION : Event.Kind.HEALTH,
                    Event.Phase.START, T0 + i * 1000L, -1, false));
        }
        store.put(event("late", "porch", Event.Kind.MOTION, Event.Phase.START, T0 - 1000, -1, false)); // started first
        assertThat(store.list(e -> true, 3)).extracting(Event::id).containsExactly("e9", "e8", "e7");
        assertThat(store.list(e -> e.camera().equals("porch") && e.kind() == Event.Kind.MOTION, 10))
                .extracting(Event::id).containsExactly("e4", "e2", "e0", "late");
    }

    @Test
    void theOldestEventsAreForgottenWithTheirSnapshots() {
        EventStore store = new EventStore(3, 10, 1 << 20);
        for (int i = 0; i < 5; i++) {
            store.put(event("e" + i, "cam", Event.Kind.MOTION, Event.Phase.START, T0 + i, -1, true));
            store.putSnapshot("e" + i, new byte[] {(byte) i});
        }
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.event("e1")).isNull();
        assertThat(store.snapshot("e1")).isNull();
        assertThat(store.snapshots()).isEqualTo(3);
        assertThat(store.snapshot("e4")).containsExactly(4);
    }

    @Test
    void snapshotsAreBoundedByCountAndBytesAndTheOldestGoFirst() {
        EventStore store = new EventStore(100, 3, 1000);
        for (int i = 0; i < 5; i++) {
            store.put(event("e" + i, "cam", Event.Kind.MOTION, Event.Phase.START, T0 + i, -1, true));
            store.putSnapshot("e" + i, new byte[100]);
        }
        assertThat(store.snapshots()).isEqualTo(3); // by count
        assertThat(store.snapshot("e0")).isNull();
        assertThat(store.snapshot("e1")).isNull();
        assertThat(store.snapshotGone("e1")).isTrue();
        assertThat(store.snapshotGone("e4")).isFalse();
        assertThat(store.evicted()).isEqualTo(2);

        store.putSnapshot("e4", new byte[700]); // replaces e4's: 100 + 100 + 700 = 900 bytes
        assertThat(store.snapshotBytes()).isEqualTo(900);
        store.putSnapshot("e3", new byte[400]); // e2 (100) goes, then e4 (700): 400 left
        assertThat(store.snapshot("e2")).isNull();
        assertThat(store.snapshot("e4")).isNull();
        assertThat(store.snapshot("e3")).hasSize(400);
        assertThat(store.snapshotBytes()).isEqualTo(400);

        store.putSnapshot("e0", new byte[1001]); // larger than all the room: not kept, nothing else goes
        assertThat(store.snapshot("e0")).isNull();
        assertThat(store.snapshot("e3")).hasSize(400);
    }

    @Test
    void sinksGetTheSnapshotAndItsUrlAbsoluteOnceTheServerIsKnown() {
        EventStore store = new EventStore();
        Event with = event("porch-20261130T120010Z-1", "porch", Event.Kind.MOTION, Event.Phase.START, T0, -1, true);
        Event without = event("x", "porch", Event.Kind.HEALTH, Event.Phase.START, T0, -1, false);
        store.put(with);
        store.putSnapshot(with.id(), new byte[] {1, 2, 3});
        assertThat(store.jpeg(with)).containsExactly(1, 2, 3);
        assertThat(store.jpeg(without)).isNull();
        assertThat(store.url(with)).isEqualTo("/api/events/porch-20261130T120010Z-1/snapshot.jpg");
        store.baseUrl("http://127.0.0.1:8082/");
        assertThat(store.url(with)).isEqualTo("http://127.0.0.1:8082/api/events/porch-20261130T120010Z-1/snapshot.jpg");
        assertThat(store.url(without)).isNull();
        assertThat(EventStore.snapshotPath("front door/1")).isEqualTo("/api/events/front%20door%2F1/snapshot.jpg");
    }
}
