package io.streamtee.analyze.event;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One sink's notification cooldown, so that a tree in the wind cannot send an email every 5 seconds: a motion event
 * reaches the sink only when no motion event that reached it started within the cooldown before, on the same camera.
 * The decision is taken at the event's START and holds for all its phases: a suppressed event's UPDATEs and END are
 * suppressed too, a let-through event's are let through. Health events are never suppressed.
 *
 * <p><b>Clock.</b> The cooldown is measured between the events' start times ({@link Event#startMillis()}, the wall
 * clock of their first frame), not by when the messages are offered, so a backlog does not change which events go
 * out. When a start lies before the last one let through (the clock was set back), the event goes out and the
 * cooldown starts again from it.
 *
 * <p><b>Per camera, not per zone set.</b> An event's zones are only known as it grows (its START may name none, a
 * later UPDATE adds the door), and a waving tree touches a changing set of zones; a cooldown per zone set would let
 * through the very storm it is meant to stop. One cooldown per camera is simple to predict: at most one event per
 * cooldown per camera reaches the sink. (The record, a file or database sink with no cooldown, keeps every event.)
 *
 * <p>Not thread safe: {@link SinkQueue} calls it under its lock.
 */
public final class Cooldown {
    /** Suppressed events whose END has not come yet, remembered at most (the oldest are forgotten). */
    static final int REMEMBERED = 1024;

    private final long cooldownMillis;
    private final Map<String, Long> lastStart = new HashMap<>(); // camera -> start of the last event let through
    private final Set<String> suppressed = new LinkedHashSet<>(); // ids of open suppressed events

    /** @param cooldown 0 lets everything through */
    public Cooldown(Duration cooldown) {
        if (cooldown.isNegative()) {
            throw new IllegalArgumentException("cooldown must not be negative: " + cooldown);
        }
        this.cooldownMillis = cooldown.toMillis();
    }

    /** Whether this cooldown suppresses anything at all. */
    public boolean active() {
        return cooldownMillis > 0;
    }

    public Duration duration() {
        return Duration.ofMillis(cooldownMillis);
    }

    /** Whether the sink gets {@code event}: false for every phase of a motion event that started within the cooldown. */
    public boolean admits(Event event) {
        if (cooldownMillis <= 0 || event.kind() != Event.Kind.MOTION) {
            return true;
        }
        if (event.phase() != Event.Phase.START) {
            boolean wasSuppressed = event.phase() == Event.Phase.END ? suppressed.remove(event.id())
                    : suppressed.contains(event.id());
            return !wasSuppressed;
        }
        Long last = lastStart.get(event.camera());
        long since = last == null ? Long.MAX_VALUE : event.startMillis() - last;
        if (since >= 0 && since < cooldownMillis) {
            suppressed.add(event.id());
            if (suppressed.size() > REMEMBERED) {
                Iterator<String> oldest = suppressed.iterator();
                oldest.next();
                oldest.remove();
            }
            return false;
        }
        lastStart.put(event.camera(), event.startMillis());
        return true;
    }
}
