package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.Figures;
import io.streamtee.ts.TsPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed recorder leaves behind is repaired and indexed by the next start. */
class RepairTest {

    @TempDir
    Path dir;

    /** The first {@code packets} packets plus {@code extra} bytes of a segment's worth of synthetic stream. */
    private static byte[] partialSegment(int packets, int extra) {
        byte[] ts = new TestStream().seconds(3).bytes();
        return Arrays.copyOf(ts, packets * TsPacket.SIZE + extra);
    }

    @Test
    void aSegmentFileTheIndexDoesNotKnowIsCutToWholePacketsScannedAndIndexed() throws Exception {
        Path cam = dir.resolve("camera");
        Files.createDirectories(cam);
        try (SegmentIndex index = SegmentIndex.open(cam.resolve("index.db"))) {
            assertThat(index.all()).isEmpty(); // the index exists, without the segment's row
        }
        Path seg = cam.resolve("2026/11/24/05-30-00.ts");
        Files.createDirectories(seg.getParent());
        Files.write(seg, partialSegment(400, 77)); // killed mid-packet

        long recorderRepaired;
        try (Recorder recorder = new Recorder(Recordings.config(dir)).start()) {
            assertThat(recorder.stats().repaired()).isEqualTo(1);
            recorderRepaired = recorder.stats().repaired();
        }
        assertThat(Files.size(seg)).isEqualTo(400L * TsPacket.SIZE);
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertThat(rows).hasSize(1);
        SegmentIndex.Row row = rows.get(0);
        assertThat(row.path()).isEqualTo("2026/11/24/05-30-00.ts");
        assertThat(row.status()).isEqualTo("closed");
        assertThat(row.bytes()).isEqualTo(400L * TsPacket.SIZE);
        assertThat(row.startMillis()).isEqualTo(java.time.Instant.parse("2026-11-24T05:30:00Z").toEpochMilli());
        assertThat(row.endMillis()).isGreaterThan(row.startMillis());
        assertThat(Recordings.column(cam, "repaired", Integer.class)).containsExactly(1);
        assertThat(Recordings.column(cam, "frames", Long.class).get(0)).isBetween(20L, 30L);
        List<Long> keyframes = SegmenterTest.Scan.of(Arrays.copyOf(partialSegment(400, 0), 400 * TsPacket.SIZE)).keyframes;
        assertThat(keyframes.get(0)).isEqualTo(376L); // after PAT and PMT
        assertThat(Recordings.column(cam, "keyframes", String.class).get(0))
                .isEqualTo(keyframes.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
        assertThat(Recordings.column(cam, "duration_ms", Long.class).get(0)).isPositive();
        Figures.of("fault.serve.repair-cut-segment").put("segments_repaired", recorderRepaired)
                .put("bytes_cut", 400L * TsPacket.SIZE + 77 - Files.size(seg))
                .put("frames_kept", Recordings.column(cam, "frames", Long.class).get(0))
                .record(getClass(), "aSegmentFileTheIndexDoesNotKnowIsCutToWholePacketsScannedAndIndexed");
    }

    @Test
    void aRowLeftOpenIsRepairedWithItsStartTime() throws Exception {
        Path cam = dir.resolve("camera");
        Files.createDirectories(cam);
        Path seg = cam.resolve("2026/11/24/05-31-00.ts");
        Files.createDirectories(seg.getParent());
        Files.write(seg, partialSegment(300, 5));
        long start = java.time.Instant.parse("2026-11-24T05:31:00.250Z").toEpochMilli();
        try (SegmentIndex index = SegmentIndex.open(cam.resolve("index.db"))) {
            index.opened("2026/11/24/05-31-00.ts", new Segment(start, TestStream.PTS_START));
            // and a row whose file is gone
            index.opened("2026/11/24/05-00-00.ts", new Segment(start - 60_000, TestStream.PTS_START));
        }
        try (Recorder recorder = new Recorder(Recordings.config(dir)).start()) {
            assertThat(recorder.stats().repaired()).isEqualTo(1);
        }
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).status()).isEqualTo("closed");
        assertThat(rows.get(0).startMillis()).isEqualTo(start);
        assertThat(rows.get(0).bytes()).isEqualTo(300L * TsPacket.SIZE);
    }

    @Test
    void anEmptyLeftoverIsRemoved() throws Exception {
        Path cam = dir.resolve("camera");
        Path seg = cam.resolve("2026/11/24/05-32-00.ts");
        Files.createDirectories(seg.getParent());
        Files.write(seg, new byte[100]);
        try (Recorder recorder = new Recorder(Recordings.config(dir)).start()) {
            assertThat(recorder.stats().repaired()).isZero();
        }
        assertThat(seg).doesNotExist();
        assertThat(Recordings.rows(cam)).isEmpty();
    }
}
