package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The truth a pattern camera reports: visits and lighting changes with frame, PTS and wall clock. */
class TimelineTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    private static CameraConfig.Pattern pattern(int fps) {
        return CameraConfig.Pattern.DEFAULT.withSize(320, 240).withFps(fps);
    }

    /** Paints frames 0 .. {@code frames - 1}, frame n at T0 + n / fps, as the camera does. */
    private static Timeline run(CameraConfig.Pattern pattern, long frames) {
        Timeline timeline = new Timeline(new PatternScript(pattern));
        for (long n = 0; n < frames; n++) {
            timeline.painted(n, T0.plusNanos(n * 1_000_000_000L / pattern.fps()));
        }
        return timeline;
    }

    private static Instant at(long millis) {
        return T0.plusMillis(millis);
    }

    @Test
    void visitsStartAndEndAsVisitorEveryAndVisitorForSay() {
        CameraConfig.Pattern p = pattern(10).withVisitor(Duration.ofSeconds(2), Duration.ofMillis(500));
        assertThat(run(p, 70).visits()).containsExactly(
                new Visit(1, 20, 25, 18_000 + 180_000, 18_000 + 225_000, at(2000), at(2500)),
                new Visit(2, 40, 45, 18_000 + 360_000, 18_000 + 405_000, at(4000), at(4500)),
                new Visit(3, 60, 65, 18_000 + 540_000, 18_000 + 585_000, at(6000), at(6500)));
        List<Visit> cut = run(p, 63).visits();
        assertThat(cut).hasSize(3);
        assertThat(cut.get(2)).isEqualTo(new Visit(3, 60, 65, 558_000, 603_000, at(6000), null));
        assertThat(cut.get(2).ended()).isFalse();
        assertThat(run(p, 20).visits()).isEmpty();
        assertThat(run(pattern(10).withVisitor(Duration.ZERO, Duration.ZERO), 100).visits()).isEmpty();
    }

    @Test
    void lightingChangesAreRecordedWhenPainted() {
        // a step of +30 every second, night every 3 s for 1 s
        CameraConfig.Pattern p = pattern(10).withVisitor(Duration.ZERO, Duration.ZERO).withLights(
                new CameraConfig.Lights(Duration.ofSeconds(1), 30, Duration.ofSeconds(3), Duration.ofSeconds(1)));
        Lighting day = Lighting.DAY;
        Lighting up = new Lighting(30, false);
        assertThat(run(p, 65).lightChanges()).containsExactly(
                new LightChange(10, 108_000, at(1000), day, up),
                new LightChange(20, 198_000, at(2000), up, day),
                new LightChange(30, 288_000, at(3000), day, new Lighting(30, true)),
                new LightChange(40, 378_000, at(4000), new Lighting(30, true), day),
                new LightChange(50, 468_000, at(5000), day, up),
                new LightChange(60, 558_000, at(6000), up, new Lighting(0, true)));
        assertThat(Timeline.describe(up, new Lighting(0, true))).isEqualTo("lights down 30 and night mode on");
        assertThat(Timeline.describe(day, up)).isEqualTo("lights up 30");
    }

    @Test
    void eachEventIsOneLogLine() {
        Logger logger = (Logger) LoggerFactory.getLogger(Camera.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            CameraConfig.Pattern p = pattern(30).withVisitor(Duration.ofSeconds(10), Duration.ofSeconds(4))
                    .withLights(new CameraConfig.Lights(Duration.ofSeconds(20), 60, Duration.ZERO, Duration.ZERO));
            run(p, 30 * 20 + 1);
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "visitor 1 in at 12:00:10.000 UTC (frame 300, pts 918000), box 3x19+0+111",
                "visitor 1 out at 12:00:14.000 UTC (frame 420, pts 1278000)",
                "visitor 2 in at 12:00:20.000 UTC (frame 600, pts 1818000), box 3x19+0+111",
                "lights up 60 at 12:00:20.000 UTC (frame 600, pts 1818000): day +60");
    }

    @Test
    void framesAndPtsMatchWhatTheStreamCarries() {
        for (int fps : new int[] {30, 7}) {
            CameraConfig.Pattern p = pattern(fps).withSize(160, 120).withBitrate(200_000).withNoise(0);
            PatternScript script = new PatternScript(p);
            ByteArrayOutputStream ts = new ByteArrayOutputStream();
            try (PatternEncoder encoder = new PatternEncoder(p, ts::write)) {
                for (int n = 0; n < 12; n++) {
                    encoder.encode(T0);
                }
                encoder.finish();
            }
            List<Long> pts = StreamCheck.of(ts.toByteArray()).videoPts;
            assertThat(pts).as("%d fps", fps).hasSize(12);
            for (int n = 0; n < 12; n++) {
                assertThat(pts.get(n)).as("frame %d at %d fps", n, fps).isEqualTo(script.pts(n));
                assertThat(script.frameAt(pts.get(n))).isEqualTo(n);
                assertThat(script.frameAt(pts.get(n) + 1)).isEqualTo(n);
                assertThat(script.frameAt(pts.get(n) - 1)).isEqualTo(Math.max(0, n - 1));
            }
        }
    }
}
