package io.streamtee.analyze.sink.mail;

import io.streamtee.analyze.event.Event;
import io.streamtee.config.Units;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The subject and body of the mail for one event, as a person reads them: plain text, no markup. Pure: the same event
 * and zone always give the same text.
 *
 * <pre>
 * Subject: [streamtee] frontdoor: motion in porch (12:00:10)
 * Subject: [streamtee] frontdoor: motion in porch (12:00:10, ended after 42s)
 * </pre>
 */
public final class MailText {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter WALL =
            DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm:ss z (xxx)", Locale.ENGLISH);

    private final ZoneId zone;

    /** @param zone the zone the times are shown in */
    public MailText(ZoneId zone) {
        this.zone = zone;
    }

    /**
     * {@code [streamtee] CAMERA: TITLE (hh:mm:ss)} with the local time of the start; an END adds {@code ended after}
     * the duration. One line: control characters in the camera or title become spaces.
     */
    public String subject(Event e) {
        StringBuilder b = new StringBuilder("[streamtee] ").append(e.camera()).append(": ").append(e.title())
                .append(" (").append(CLOCK.format(Instant.ofEpochMilli(e.startMillis()).atZone(zone)));
        if (e.phase() == Event.Phase.END) {
            b.append(", ended");
            Duration d = duration(e);
            if (d != null) {
                b.append(" after ").append(Units.formatElapsed(d));
            }
        }
        return oneLine(b.append(')').toString());
    }

    /**
     * What happened, when (wall clock with zone), how long, the zones, the peak score as a percentage, the clip link
     * when {@code details.clip} has one, whether a snapshot is attached, and the event id.
     *
     * @param snapshotAttached whether the mail carries {@code snapshot.jpg}
     */
    public String body(Event e, boolean snapshotAttached) {
        StringBuilder b = new StringBuilder();
        b.append(e.title()).append(e.phase() == Event.Phase.END ? " (ended)" : "").append("\n\n");
        line(b, "Camera", e.camera());
        line(b, "Kind", e.kind() == Event.Kind.MOTION ? "motion" : "stream health");
        line(b, "Started", wall(e.startMillis()));
        Duration d = duration(e);
        if (e.phase() == Event.Phase.END) {
            line(b, "Ended", e.endMillis() < 0 ? "(not known)" : wall(e.endMillis()));
            line(b, "Duration", d == null ? "(not known)" : Units.formatElapsed(d));
        } else {
            line(b, "Ongoing", e.phase() == Event.Phase.START ? "yes (another mail follows when it ends)"
                    : "yes");
        }
        if (!e.zones().isEmpty()) {
            line(b, "Zones", String.join(", ", e.zones()));
        }
        if (e.kind() == Event.Kind.MOTION) {
            line(b, "Peak", percent(e.peakScore()) + " of the picture changed");
        }
        Object clip = e.details().get("clip");
        if (clip != null && !clip.toString().isBlank()) {
            line(b, "Clip", clip.toString());
        }
        if (snapshotAttached) {
            line(b, "Snapshot", "attached (snapshot.jpg)");
        }
        line(b, "Event", e.id() + " (" + e.phase().name().toLowerCase(Locale.ROOT) + ")");
        b.append("\n-- \nstreamtee analyzer\n");
        return b.toString();
    }

    /** {@code 37.4 %}: a score of 0..1 as a percentage with one decimal. */
    static String percent(double score) {
        return String.format(Locale.ROOT, "%.1f %%", score * 100);
    }

    private String wall(long millis) {
        return WALL.format(Instant.ofEpochMilli(millis).atZone(zone));
    }

    private static Duration duration(Event e) {
        return e.endMillis() < 0 || e.endMillis() < e.startMillis() ? null
                : Duration.ofMillis(e.endMillis() - e.startMillis());
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(String.format(Locale.ROOT, "%-12s", label + ":")).append(oneLine(value)).append('\n');
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\p{Cntrl}", " ");
    }
}
