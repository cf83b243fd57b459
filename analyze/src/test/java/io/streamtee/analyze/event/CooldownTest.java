package io.streamtee.analyze.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cooldown's rule, on events whose start times are the clock (no sink, no thread). */
class CooldownTest {
    static final long T0 = 1_790_000_000_000L;
    private static final long MINUTE = 60_000;

    static Event motion(String id, String camera, Event.Phase phase, long startMillis) {
        return new Event(id, camera, Event.Kind.MOTION, phase, "motion", List.of(), startMillis,
                phase == Event.Phase.END ? startMillis + 4000 : -1, 0, -1, 0.1, List.of(), null, Map.of());
    }

    static Event health(String id, Event.Phase phase, long startMillis) {
        return new Event(id, "porch", Event.Kind.HEALTH, phase, "stream lost", List.of(), startMillis, -1, -1, -1, 0,
                List.of(), null, Map.of());
    }

    /** Offers START, UPDATE and END of one event; returns which were admitted. */
    private static List<Boolean> whole(Cooldown c, String id, long start) {
        return List.of(c.admits(motion(id, "porch", Event.Phase.START, start)),
                c.admits(motion(id, "porch", Event.Phase.UPDATE, start)),
                c.admits(motion(id, "porch", Event.Phase.END, start)));
    }

    @Test
    void anEventStartingWithinTheCooldownOfTheLastOneLetThroughIsSuppressedInEveryPhase() {
        Cooldown c = new Cooldown(Duration.ofMinutes(5));
        assertThat(whole(c, "a", T0)).containsExactly(true, true, true);
        assertThat(whole(c, "b", T0 + MINUTE)).containsExactly(false, false, false);
        assertThat(whole(c, "c", T0 + 5 * MINUTE - 1)).containsExactly(false, false, false);
        // measured from the last one let through (a), so a storm of suppressed events does not extend it
        assertThat(whole(c, "d", T0 + 5 * MINUTE)).containsExactly(true, true, true);
        assertThat(whole(c, "e", T0 + 6 * MINUTE)).containsExactly(false, false, false);
    }

    @Test
    void theDecisionAtTheStartHoldsForAnEventThatOverlapsTheNext() {
        Cooldown c = new Cooldown(Duration.ofSeconds(30));
        assertThat(c.admits(motion("a", "porch", Event.Phase.START, T0))).isTrue();
        assertThat(c.admits(motion("b", "porch", Event.Phase.START, T0 + 1000))).isFalse();
        assertThat(c.admits(motion("a", "porch", Event.Phase.UPDATE, T0))).isTrue();
        assertThat(c.admits(motion("b", "porch", Event.Phase.UPDATE, T0 + 1000))).isFalse();
        assertThat(c.admits(motion("a", "porch", Event.Phase.END, T0))).isTrue();
        assertThat(c.admits(motion("b", "porch", Event.Phase.END, T0 + 1000))).isFalse();
    }

    @Test
    void eachCameraHasItsOwnCooldown() {
        Cooldown c = new Cooldown(Duration.ofMinutes(5));
        assertThat(c.admits(motion("a", "porch", Event.Phase.START, T0))).isTrue();
        assertThat(c.admits(motion("b", "garden", Event.Phase.START, T0 + 1000))).isTrue();
        assertThat(c.admits(motion("c", "porch", Event.Phase.START, T0 + 2000))).isFalse();
        assertThat(c.admits(motion("d", "garden", Event.Phase.START, T0 + 3000))).isFalse();
    }

    @Test
    void healthEventsAreNeverSuppressed() {
        Cooldown c = new Cooldown(Duration.ofHours(1));
        assertThat(c.admits(motion("a", "porch", Event.Phase.START, T0))).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(c.admits(health("h" + i, Event.Phase.START, T0 + i))).isTrue();
            assertThat(c.admits(health("h" + i, Event.Phase.END, T0 + i))).isTrue();
        }
        assertThat(c.admits(motion("b", "porch", Event.Phase.START, T0 + 10))).isFalse();
    }

    @Test
    void zeroLetsEverythingThrough() {
        Cooldown c = new Cooldown(Duration.ZERO);
        assertThat(c.active()).isFalse();
        for (int i = 0; i < 10; i++) {
            assertThat(whole(c, "e" + i, T0 + i)).containsExactly(true, true, true);
        }
    }

    @Test
    void aClockSetBackLetsTheEventThroughAndStartsTheCooldownAgainFromIt() {
        Cooldown c = new Cooldown(Duration.ofMinutes(5));
        assertThat(c.admits(motion("a", "porch", Event.Phase.START, T0))).isTrue();
        assertThat(c.admits(motion("b", "porch", Event.Phase.START, T0 - 60 * MINUTE))).isTrue();
        assertThat(c.admits(motion("c", "porch", Event.Phase.START, T0 - 59 * MINUTE))).isFalse();
    }

    @Test
    void remembersABoundedNumberOfOpenSuppressedEvents() {
        Cooldown c = new Cooldown(Duration.ofHours(1));
        assertThat(c.admits(motion("a", "porch", Event.Phase.START, T0))).isTrue();
        for (int i = 0; i <= Cooldown.REMEMBERED; i++) { // no END ever comes for these
            assertThat(c.admits(motion("s" + i, "porch", Event.Phase.START, T0 + i))).isFalse();
        }
        assertThat(c.admits(motion("s1", "porch", Event.Phase.UPDATE, T0))).as("still remembered").isFalse();
        assertThat(c.admits(motion("s0", "porch", Event.Phase.UPDATE, T0))).as("the oldest, forgotten").isTrue();
    }
}
