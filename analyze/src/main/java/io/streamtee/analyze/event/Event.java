package io.streamtee.analyze.event;

import java.util.List;
import java.util.Map;

/**
 * Something the analyzer saw, as sinks receive it: one message per phase of an event (it starts, it changes, it
 * ends), all with the event's id. Immutable.
 *
 * @param id          the event's id, the same in every phase (e.g. {@code frontdoor-20261130T120010Z-3})
 * @param camera      the camera's name
 * @param kind        motion, or the stream's health
 * @param phase       which message this is
 * @param title       one line a person reads ("motion in porch", "stream lost", "stream back after 12 s")
 * @param zones       the named zones the event touched, in the order first touched; empty for none
 * @param startMillis wall clock of the event's start (epoch millis)
 * @param endMillis   wall clock of its end, or -1 while it goes on
 * @param startPts    stream time of the start (90 kHz), or -1 when not known
 * @param endPts      stream time of the end, or -1
 * @param peakScore   the largest score so far: for motion the changed share of the picture, 0..1; 0 for health
 * @param boxes       where in the picture, as fractions of its width and height; empty for health
 * @param snapshot    the path of the snapshot JPEG on the analyzer's web server, or null when there is none
 * @param details     anything else a sink may show (counts, PIDs, sizes), names in camelCase
 */
public record Event(String id, String camera, Kind kind, Phase phase, String title, List<String> zones,
        long startMillis, long endMillis, long startPts, long endPts, double peakScore, List<Region> boxes,
        String snapshot, Map<String, Object> details) {

    public Event {
        zones = List.copyOf(zones);
        boxes = List.copyOf(boxes);
        details = Map.copyOf(details);
    }

    /** What an event is about. */
    public enum Kind {
        MOTION, HEALTH
    }

    /** Which message of an event this is. */
    public enum Phase {
        START, UPDATE, END
    }

    /**
     * A rectangle in the picture as fractions of its width and height: (0, 0) is the top left corner.
     *
     * @param x left edge, 0..1
     * @param y top edge, 0..1
     * @param w width, 0..1
     * @param h height, 0..1
     */
    public record Region(double x, double y, double w, double h) {
    }
}
