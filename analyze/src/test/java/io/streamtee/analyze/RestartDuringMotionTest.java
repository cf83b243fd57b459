package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.motion.MotionDetector;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.Zones;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.PatternClip;
import io.streamtee.testing.Figures;
import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.TsDemux;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A camera that restarts while a visitor is in view: the open motion event ends then, timed by the clock it started
 * with, instead of staying open until the restarted camera's PTS passes the old ones (as long as the camera had been
 * up) and ending with times hours off.
 */
class RestartDuringMotionTest {
    private static final int FPS = 15;
    private static final long FRAME_MILLIS = 1000 / FPS;
    private static final long T0 = 1_796_000_000_000L;

    @Test
    void anEventOpenWhenTheCameraRestartsEndsByTheOldClock() throws Exception {
        CameraConfig.Pattern base = CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(FPS).withBitrate(300_000);
        Instant start = Instant.parse("2026-11-30T12:00:00Z");
        // up for 15 s, the visitor walking in at 12 s and still in view when the camera stops; then restarted (its
        // PTS from the start again, 15 s back), 6 s without a visitor
        ByteArrayOutputStream ts = new ByteArrayOutputStream();
        PatternClip.write(base.withVisitor(Duration.ofSeconds(12), Duration.ofSeconds(8)), Duration.ofSeconds(15),
                start, ts);
        PatternClip.write(base.withVisitor(Duration.ofSeconds(60), Duration.ofSeconds(1)), Duration.ofSeconds(6),
                start, ts);

        List<Event> events = new CopyOnWriteArrayList<>();
        MotionSettings settings = MotionSettings.defaults();
        DecodeWorker worker = new DecodeWorker("cam", settings, new MotionDetector(settings,
                List.of(MotionTruthTest.CLOCK_MASK)), Zones.none(), new EventMaker("cam"), events::add).start();
        long[] arrived = {0};
        try (worker) {
            // each access unit arrives one frame after the one before, whatever its PTS: the wall clock goes on
            AccessUnitAssembler assembler = new AccessUnitAssembler(au -> {
                try {
                    worker.put(au, T0 + arrived[0]++ * FRAME_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            TsDemux demux = new TsDemux(assembler);
            byte[] bytes = ts.toByteArray();
            for (int off = 0; off < bytes.length; off += 1316) {
                demux.feed(bytes, off, Math.min(1316, bytes.length - off));
            }
            demux.flush();
            assembler.flush();
        }

        List<Event> motion = events.stream().filter(e -> e.kind() == Event.Kind.MOTION).toList();
        assertThat(motion).as("%s", motion).isNotEmpty();
        Event first = motion.getFirst();
        Event end = motion.stream().filter(e -> e.phase() == Event.Phase.END).findFirst().orElseThrow();
        assertThat(first.phase()).isEqualTo(Event.Phase.START);
        assertThat(end.id()).isEqualTo(first.id());
        // started about 12 s in, ended at the restart (15 s) plus at most the gap, by the clock it started with
        assertThat(first.startMillis() - T0).isBetween(11_500L, 13_000L);
        assertThat(end.startMillis()).isEqualTo(first.startMillis());
        assertThat(end.endMillis() - T0).isBetween(14_000L, 17_500L);
        // and it ended when the restarted camera's first picture came, not when the stream ended
        int endAt = events.indexOf(end);
        long ended = motion.stream().filter(e -> e.phase() == Event.Phase.END).count();
        assertThat(ended).isEqualTo(1);
        assertThat(endAt).isLessThan(events.size());
        Figures.of("fault.serve.camera-restart-during-motion").put("events_ended", ended)
                .put("end_after_restart_ms", end.endMillis() - T0 - 15_000)
                .record(getClass(), "anEventOpenWhenTheCameraRestartsEndsByTheOldClock");
    }
}
