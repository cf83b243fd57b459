package io.streamtee.analyze.motion;

import io.streamtee.ts.Timestamps;
import java.time.Duration;
import java.util.Objects;

/**
 * Passes a {@link MotionTracker}'s events on with fewer UPDATEs: the tracker reports every new peak, which at the
 * start of a walk is every frame. An UPDATE goes on only when at least {@code every} of stream time (by the latest
 * motion's PTS) has passed since the event's START or its last UPDATE that went on, or when the event touched a zone
 * it had not touched before (zones only add up, so that is at most once per zone). Each message carries the whole
 * event so far, so a skipped UPDATE loses nothing: its change goes out with the next UPDATE or the END. STARTs and ENDs
 * always go on. So an event lasting {@code T} sends at most {@code T / every} + (zones) UPDATEs.
 *
 * <p>Logic only, on the tracker's thread.
 */
public final class UpdateThinning implements MotionTracker.Listener {
    private final long everyTicks;
    private final MotionTracker.Listener out;
    private long eventId = -1;
    private long lastSentPts;
    private int zonesSent;

    /** @param every 0 passes every UPDATE */
    public UpdateThinning(Duration every, MotionTracker.Listener out) {
        if (every.isNegative()) {
            throw new IllegalArgumentException("every must not be negative: " + every);
        }
        this.everyTicks = every.toNanos() * Timestamps.PTS_HZ / 1_000_000_000L;
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public void started(MotionEvent event) {
        eventId = event.id();
        lastSentPts = event.lastMotionPts();
        zonesSent = event.zones().size();
        out.started(event);
    }

    @Override
    public void updated(MotionEvent event) {
        boolean newZone = event.id() != eventId || event.zones().size() > zonesSent;
        long since = Timestamps.ptsDiff(lastSentPts, event.lastMotionPts());
        if (!newZone && since >= 0 && since < everyTicks) {
            return; // (a PTS that went back, a camera restart, lets the UPDATE through and starts over)
        }
        eventId = event.id();
        lastSentPts = event.lastMotionPts();
        zonesSent = event.zones().size();
        out.updated(event);
    }

    @Override
    public void ended(MotionEvent event) {
        eventId = -1;
        out.ended(event);
    }
}
