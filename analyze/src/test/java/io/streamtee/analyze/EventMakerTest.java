package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.health.HealthEvent;
import io.streamtee.analyze.motion.Box;
import io.streamtee.analyze.motion.MotionEvent;
import io.streamtee.ts.Timestamps;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventMakerTest {
    private static final long T0 = 1_796_040_010_000L; // 2026-11-30T12:00:10Z

    private static MotionEvent motion(long id, long endPts) {
        return new MotionEvent(id, 90_000, endPts, 180_000, 0.05, 7, 135_000, new Box(10, 20, 30, 60, 800),
                new Box(0, 20, 89, 60, 2000), Set.of("porch"), 12, 178, 100);
    }

    private static HealthEvent health(HealthEvent.Kind kind, HealthEvent.Phase phase, long startNanos, String text) {
        return new HealthEvent(kind, phase, 256, startNanos, startNanos + 5, T0, T0 + 4000, 90_000, 3, text, null,
                null);
    }

    @Test
    void aMotionEventKeepsItsIdThroughItsPhasesAndGivesBoxesAsFractions() {
        EventMaker maker = new EventMaker("frontdoor");
        Event start = maker.motion(motion(1, Timestamps.NONE), Event.Phase.START, T0, -1);
        Event update = maker.motion(motion(1, Timestamps.NONE), Event.Phase.UPDATE, T0, -1);
        Event end = maker.motion(motion(1, 360_000), Event.Phase.END, T0, T0 + 3000);
        Event next = maker.motion(motion(2, Timestamps.NONE), Event.Phase.START, T0 + 5000, -1);

        assertThat(start.id()).isEqualTo("frontdoor-20261130T120010Z-1");
        assertThat(update.id()).isEqualTo(start.id());
        assertThat(end.id()).isEqualTo(start.id());
        assertThat(next.id()).isEqualTo("frontdoor-20261130T120015Z-2");
        assertThat(start.endPts()).isEqualTo(-1);
        assertThat(end.endPts()).isEqualTo(360_000);
        assertThat(end.endMillis()).isEqualTo(T0 + 3000);
        assertThat(end.title()).isEqualTo("motion in porch");
        assertThat(end.zones()).containsExactly("porch");
        assertThat(end.boxes()).containsExactly(new Event.Region(10 / 178.0, 0.2, 20 / 178.0, 0.4),
                new Event.Region(0, 0.2, 89 / 178.0, 0.4));
        assertThat(end.details()).containsEntry("peakPts", 135_000L);
    }

    @Test
    void aHealthProblemsEndHasItsStartsIdAndAOneOffIsAStartWithAnEnd() {
        EventMaker maker = new EventMaker("cam");
        Event lost = maker.health(health(HealthEvent.Kind.STREAM_LOST, HealthEvent.Phase.START, 100, "stream lost"));
        Event cc = maker.health(health(HealthEvent.Kind.CONTINUITY, HealthEvent.Phase.START, 200, "cc"));
        Event back = maker.health(health(HealthEvent.Kind.STREAM_LOST, HealthEvent.Phase.END, 100, "stream back"));
        Event format = maker.health(health(HealthEvent.Kind.FORMAT_CHANGED, HealthEvent.Phase.ONCE, 300, "size"));

        assertThat(back.id()).isEqualTo(lost.id());
        assertThat(cc.id()).isNotEqualTo(lost.id());
        assertThat(back.phase()).isEqualTo(Event.Phase.END);
        assertThat(back.title()).isEqualTo("stream back");
        assertThat(back.endMillis()).isEqualTo(T0 + 4000);
        assertThat(lost.endMillis()).isEqualTo(-1);
        assertThat(lost.kind()).isEqualTo(Event.Kind.HEALTH);
        assertThat(format.phase()).isEqualTo(Event.Phase.START);
        assertThat(format.endMillis()).isEqualTo(T0 + 4000);
        assertThat(format.id()).isNotIn(lost.id(), cc.id());
        assertThat(cc.details()).containsEntry("pid", 256).containsEntry("problem", "CONTINUITY");
    }
}
