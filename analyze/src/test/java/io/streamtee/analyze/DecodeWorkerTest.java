package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.motion.MotionDetector;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.Zones;
import io.streamtee.ts.AccessUnit;
import io.streamtee.ts.Pmt;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The decoding queue's overload rule: when it is full, everything up to the next keyframe is dropped. */
class DecodeWorkerTest {

    private static AccessUnit unit(long n, boolean keyframe) {
        return AccessUnit.of(Pmt.STREAM_TYPE_H264, new byte[] {0, 0, 0, 1, 0x09, (byte) n}, n * 3600, n * 3600,
                keyframe);
    }

    private static DecodeWorker worker(List<Event> out) {
        MotionSettings settings = MotionSettings.defaults();
        return new DecodeWorker("cam", settings, new MotionDetector(settings), Zones.none(), new EventMaker("cam"),
                out::add);
    }

    @Test
    void aFullQueueDropsUpToTheNextKeyframeAndTakesThatOneOnceThereIsRoom() {
        List<Event> out = new CopyOnWriteArrayList<>();
        try (DecodeWorker w = worker(out)) {
            long n = 0;
            w.offer(unit(n++, true), 0);
            for (int i = 1; i < DecodeWorker.QUEUE; i++) {
                w.offer(unit(n++, false), 0);
            }
            assertThat(w.waiting()).isEqualTo(DecodeWorker.QUEUE);
            assertThat(w.skipped()).isZero();

            w.offer(unit(n++, false), 0); // no room: skipping starts
            w.offer(unit(n++, true), 0); // a keyframe, still no room
            assertThat(w.skipped()).isEqualTo(2);

            w.start(); // the decoder empties the queue (these bytes are no picture: no frames)
            await().atMost(Duration.ofSeconds(10)).until(() -> w.waiting() == 0);
            w.offer(unit(n++, false), 0); // room now, but not a keyframe: still skipped
            assertThat(w.skipped()).isEqualTo(3);
            assertThat(w.waiting()).isZero();
            w.offer(unit(n++, true), 0); // the next keyframe is taken, and what follows it
            w.offer(unit(n++, false), 0);
            assertThat(w.skipped()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> w.waiting() == 0);
        }
        assertThat(out).isEmpty();
    }
}
