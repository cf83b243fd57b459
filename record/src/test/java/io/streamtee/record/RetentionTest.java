package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by age and by total size, on an index and files made by the test, with a clock the test moves. */
class RetentionTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    @TempDir
    Path dir;

    /** A clock the test can move. */
    static final class MovableClock extends Clock {
        volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Makes a closed segment that ended at {@code end}, {@code bytes} long as far as the index knows. */
    private void segment(Instant end, long bytes) throws Exception {
        Path cam = dir.resolve("camera");
        Files.createDirectories(cam);
        long endMillis = end.toEpochMilli();
        String rel = java.time.LocalDateTime.ofInstant(end.minusSeconds(10), ZoneOffset.UTC)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy/MM/dd/HH-mm-ss")) + ".ts";
        Path file = cam.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[188]);
        try (SegmentIndex index = SegmentIndex.open(cam.resolve("index.db"))) {
            Segment s = new Segment(endMillis - 10_000, TestStream.PTS_START);
            s.endWallMillis = endMillis;
            s.endPts = TestStream.PTS_START + 900_000;
            s.bytes = bytes;
            index.closed(rel, s, false);
        }
    }

    private Recorder recorder(RecorderConfig config, Clock clock, Duration every) {
        return new Recorder(config, clock, SegmentStore.FILES, every).start();
    }

    @Test
    void segmentsOlderThanKeepAreDeletedWithTheirEmptyDirectories() throws Exception {
        segment(NOW.minus(Duration.ofDays(8)), 1000);
        segment(NOW.minus(Duration.ofDays(7)).minusSeconds(60), 1000);
        segment(NOW.minus(Duration.ofDays(6)), 1000);
        segment(NOW.minus(Duration.ofHours(1)), 1000);
        Path cam = dir.resolve("camera");
        try (Recorder recorder = recorder(Recordings.config(dir).withKeep(Duration.ofDays(7)),
                Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(1))) {
            assertThat(recorder.stats().retentionDeletions()).isEqualTo(2);
        }
        assertThat(Recordings.rows(cam)).extracting(SegmentIndex.Row::endMillis).containsExactly(
                NOW.minus(Duration.ofDays(6)).toEpochMilli(), NOW.minus(Duration.ofHours(1)).toEpochMilli());
        assertThat(Recordings.files(cam)).hasSize(2);
        assertThat(cam.resolve("2026/11/16")).doesNotExist(); // the 8-day-old segment's day
    }

    @Test
    void theOldestSegmentsGoWhileAllTakeMoreThanMaxSize() throws Exception {
        for (int i = 5; i >= 1; i--) {
            segment(NOW.minus(Duration.ofMinutes(i)), 1_000_000);
        }
        Path cam = dir.resolve("camera");
        try (Recorder recorder = recorder(Recordings.config(dir).withMaxBytes(3_000_000),
                Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(1))) {
            assertThat(recorder.stats().retentionDeletions()).isEqualTo(2);
        }
        assertThat(Recordings.rows(cam)).extracting(SegmentIndex.Row::endMillis).containsExactly(
                NOW.minus(Duration.ofMinutes(3)).toEpochMilli(), NOW.minus(Duration.ofMinutes(2)).toEpochMilli(),
                NOW.minus(Duration.ofMinutes(1)).toEpochMilli());
    }

    @Test
    void whicheverLimitComesFirstAndPeriodicallyWhileRecording() throws Exception {
        segment(NOW.minus(Duration.ofHours(3)), 1_000_000);
        segment(NOW.minus(Duration.ofHours(2)), 1_000_000);
        segment(NOW.minus(Duration.ofMinutes(1)), 1_000_000);
        MovableClock clock = new MovableClock(NOW);
        Path cam = dir.resolve("camera");
        try (Recorder recorder = recorder(Recordings.config(dir).withKeep(Duration.ofDays(1))
                .withMaxBytes(2_500_000), clock, Duration.ofMillis(50))) {
            assertThat(Recordings.rows(cam)).hasSize(2); // size first: the oldest went at start
            clock.now = NOW.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(30)); // now the age limit passes the other two
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().retentionDeletions() == 3);
        }
        assertThat(Recordings.rows(cam)).isEmpty();
        assertThat(Recordings.files(cam)).isEmpty();
    }

    /**
     * {@code --max-size} below one segment: the newest closed segment is never deleted for size (it used to be
     * deleted the moment it closed, leaving nothing), and the recorder warns once that the limit holds less than two
     * segments.
     */
    @Test
    void theNewestClosedSegmentIsKeptWhenMaxSizeIsBelowOneSegment() throws Exception {
        List<byte[]> datagrams = TestStream.datagrams(new TestStream().seconds(4).bytes()); // ~60 kB a second
        Path cam = dir.resolve("camera");
        List<String> lines;
        try (LogLines log = LogLines.record();
                Recorder recorder = new Recorder(Recordings.config(dir).withSegment(Duration.ofSeconds(1))
                        .withMaxBytes(50_000)).start()) {
            Recordings.send(recorder, datagrams);
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().segments() >= 3);
            assertThat(Recordings.files(cam)).hasSizeGreaterThanOrEqualTo(2); // the newest closed one and the open one
            lines = log.messages();
        }
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertThat(rows).hasSize(1); // the last one, closed by close()
        assertThat(rows.get(0).bytes()).isGreaterThan(50_000);
        assertThat(Recordings.files(cam)).containsExactly(rows.get(0).path());
        assertThat(lines).filteredOn(m -> m.contains("--max-size")).singleElement().asString()
                .contains("less than two");
    }
}
