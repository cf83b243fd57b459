package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.motion.Box;
import io.streamtee.analyze.motion.MotionEvent;
import io.streamtee.config.ConfigException;
import io.streamtee.ts.Timestamps;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClipLinksTest {
    private static final long T0 = 1_796_040_010_000L; // 2026-11-30T12:00:10Z

    @Test
    void aClipRunsFromFiveSecondsBeforeToFiveSecondsAfterInWholeSeconds() {
        ClipLinks links = ClipLinks.parse("--playback", "http://127.0.0.1:8081/");
        assertThat(links.clip("front door", T0 + 400, T0 + 12_300)).isEqualTo("http://127.0.0.1:8081/clip.mp4"
                + "?camera=front+door&from=2026-11-30T12:00:05Z&to=2026-11-30T12:00:28Z");
        assertThat(links.clip("porch", T0, T0)).endsWith("from=2026-11-30T12:00:05Z&to=2026-11-30T12:00:15Z");
    }

    @Test
    void badUrlsGiveOneLineNamingTheFlag() {
        assertThatThrownBy(() -> ClipLinks.parse("--playback", "127.0.0.1:8081")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--playback: expected the playback server's http:// URL");
        assertThatThrownBy(() -> ClipLinks.parse("--playback", "http://127.0.0.1:8081/?a=b"))
                .hasMessageStartingWith("--playback: the playback URL takes no ?query");
        assertThatThrownBy(() -> ClipLinks.parse("--playback", "http://a b")).hasMessageStartingWith("--playback:");
    }

    @Test
    void anOpenEventsLinkEndsAfterItsLastMotionAndTheEndsAfterItsEnd() {
        EventMaker maker = new EventMaker("porch", ClipLinks.parse("--playback", "http://127.0.0.1:8081"));
        MotionEvent open = new MotionEvent(1, 90_000, Timestamps.NONE, 180_000, 0.05, 7, 135_000,
                new Box(10, 20, 30, 60, 800), new Box(0, 20, 89, 60, 2000), Set.of(), 12, 178, 100);
        Event start = maker.motion(open, Event.Phase.START, T0, -1, T0 + 1000, true);
        assertThat(start.details().get("clip")).isEqualTo("http://127.0.0.1:8081/clip.mp4?camera=porch"
                + "&from=2026-11-30T12:00:05Z&to=2026-11-30T12:00:16Z");
        assertThat(start.snapshot()).isEqualTo("/api/events/" + start.id() + "/snapshot.jpg");
        Event end = maker.motion(open, Event.Phase.END, T0, T0 + 20_000, T0 + 18_000, true);
        assertThat(end.details().get("clip")).isEqualTo("http://127.0.0.1:8081/clip.mp4?camera=porch"
                + "&from=2026-11-30T12:00:05Z&to=2026-11-30T12:00:35Z");
        Event none = new EventMaker("porch").motion(open, Event.Phase.START, T0, -1, T0, false);
        assertThat(none.details()).doesNotContainKey("clip");
        assertThat(none.snapshot()).isNull();
    }
}
