package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.Figures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A disk that fills up: the oldest segments are deleted, each deletion counted, and recording goes on. */
class DiskFullTest {

    @TempDir
    Path dir;

    /**
     * A file system of {@code capacity} bytes: the segment files it created and that still exist count against it;
     * a write that does not fit writes what fits and fails as Linux does.
     */
    static class SmallDisk implements SegmentStore {
        final long capacity;
        final java.util.Set<Path> files = new java.util.LinkedHashSet<>();
        int failures;

        SmallDisk(long capacity) {
            this.capacity = capacity;
        }

        long used() throws IOException {
            long n = 0;
            for (Path p : files) {
                if (Files.exists(p)) {
                    n += Files.size(p);
                }
            }
            return n;
        }

        @Override
        public SegmentFile create(Path path) throws IOException {
            SegmentFile real = SegmentStore.FILES.create(path);
            files.add(path);
            return new SegmentFile() {
                @Override
                public void write(ByteBuffer src) throws IOException {
                    long free = capacity - used();
                    if (src.remaining() > free) {
                        ByteBuffer part = src.slice(src.position(), (int) Math.max(0, free));
                        real.write(part);
                        src.position(src.position() + part.position());
                        failures++;
                        throw new IOException("No space left on device");
                    }
                    real.write(src);
                }

                @Override
                public void force() throws IOException {
                    real.force();
                }

                @Override
                public long size() throws IOException {
                    return real.size();
                }

                @Override
                public void truncate(long size) throws IOException {
                    real.truncate(size);
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
        }
    }

    @Test
    void theOldestSegmentsAreDeletedAndRecordingGoesOn() throws Exception {
        TestStream stream = new TestStream().seconds(30).frameBytes(4000); // about 1 Mbit/s, 3.9 MB
        byte[] ts = stream.bytes();
        SmallDisk disk = new SmallDisk(1_200_000);
        Recorder.Stats stats;
        RecorderConfig config = Recordings.config(dir).withSegment(Duration.ofSeconds(2));
        try (Recorder recorder = new Recorder(config, Clock.systemUTC(), disk, Duration.ofMinutes(1)).start()) {
            Recordings.send(recorder, TestStream.datagrams(ts));
            stats = recorder.stats();
        }
        assertThat(disk.failures).isPositive();
        assertThat(stats.diskFullDeletions()).isPositive();
        assertThat(stats.lostBytes()).isZero();
        assertThat(stats.writeErrors()).isZero();
        assertThat(disk.used()).isLessThanOrEqualTo(disk.capacity);

        Path cam = dir.resolve("camera");
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertThat(rows).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Recordings.files(cam)).containsExactlyInAnyOrderElementsOf(
                rows.stream().map(SegmentIndex.Row::path).toList());
        // what is left is the newest recording, up to the end of the stream, each segment whole
        List<Long> ptsEnd = Recordings.column(cam, "pts_end", Long.class);
        assertThat(ptsEnd.get(ptsEnd.size() - 1)).isEqualTo(TestStream.PTS_START + stream.frames() * stream.frameTicks());
        for (SegmentIndex.Row row : rows) {
            byte[] b = Files.readAllBytes(cam.resolve(row.path()));
            assertThat(b.length).isEqualTo(row.bytes());
            SegmenterTest.Scan scan = SegmenterTest.Scan.of(b);
            assertThat(scan.firstIsKeyframe).isTrue();
            assertThat(scan.continuityErrors).isZero();
        }
        assertThat(rows.size() + stats.diskFullDeletions()).isEqualTo(stats.segments());
        recordFigures("fault.disk.full-simulated", "theOldestSegmentsAreDeletedAndRecordingGoesOn", stream, stats,
                cam, rows, disk.failures);
    }

    /**
     * What the full disk cost: the segments and stream seconds deleted to make room (the oldest), and the gap inside
     * what is kept (the sum of the holes between consecutive kept segments' PTS, in ms; 0 when what is left is one
     * unbroken recording up to the end).
     */
    private void recordFigures(String id, String method, TestStream stream, Recorder.Stats stats, Path cam,
            List<SegmentIndex.Row> rows, long enospc) throws Exception {
        List<Long> starts = Recordings.column(cam, "pts_start", Long.class);
        List<Long> ends = Recordings.column(cam, "pts_end", Long.class);
        long gapTicks = 0;
        for (int i = 1; i < starts.size(); i++) {
            gapTicks += Math.max(0, starts.get(i) - ends.get(i - 1));
        }
        long keptTicks = ends.getLast() - starts.getFirst();
        long streamTicks = (long) stream.frames() * stream.frameTicks();
        long keptBytes = rows.stream().mapToLong(SegmentIndex.Row::bytes).sum();
        Figures figures = Figures.of(id).put("segments_written", stats.segments()).put("segments_deleted", stats.diskFullDeletions())
                .put("segments_kept", rows.size()).put("stream_ms", streamTicks / 90)
                .put("deleted_stream_ms", (streamTicks - keptTicks) / 90)
                .put("deleted_bytes", stats.bytesWritten() - keptBytes)
                .put("recording_gap_ms", gapTicks / 90).put("lost_bytes", stats.lostBytes())
                .put("write_errors", stats.writeErrors());
        if (enospc >= 0) {
            figures.put("enospc_seen", enospc); // counted by the simulated disk only
        }
        figures.record(getClass(), method);
    }

    /**
     * The same on a real full file system: a 1.5 MiB tmpfs, where the kernel says ENOSPC and the index shares the
     * space. Needs root (mount); skipped elsewhere, where the test above still runs.
     */
    @Test
    void onARealFullTmpfsTheOldestAreDeletedAndRecordingGoesOn() throws Exception {
        Path disk = dir.resolve("tmpfs");
        Files.createDirectories(disk);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1536k,mode=0700", "tmpfs",
                disk.toString()).redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes()).strip();
        org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here: " + why);
        try {
            TestStream stream = new TestStream().seconds(30).frameBytes(4000); // 3.9 MB into 1.5 MiB
            Recorder.Stats stats;
            RecorderConfig config = Recordings.config(disk).withSegment(Duration.ofSeconds(2));
            try (Recorder recorder = new Recorder(config).start()) {
                Recordings.send(recorder, TestStream.datagrams(stream.bytes()));
                stats = recorder.stats();
            }
            assertThat(stats.diskFullDeletions()).isPositive();
            assertThat(stats.lostBytes()).isZero();
            assertThat(stats.writeErrors()).isZero();
            Path cam = disk.resolve("camera");
            List<SegmentIndex.Row> rows = Recordings.rows(cam);
            assertThat(rows).hasSizeGreaterThanOrEqualTo(2);
            assertThat(Recordings.files(cam)).containsExactlyInAnyOrderElementsOf(
                    rows.stream().map(SegmentIndex.Row::path).toList());
            List<Long> ptsEnd = Recordings.column(cam, "pts_end", Long.class);
            assertThat(ptsEnd.getLast()).as("the newest recording reaches the end of the stream")
                    .isEqualTo(TestStream.PTS_START + stream.frames() * stream.frameTicks());
            for (SegmentIndex.Row row : rows) {
                byte[] b = Files.readAllBytes(cam.resolve(row.path()));
                assertThat(b.length).isEqualTo(row.bytes());
                assertThat(SegmenterTest.Scan.of(b).firstIsKeyframe).isTrue();
            }
            recordFigures("fault.disk.full-tmpfs", "onARealFullTmpfsTheOldestAreDeletedAndRecordingGoesOn", stream,
                    stats, cam, rows, -1);
        } finally {
            new ProcessBuilder("umount", "-l", disk.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void aWriteThatKeepsFailingEndsTheSegmentAndRecordingGoesOn() throws Exception {
        byte[] ts = new TestStream().seconds(6).bytes();
        SmallDisk disk = new SmallDisk(Long.MAX_VALUE) {
            boolean broken = true;

            @Override
            public SegmentFile create(Path path) throws IOException {
                SegmentFile f = super.create(path);
                if (broken) {
                    broken = false;
                    return new SegmentFile() {
                        @Override
                        public void write(ByteBuffer src) throws IOException {
                            throw new IOException("Input/output error");
                        }

                        @Override
                        public void force() {
                        }

                        @Override
                        public long size() throws IOException {
                            return f.size();
                        }

                        @Override
                        public void truncate(long size) throws IOException {
                            f.truncate(size);
                        }

                        @Override
                        public void close() throws IOException {
                            f.close();
                        }
                    };
                }
                return f;
            }
        };
        Recorder.Stats stats;
        RecorderConfig config = Recordings.config(dir).withSegment(Duration.ofSeconds(2));
        try (Recorder recorder = new Recorder(config, Clock.systemUTC(), disk, Duration.ofMinutes(1)).start()) {
            Recordings.send(recorder, TestStream.datagrams(ts));
            stats = recorder.stats();
        }
        assertThat(stats.writeErrors()).isPositive();
        assertThat(stats.lostBytes()).isPositive();
        List<SegmentIndex.Row> rows = Recordings.rows(dir.resolve("camera"));
        assertThat(rows).isNotEmpty();
        for (SegmentIndex.Row row : rows) {
            byte[] b = Files.readAllBytes(dir.resolve("camera").resolve(row.path()));
            assertThat(SegmenterTest.Scan.of(b).firstIsKeyframe).isTrue();
        }
    }
}
