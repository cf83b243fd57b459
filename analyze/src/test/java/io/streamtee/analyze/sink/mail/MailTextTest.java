package io.streamtee.analyze.sink.mail;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.analyze.event.Event;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MailTextTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** 2026-11-30 12:00:10.250 in Berlin (CET, +01:00). */
    static final long START = ZonedDateTime.of(2026, 11, 30, 12, 0, 10, 250_000_000, BERLIN).toInstant()
            .toEpochMilli();

    static Event motion(Event.Phase phase, long endMillis, Map<String, Object> details) {
        return new Event("frontdoor-20261130T110010Z-3", "frontdoor", Event.Kind.MOTION, phase, "motion in porch",
                List.of("porch", "drive"), START, endMillis, 90_000, endMillis < 0 ? -1 : 90_000 * 43, 0.374,
                List.of(new Event.Region(0.1, 0.2, 0.3, 0.4)), "/api/events/frontdoor-20261130T110010Z-3/snapshot.jpg",
                details);
    }

    static Event health(Event.Phase phase, long endMillis) {
        return new Event("frontdoor-20261130T110010Z-4", "frontdoor", Event.Kind.HEALTH, phase, "stream lost",
                List.of(), START, endMillis, -1, -1, 0, List.of(), null, Map.of());
    }

    private final MailText text = new MailText(BERLIN);

    @Test
    void subjectSaysTheCameraTheTitleAndTheLocalStartTime() {
        assertThat(text.subject(motion(Event.Phase.START, -1, Map.of())))
                .isEqualTo("[streamtee] frontdoor: motion in porch (12:00:10)");
        assertThat(text.subject(health(Event.Phase.START, -1)))
                .isEqualTo("[streamtee] frontdoor: stream lost (12:00:10)");
        assertThat(new MailText(ZoneId.of("UTC")).subject(health(Event.Phase.START, -1)))
                .isEqualTo("[streamtee] frontdoor: stream lost (11:00:10)");
    }

    @Test
    void anEndSaysEndedAndHowLong() {
        assertThat(text.subject(motion(Event.Phase.END, START + 42_000, Map.of())))
                .isEqualTo("[streamtee] frontdoor: motion in porch (12:00:10, ended after 42s)");
        assertThat(text.subject(health(Event.Phase.END, START + 185_000)))
                .isEqualTo("[streamtee] frontdoor: stream lost (12:00:10, ended after 3m 5s)");
        assertThat(text.subject(health(Event.Phase.END, -1)))
                .isEqualTo("[streamtee] frontdoor: stream lost (12:00:10, ended)");
    }

    @Test
    void theSubjectIsOneLineWhateverTheTitle() {
        Event e = new Event("x", "cam\r\nBcc: evil@example.org", Event.Kind.MOTION, Event.Phase.START,
                "motion\nin porch", List.of(), START, -1, -1, -1, 0.5, List.of(), null, Map.of());
        assertThat(text.subject(e)).doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void theBodySaysWhatWhenHowLongWhereHowMuchAndWhichEvent() {
        String body = text.body(motion(Event.Phase.END, START + 42_000,
                Map.of("clip", "https://nvr.lan/clips/frontdoor-3.mp4")), true);
        assertThat(body).startsWith("motion in porch (ended)\n\n");
        assertThat(body).contains("Camera:     frontdoor\n");
        assertThat(body).contains("Kind:       motion\n");
        assertThat(body).contains("Started:    Mon 2026-11-30 12:00:10 CET (+01:00)\n");
        assertThat(body).contains("Ended:      Mon 2026-11-30 12:00:52 CET (+01:00)\n");
        assertThat(body).contains("Duration:   42s\n");
        assertThat(body).contains("Zones:      porch, drive\n");
        assertThat(body).contains("Peak:       37.4 % of the picture changed\n");
        assertThat(body).contains("Clip:       https://nvr.lan/clips/frontdoor-3.mp4\n");
        assertThat(body).contains("Snapshot:   attached (snapshot.jpg)\n");
        assertThat(body).contains("Event:      frontdoor-20261130T110010Z-3 (end)\n");
    }

    @Test
    void aStartSaysItGoesOnAndLeavesOutWhatItDoesNotHave() {
        String body = text.body(health(Event.Phase.START, -1), false);
        assertThat(body).startsWith("stream lost\n\n");
        assertThat(body).contains("Kind:       stream health\n");
        assertThat(body).contains("Ongoing:    yes (another mail follows when it ends)\n");
        assertThat(body).doesNotContain("Ended:").doesNotContain("Duration:").doesNotContain("Zones:")
                .doesNotContain("Peak:").doesNotContain("Clip:").doesNotContain("Snapshot:");
        assertThat(body).contains("Event:      frontdoor-20261130T110010Z-4 (start)\n");
    }

    @Test
    void percentHasOneDecimal() {
        assertThat(MailText.percent(0.374)).isEqualTo("37.4 %");
        assertThat(MailText.percent(1)).isEqualTo("100.0 %");
        assertThat(MailText.percent(0)).isEqualTo("0.0 %");
    }
}
