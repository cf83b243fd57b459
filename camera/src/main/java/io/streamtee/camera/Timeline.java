package io.streamtee.camera;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a pattern camera has shown so far: each visit of the visitor and each lighting change, with its frame, PTS
 * and the wall clock burned into that frame. The camera reports each painted frame with {@link #painted}; the
 * timeline logs one line per event ({@code visitor 1 in at 12:00:10.000 UTC (frame 300, pts 909000)}) and keeps
 * them for in-process tests. Thread safe: the encoding thread writes, anyone reads snapshots.
 */
public final class Timeline {

    private static final Logger LOG = LoggerFactory.getLogger(Camera.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final PatternScript script;
    private final List<Visit> visits = new ArrayList<>();
    private final List<LightChange> lightChanges = new ArrayList<>();
    private int visit;
    private Lighting lighting = Lighting.DAY;

    /** The timeline of a camera painting {@code script}; null for a camera that paints nothing (a clip). */
    Timeline(PatternScript script) {
        this.script = script;
    }

    /** The script the frames follow (where the visitor is at each frame, the lighting), or empty for a clip camera. */
    public Optional<PatternScript> script() {
        return Optional.ofNullable(script);
    }

    /** The visits so far, oldest first; the last one may still go on ({@link Visit#ended()} false). */
    public synchronized List<Visit> visits() {
        return List.copyOf(visits);
    }

    /** The lighting changes so far, oldest first. */
    public synchronized List<LightChange> lightChanges() {
        return List.copyOf(lightChanges);
    }

    /** Records that frame {@code frame} (0, 1, 2, ... in order) was painted with wall clock {@code at}. */
    synchronized void painted(long frame, Instant at) {
        if (script == null) {
            return;
        }
        int now = script.visitNumber(frame);
        long pts = script.pts(frame);
        if (visit != 0 && now != visit) {
            Visit last = visits.removeLast();
            visits.add(new Visit(last.number(), last.startFrame(), last.endFrame(), last.startPts(), last.endPts(),
                    last.start(), at));
            LOG.info("visitor {} out at {} (frame {}, pts {})", visit, TIME.format(at) + " UTC", frame, pts);
        }
        if (now != 0 && now != visit) {
            long end = script.visitEnd(now);
            visits.add(new Visit(now, frame, end, pts, script.pts(end), at, null));
            LOG.info("visitor {} in at {} (frame {}, pts {}), box {}", now, TIME.format(at) + " UTC", frame, pts,
                    script.visitorBox(frame).map(Box::toString).orElse("-"));
        }
        visit = now;
        Lighting lit = script.lighting(frame);
        if (!lit.equals(lighting)) {
            lightChanges.add(new LightChange(frame, pts, at, lighting, lit));
            LOG.info("{} at {} (frame {}, pts {}): {}", describe(lighting, lit), TIME.format(at) + " UTC", frame,
                    pts, lit);
            lighting = lit;
        }
    }

    /** {@code lights up 40}, {@code night mode on}, {@code lights down 40 and night mode off}. */
    static String describe(Lighting from, Lighting to) {
        List<String> parts = new ArrayList<>();
        int delta = to.offset() - from.offset();
        if (delta != 0) {
            parts.add("lights " + (delta > 0 ? "up " : "down ") + Math.abs(delta));
        }
        if (to.night() != from.night()) {
            parts.add("night mode " + (to.night() ? "on" : "off"));
        }
        return String.join(" and ", parts);
    }
}
