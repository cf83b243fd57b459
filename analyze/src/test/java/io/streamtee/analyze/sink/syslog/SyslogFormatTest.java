package io.streamtee.analyze.sink.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.analyze.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyslogFormatTest {
    private static final long NOW = 1_790_000_500_250L;
    private final SyslogFormat local0 = new SyslogFormat(SyslogFormat.facility("local0"), "cam-host", "42",
            () -> NOW);

    static Event event(String id, String camera, Event.Kind kind, Event.Phase phase, String title,
            List<String> zones) {
        return new Event(id, camera, kind, phase, title, zones, 1_790_000_000_001L,
                phase == Event.Phase.END ? 1_790_000_012_345L : -1, 0, -1, 0.2, List.of(), null, Map.of());
    }

    @Test
    void aMotionStartIsThisExactMessage() {
        byte[] msg = local0.format(event("porch-1", "porch", Event.Kind.MOTION, Event.Phase.START, "motion in porch",
                List.of("door", "path")));

        assertThat(new String(msg, StandardCharsets.UTF_8)).isEqualTo("<133>1 2026-09-21T14:13:20.001Z cam-host "
                + "streamtee 42 motion [streamtee@32473 id=\"porch-1\" camera=\"porch\" phase=\"start\" "
                + "zones=\"door,path\"] motion in porch");
    }

    @Test
    void severityFollowsKindAndPhaseAndTheTimestampThePhase() {
        SyslogFormat daemon = new SyslogFormat(SyslogFormat.facility("daemon"), "h", "1", () -> NOW);
        Rfc5424 healthStart = Rfc5424.parse(daemon.format(event("c-1", "c", Event.Kind.HEALTH, Event.Phase.START,
                "stream lost", List.of())));
        Rfc5424 healthEnd = Rfc5424.parse(daemon.format(event("c-1", "c", Event.Kind.HEALTH, Event.Phase.END,
                "stream back after 12 s", List.of())));
        Rfc5424 motionUpdate = Rfc5424.parse(daemon.format(event("c-2", "c", Event.Kind.MOTION, Event.Phase.UPDATE,
                "motion in yard", List.of("yard"))));
        Rfc5424 motionEnd = Rfc5424.parse(daemon.format(event("c-2", "c", Event.Kind.MOTION, Event.Phase.END,
                "motion in yard ended", List.of("yard"))));

        assertThat(healthStart.pri()).as("daemon (3) warning (4)").isEqualTo(3 * 8 + 4);
        assertThat(healthStart.msgId()).isEqualTo("health");
        assertThat(healthStart.timestamp()).isEqualTo("2026-09-21T14:13:20.001Z");
        assertThat(healthEnd.pri()).as("daemon info").isEqualTo(3 * 8 + 6);
        assertThat(healthEnd.timestamp()).as("the end's time").isEqualTo("2026-09-21T14:13:32.345Z");
        assertThat(motionUpdate.pri()).as("daemon notice").isEqualTo(3 * 8 + 5);
        assertThat(motionUpdate.params()).containsEntry("phase", "update");
        assertThat(motionUpdate.timestamp()).as("the clock's time").isEqualTo("2026-09-21T14:21:40.250Z");
        assertThat(motionEnd.pri()).as("daemon info").isEqualTo(3 * 8 + 6);
        assertThat(motionEnd.params()).containsEntry("zones", "yard").containsEntry("phase", "end");
    }

    @Test
    void quoteBackslashAndBracketAreEscapedInStructuredDataAndReadBackWhole() {
        String camera = "gar\"age\\2]x";
        byte[] msg = local0.format(event("id]\"\\", camera, Event.Kind.MOTION, Event.Phase.START, "a \"title\" ] \\",
                List.of("a]b", "c\"d")));

        assertThat(new String(msg, StandardCharsets.UTF_8))
                .contains("camera=\"gar\\\"age\\\\2\\]x\"")
                .contains("zones=\"a\\]b,c\\\"d\"");
        Rfc5424 back = Rfc5424.parse(msg);
        assertThat(back.params()).containsExactly(Map.entry("id", "id]\"\\"), Map.entry("camera", camera),
                Map.entry("phase", "start"), Map.entry("zones", "a]b,c\"d"));
        assertThat(back.msg()).as("MSG is not escaped").isEqualTo("a \"title\" ] \\");
        assertThat(SyslogFormat.escape("plain")).isEqualTo("plain");
    }

    @Test
    void aNonAsciiTitleIsMarkedUtf8AndLineBreaksBecomeSpaces() {
        Rfc5424 utf8 = Rfc5424.parse(local0.format(event("k-1", "küche", Event.Kind.MOTION, Event.Phase.START,
                "Bewegung in der Küche", List.of("tür"))));
        Rfc5424 twoLines = Rfc5424.parse(local0.format(event("k-2", "k", Event.Kind.MOTION, Event.Phase.START,
                "one\ntwo\r\nthree", List.of())));

        assertThat(utf8.bom()).isTrue();
        assertThat(utf8.msg()).isEqualTo("Bewegung in der Küche");
        assertThat(utf8.params()).containsEntry("camera", "küche").containsEntry("zones", "tür");
        assertThat(twoLines.bom()).isFalse();
        assertThat(twoLines.msg()).isEqualTo("one two  three");
        assertThat(twoLines.params()).containsEntry("zones", "");
    }

    @Test
    void headerFieldsAreNilOrPrintableAscii() {
        SyslogFormat odd = new SyslogFormat(0, "my host", null, () -> NOW);
        Rfc5424 m = Rfc5424.parse(odd.format(event("x", "x", Event.Kind.HEALTH, Event.Phase.START, "", List.of())));

        assertThat(m.pri()).as("kern warning").isEqualTo(4);
        assertThat(m.hostname()).isEqualTo("my_host");
        assertThat(m.procId()).isEqualTo("-");
        assertThat(m.msg()).isEmpty();
    }

    @Test
    void facilitiesByName() {
        assertThat(SyslogFormat.facility("daemon")).isEqualTo(3);
        assertThat(SyslogFormat.facility("LOCAL0")).isEqualTo(16);
        assertThat(SyslogFormat.facility("local7")).isEqualTo(23);
        assertThat(SyslogFormat.facility("local8")).isEqualTo(-1);
        assertThat(SyslogFormat.facility(null)).isEqualTo(-1);
    }
}
