package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamtee.analyze.event.Event;
import io.streamtee.camera.PatternScript;
import io.streamtee.ts.Timestamps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * What was really in front of the camera, and the check that the motion events match it: one event per visit, each
 * starting within half a second of the visit and ending within a second plus the quiet gap after it, with the visitor
 * inside the event's box at the event's peak frame. All times are PTS, so a stream fed faster than real time is judged
 * exactly as a live one.
 */
final class Truth {
    static final long HALF_SECOND = Timestamps.PTS_HZ / 2;
    /** A box edge in the detector's 100 px high picture may be off by a pixel or so of it. */
    static final double SLACK = 0.02;

    /** The visitor's box at a PTS, as fractions of the picture {x0, y0, x1, y1}, or null when it is not there. */
    interface Where extends LongFunction<double[]> {
    }

    /**
     * One visit: PTS (90 kHz, unwrapped) of its first frame and of the first frame after it, and how many frames it
     * lasted.
     */
    record Visit(int number, long startPts, long endPts, long frames) {
        long framesPerSecond() {
            return frames * Timestamps.PTS_HZ / (endPts - startPts);
        }
    }

    /**
     * How one event matched its visit: delays in milliseconds of stream time (the end's beyond the gap), and the
     * frames with motion out of the visit's frames.
     */
    record Match(int visit, long startDelayMillis, long endDelayMillis, int motionFrames, long visitFrames) {
        @Override
        public String toString() {
            return "visit " + visit + ": start " + (startDelayMillis >= 0 ? "+" : "") + startDelayMillis
                    + " ms, end " + (endDelayMillis >= 0 ? "+" : "") + endDelayMillis + " ms, seen in "
                    + motionFrames + " of " + visitFrames + " frames";
        }
    }

    /** The share of a visit's frames that must show motion: the visitor is seen all along, not only here and there. */
    static final double SEEN = 0.9;

    private final List<Visit> visits;
    private final Where where;

    Truth(List<Visit> visits, Where where) {
        this.visits = List.copyOf(visits);
        this.where = where;
    }

    /** The visits a pattern camera painted in its first {@code frames} frames (only those that ended). */
    static Truth of(PatternScript script, long frames) {
        List<Visit> visits = new ArrayList<>();
        for (int k = 1; script.visitEnd(k) <= frames && script.visitStart(k) < frames; k++) {
            visits.add(new Visit(k, script.pts(script.visitStart(k)), script.pts(script.visitEnd(k)),
                    script.visitEnd(k) - script.visitStart(k)));
        }
        return new Truth(visits, pts -> script.visitorBox(script.frameAt(pts)).map(b -> new double[] {
            (double) b.x() / script.width(), (double) b.y() / script.height(), (double) b.x1() / script.width(),
            (double) b.y1() / script.height()}).orElse(null));
    }

    List<Visit> visits() {
        return visits;
    }

    /**
     * Holds the motion events (phases by id, as {@link Replay.Result#motion()} gives them) against the visits and
     * returns the delays; {@code label} names the run in messages and in the printed figures.
     */
    List<Match> check(String label, Map<String, List<Event>> motion, Duration gap) {
        long gapTicks = gap.toMillis() * Timestamps.PTS_HZ / 1000;
        assertThat(motion).as("%s: motion events (one per visit: %s)", label, visits).hasSize(visits.size());
        List<Match> matches = new ArrayList<>();
        int i = 0;
        for (List<Event> phases : motion.values()) {
            Visit visit = visits.get(i++);
            Event start = phases.getFirst();
            Event end = phases.getLast();
            assertThat(start.phase()).isEqualTo(Event.Phase.START);
            assertThat(end.phase()).isEqualTo(Event.Phase.END);
            long startOffset = Timestamps.ptsDiff(visit.startPts() % Timestamps.PTS_WRAP, start.startPts());
            long endOffset = Timestamps.ptsDiff(visit.endPts() % Timestamps.PTS_WRAP, end.endPts());
            // the wall clock follows the PTS (anchored at the first picture), live or replayed faster than real time
            long ptsMillis = Timestamps.ptsDiff(end.startPts(), end.endPts()) * 1000 / Timestamps.PTS_HZ;
            assertThat(end.endMillis() - end.startMillis()).as("%s: visit %d: wall duration", label, visit.number())
                    .isCloseTo(ptsMillis, within(2L));
            int motionFrames = ((Number) end.details().get("motionFrames")).intValue();
            Match m = new Match(visit.number(), startOffset * 1000 / Timestamps.PTS_HZ,
                    (endOffset - gapTicks) * 1000 / Timestamps.PTS_HZ, motionFrames, visit.frames());
            matches.add(m);
            System.out.println(label + ": " + m + " (end delay beyond the " + gap.toMillis() + " ms gap)");
            assertThat(Math.abs(startOffset)).as("%s: visit %d: START's offset", label, visit.number())
                    .isLessThanOrEqualTo(HALF_SECOND);
            assertThat(endOffset).as("%s: visit %d: END's offset", label, visit.number())
                    .isBetween(gapTicks - HALF_SECOND, gapTicks + 2 * HALF_SECOND);
            assertThat(motionFrames).as("%s: visit %d: frames with motion", label, visit.number())
                    .isGreaterThanOrEqualTo((int) Math.ceil(SEEN * visit.frames()))
                    .isLessThanOrEqualTo((int) (visit.frames() + visit.framesPerSecond())); // a ghost lasts < 1 s

            long peakPts = ((Number) end.details().get("peakPts")).longValue();
            long unwrapped = visit.startPts() + Timestamps.ptsDiff(visit.startPts() % Timestamps.PTS_WRAP, peakPts);
            double[] truth = where.apply(unwrapped);
            assertThat(truth).as("%s: visit %d: the visitor at the peak frame (pts %d)", label, visit.number(),
                    peakPts).isNotNull();
            Event.Region box = end.boxes().getFirst();
            String what = label + ": visit " + visit.number() + ": " + box + " vs the visitor at "
                    + java.util.Arrays.toString(truth);
            assertThat(box.x()).as("left of %s", what).isLessThanOrEqualTo(truth[0] + SLACK);
            assertThat(box.y()).as("top of %s", what).isLessThanOrEqualTo(truth[1] + SLACK);
            assertThat(box.x() + box.w()).as("right of %s", what).isGreaterThanOrEqualTo(truth[2] - SLACK);
            assertThat(box.y() + box.h()).as("bottom of %s", what).isGreaterThanOrEqualTo(truth[3] - SLACK);
            // and the box is the visitor's, not most of the picture
            assertThat(box.w()).as("width of %s", what).isLessThanOrEqualTo(truth[2] - truth[0] + 3 * SLACK);
            assertThat(box.h()).as("height of %s", what).isLessThanOrEqualTo(truth[3] - truth[1] + 3 * SLACK);
        }
        return matches;
    }
}
