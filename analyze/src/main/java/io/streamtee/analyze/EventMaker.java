package io.streamtee.analyze;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.health.HealthEvent;
import io.streamtee.analyze.motion.Box;
import io.streamtee.analyze.motion.MotionEvent;
import io.streamtee.ts.Timestamps;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns the motion tracker's and the health monitor's events into {@link Event}s for the sinks, with ids
 * {@code <camera>-<utc start>-<n>} ({@code frontdoor-20261130T120010Z-3}; {@code n} counts the analyzer's events from
 * 1) that stay the same through an event's phases. With {@link ClipLinks}, every event's details carry {@code clip}: the
 * link to its recording (see {@link ClipLinks} for the times). Thread safe: motion comes from the decoding thread, health from
 * the receive thread.
 */
final class EventMaker {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final String camera;
    private final ClipLinks clips;
    private final AtomicLong next = new AtomicLong(1);
    private final Map<Long, String> motionIds = new HashMap<>(); // tracker id -> event id (decoding thread)
    private final Map<Long, Long> motionStarts = new HashMap<>(); // tracker id -> the START's startMillis
    private final Map<String, String> healthIds = new HashMap<>(); // kind/pid/start -> event id (receive thread)

    EventMaker(String camera) {
        this(camera, null);
    }

    /** @param clips the playback server's links, or null for none */
    EventMaker(String camera, ClipLinks clips) {
        this.camera = camera;
        this.clips = clips;
    }

    private String newId(long startMillis) {
        return camera + "-" + STAMP.format(Instant.ofEpochMilli(startMillis)) + "-" + next.getAndIncrement();
    }

    /**
     * A motion event's message. Its boxes: first the largest box of the frame with the most motion, then the union of
     * every box of the event, as fractions of the picture.
     *
     * @param startMillis wall clock of its start PTS
     * @param endMillis   wall clock of its end PTS, or -1 while open
     */
    Event motion(MotionEvent m, Event.Phase phase, long startMillis, long endMillis) {
        return motion(m, phase, startMillis, endMillis, endMillis < 0 ? startMillis : endMillis, false);
    }

    /**
     * As {@link #motion(MotionEvent, Event.Phase, long, long)}, with the snapshot and the clip.
     *
     * @param seenMillis wall clock of the last frame with motion so far: where an open event's clip ends (plus the
     *                   post-roll)
     * @param snapshot   whether the event has a snapshot: {@link Event#snapshot()} is then its path
     *                   ({@link EventStore#snapshotPath})
     */
    Event motion(MotionEvent m, Event.Phase phase, long startMillis, long endMillis, long seenMillis,
            boolean snapshot) {
        String id;
        synchronized (motionIds) {
            id = phase == Event.Phase.END ? motionIds.remove(m.id()) : motionIds.get(m.id());
            Long started = phase == Event.Phase.END ? motionStarts.remove(m.id()) : motionStarts.get(m.id());
            if (started != null) {
                // every phase says the start its START said (the clock may have firmed up since), and its other times
                // are that start plus stream time, so that an event's wall-clock length is its PTS length
                startMillis = started;
                if (m.startPts() != Timestamps.NONE) {
                    if (endMillis >= 0 && m.endPts() != Timestamps.NONE) {
                        endMillis = started + Timestamps.ptsDiff(m.startPts(), m.endPts()) * 1000 / Timestamps.PTS_HZ;
                    }
                    if (m.lastMotionPts() != Timestamps.NONE) {
                        seenMillis = started
                                + Timestamps.ptsDiff(m.startPts(), m.lastMotionPts()) * 1000 / Timestamps.PTS_HZ;
                    }
                }
            }
            if (id == null) {
                id = newId(startMillis);
                if (phase != Event.Phase.END) {
                    motionIds.put(m.id(), id);
                    motionStarts.put(m.id(), startMillis);
                }
            }
        }
        List<Event.Region> boxes = new ArrayList<>();
        if (m.peakBox() != null) {
            boxes.add(region(m.peakBox(), m.width(), m.height()));
        }
        if (m.union() != null && m.union().x1() > m.union().x0()) {
            boxes.add(region(m.union(), m.width(), m.height()));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("peakPts", m.peakPts());
        details.put("motionFrames", m.motionFrames());
        details.put("width", m.width());
        details.put("height", m.height());
        if (clips != null) {
            details.put("clip", clips.clip(camera, startMillis, endMillis >= 0 ? endMillis : seenMillis));
        }
        String title = m.zones().isEmpty() ? "motion" : "motion in " + String.join(", ", m.zones());
        return new Event(id, camera, Event.Kind.MOTION, phase, title, List.copyOf(m.zones()), startMillis,
                endMillis, m.startPts(), m.endPts() == Timestamps.NONE ? -1 : m.endPts(), m.peakScore(), boxes,
                snapshot ? EventStore.snapshotPath(id) : null, details);
    }

    /**
     * A health event's message: START and END as they are; a one-off ({@link HealthEvent.Phase#ONCE}, a format
     * change) is one START that has its end already.
     */
    Event health(HealthEvent h) {
        String key = h.kind() + "/" + h.pid() + "/" + h.startNanos();
        String id;
        synchronized (healthIds) {
            id = h.phase() == HealthEvent.Phase.END ? healthIds.remove(key) : null;
            if (id == null) {
                id = newId(h.startMillis());
                if (h.phase() == HealthEvent.Phase.START) {
                    healthIds.put(key, id);
                }
            }
        }
        Event.Phase phase = h.phase() == HealthEvent.Phase.END ? Event.Phase.END : Event.Phase.START;
        long end = h.phase() == HealthEvent.Phase.START ? -1 : h.millis();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("problem", h.kind().name());
        details.put("count", h.count());
        if (h.hasPid()) {
            details.put("pid", h.pid());
        }
        if (clips != null && h.kind() != HealthEvent.Kind.FORMAT) { // the format on start is no moment to watch
            details.put("clip", clips.clip(camera, h.startMillis(), end >= 0 ? end : h.startMillis()));
        }
        if (h.after() != null && h.after().width() > 0) { // FORMAT and FORMAT_CHANGED: the format (now)
            details.put("codec", h.after().codec());
            details.put("width", h.after().width());
            details.put("height", h.after().height());
            details.put("fps", h.after().fps());
        }
        long pts = h.pts() == Timestamps.NONE ? -1 : h.pts();
        return new Event(id, camera, Event.Kind.HEALTH, phase, h.text(), List.of(), h.startMillis(), end,
                phase == Event.Phase.START ? pts : -1, phase == Event.Phase.END ? pts : -1, 0, List.of(), null,
                details);
    }

    static Event.Region region(Box b, int width, int height) {
        return new Event.Region((double) b.x0() / width, (double) b.y0() / height, (double) b.width() / width,
                (double) b.height() / height);
    }
}
