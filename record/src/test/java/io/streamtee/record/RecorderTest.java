package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recorder on loopback port 0, fed a synthetic stream: files, layout, index rows, gaps. */
class RecorderTest {

    @TempDir
    Path dir;

    @Test
    void recordsKeyframeAlignedSegmentsAndIndexesEveryOne() throws Exception {
        TestStream stream = new TestStream().seconds(10);
        byte[] ts = stream.bytes();
        RecorderConfig config = Recordings.config(dir).withCamera("frontdoor").withSegment(Duration.ofMillis(2500));
        try (Recorder recorder = new Recorder(config).start()) {
            assertThat(recorder.localAddress().getPort()).isPositive();
            Recordings.send(recorder, TestStream.datagrams(ts));
        }
        Path cam = dir.resolve("frontdoor");
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertThat(rows).hasSize(4).allMatch(r -> r.status().equals("closed"));
        // all four start within the same second or two: names must not clash
        assertThat(rows).extracting(SegmentIndex.Row::path).doesNotHaveDuplicates()
                .allMatch(p -> p.matches("\\d{4}/\\d{2}/\\d{2}/\\d{2}-\\d{2}-\\d{2}(_\\d+)?\\.ts"));
        assertThat(Recordings.files(cam)).containsExactlyInAnyOrderElementsOf(
                rows.stream().map(SegmentIndex.Row::path).toList());

        List<Long> durations = Recordings.column(cam, "duration_ms", Long.class);
        assertThat(durations).containsExactly(3000L, 3000L, 3000L, 1000L);
        List<Long> frames = Recordings.column(cam, "frames", Long.class);
        assertThat(frames.stream().mapToLong(Long::longValue).sum()).isEqualTo(stream.frames());
        List<Long> ptsStart = Recordings.column(cam, "pts_start", Long.class);
        List<Long> ptsEnd = Recordings.column(cam, "pts_end", Long.class);
        assertThat(ptsStart.get(0)).isEqualTo(TestStream.PTS_START);
        for (int i = 1; i < rows.size(); i++) {
            assertThat(ptsStart.get(i)).isEqualTo(ptsEnd.get(i - 1));
        }
        List<String> keyframes = Recordings.column(cam, "keyframes", String.class);
        for (int i = 0; i < rows.size(); i++) {
            SegmentIndex.Row row = rows.get(i);
            byte[] b = Files.readAllBytes(cam.resolve(row.path()));
            assertThat(row.bytes()).isEqualTo(b.length);
            assertThat(row.endMillis()).isGreaterThanOrEqualTo(row.startMillis());
            SegmenterTest.Scan scan = SegmenterTest.Scan.of(b);
            assertThat(scan.firstIsKeyframe).isTrue();
            assertThat(scan.continuityErrors).isZero();
            assertThat(Arrays.stream(keyframes.get(i).split(",")).map(Long::valueOf).toList())
                    .isEqualTo(scan.keyframes);
        }
        assertThat(Recordings.gaps(cam)).isEmpty();
    }

    @Test
    void lostDatagramsBecomeALossGap() throws Exception {
        byte[] ts = new TestStream().seconds(4).bytes();
        List<byte[]> datagrams = new ArrayList<>(TestStream.datagrams(ts));
        datagrams.remove(datagrams.size() / 2);
        Recorder.Stats stats;
        try (Recorder recorder = new Recorder(Recordings.config(dir).withSegment(Duration.ofSeconds(2))).start()) {
            Recordings.send(recorder, datagrams);
            stats = recorder.stats();
        }
        assertThat(stats.continuityErrors()).isPositive();
        List<SegmentIndex.Gap> gaps = Recordings.gaps(dir.resolve("camera"));
        assertThat(gaps).hasSize(1); // one lost datagram, several PIDs: one loss event
        assertThat(gaps.get(0).kind()).isEqualTo("loss");
        assertThat(gaps.get(0).count()).isEqualTo(stats.continuityErrors());
        assertThat(gaps.get(0).segment()).isNotNull();
        assertThat(Recordings.column(dir.resolve("camera"), "continuity_errors", Long.class)
                .stream().mapToLong(Long::longValue).sum()).isPositive();
    }

    @Test
    void aStreamThatStopsClosesTheSegmentAndIsIndexedAsAGap() throws Exception {
        TestStream stream = new TestStream().seconds(4);
        byte[] ts = stream.bytes();
        List<byte[]> datagrams = TestStream.datagrams(ts);
        int half = datagrams.size() / 2;
        Path cam = dir.resolve("camera");
        long segmentClosedMs;
        try (Recorder recorder = new Recorder(Recordings.config(dir).withSegment(Duration.ofSeconds(10))).start()) {
            Recordings.send(recorder, datagrams.subList(0, half));
            long stopped = System.nanoTime();
            // after 2 s without data the segment is closed (and indexed) while the recorder runs
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> recorder.stats().segments() == 1);
            segmentClosedMs = (System.nanoTime() - stopped) / 1_000_000;
            Recordings.send(recorder, datagrams.subList(half, datagrams.size()));
        }
        List<SegmentIndex.Gap> gaps = Recordings.gaps(cam);
        assertThat(gaps).hasSize(1);
        assertThat(gaps.get(0).kind()).isEqualTo("stopped");
        assertThat(gaps.get(0).endMillis() - gaps.get(0).startMillis()).isGreaterThanOrEqualTo(2000);
        assertThat(Recordings.rows(cam)).hasSize(2);
        long recorded = Recordings.column(cam, "frames", Long.class).stream().mapToLong(Long::longValue).sum();
        io.streamtee.testing.Figures.of("fault.camera.stop-record")
                .put("segment_closed_after_stop_ms", segmentClosedMs)
                .put("stopped_gap_ms", gaps.get(0).endMillis() - gaps.get(0).startMillis())
                .put("frames_sent", stream.frames()).put("frames_recorded", recorded)
                .put("frames_lost", stream.frames() - recorded)
                .record(getClass(), "aStreamThatStopsClosesTheSegmentAndIsIndexedAsAGap");
    }

    @Test
    void dataIsInTheFileWithinASecondWhileItsSegmentIsStillOpen() throws Exception {
        byte[] ts = new TestStream().seconds(3).bytes();
        int firstVideo = 2 * io.streamtee.ts.TsPacket.SIZE; // the stream opens with PAT, PMT, then the keyframe
        long expected = 2 * io.streamtee.ts.TsPacket.SIZE + ts.length - firstVideo; // the segment's PSI, then all
        try (Recorder recorder = new Recorder(Recordings.config(dir).withSegment(Duration.ofSeconds(60))).start()) {
            Recordings.send(recorder, TestStream.datagrams(ts));
            long sent = System.nanoTime();
            Path cam = dir.resolve("camera");
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() -> {
                List<String> files = Recordings.files(cam);
                return files.size() == 1 && Files.size(cam.resolve(files.get(0))) == expected;
            });
            assertThat(System.nanoTime() - sent).isLessThan(1_000_000_000L);
            assertThat(recorder.stats().segments()).isZero(); // still open
        }
    }

    @Test
    void recordsAMulticastGroup() throws Exception {
        RecorderConfig config = new RecorderConfig(io.streamtee.config.Endpoint.parse("udp://239.255.77.9:0?iface=lo",
                io.streamtee.config.Endpoint.Role.INPUT), dir, "cam", Duration.ofSeconds(1), Duration.ZERO, 0);
        byte[] ts = new TestStream().seconds(2).bytes();
        try (Recorder recorder = new Recorder(config).start()) {
            assertThat(recorder.localAddress().getAddress().getHostAddress()).isEqualTo("239.255.77.9");
            Recordings.send(recorder, TestStream.datagrams(ts));
        }
        assertThat(Recordings.column(dir.resolve("cam"), "frames", Long.class)).containsExactly(25L, 25L);
    }

    @Test
    void closeIsIdempotentAndASecondRecorderOnTheSameDirectoryIsRefused() {
        Recorder first = new Recorder(Recordings.config(dir)).start();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Recorder(Recordings.config(dir)).start())
                    .isInstanceOf(RecordException.class).hasMessageContaining("another recorder");
        } finally {
            first.close();
            first.close();
        }
    }

    /**
     * A camera that restarts (silence past the stopped threshold, then a new stream whose continuity counters and
     * clock start again) is a "stopped" gap, not packet loss: no continuity error, no "loss" gap.
     */
    @Test
    void aCameraRestartAfterSilenceIsNotLoss() throws Exception {
        List<byte[]> before = TestStream.datagrams(new TestStream().seconds(4).bytes());
        TestStream restarted = new TestStream().seconds(2);
        List<byte[]> after = TestStream.datagrams(restarted.bytes()); // counters from 0 again
        Path cam = dir.resolve("camera");
        Recorder.Stats stats;
        try (LogLines log = LogLines.record();
                Recorder recorder = new Recorder(Recordings.config(dir).withSegment(Duration.ofSeconds(10))).start()) {
            Recordings.send(recorder, before.subList(0, before.size() / 2));
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().segments() == 1);
            Recordings.send(recorder, after);
            stats = recorder.stats();
            assertThat(log.messages()).noneMatch(m -> m.contains("lost packets"));
        }
        assertThat(stats.continuityErrors()).isZero();
        assertThat(Recordings.gaps(cam)).extracting(SegmentIndex.Gap::kind).containsExactly("stopped");
        assertThat(Recordings.column(cam, "continuity_errors", Long.class)).containsOnly(0L);
        assertThat(Recordings.rows(cam)).hasSize(2);
        List<Long> frames = Recordings.column(cam, "frames", Long.class);
        SegmentIndex.Gap gap = Recordings.gaps(cam).get(0);
        io.streamtee.testing.Figures.of("fault.camera.restart-record")
                .put("segments", Recordings.rows(cam).size())
                .put("frames_sent_after_restart", restarted.frames())
                .put("frames_recorded_after_restart", frames.getLast())
                .put("frames_lost_after_restart", restarted.frames() - frames.getLast())
                .put("lost_bytes", stats.lostBytes()).put("continuity_errors", stats.continuityErrors())
                .put("stopped_gap_ms", gap.endMillis() - gap.startMillis())
                .record(getClass(), "aCameraRestartAfterSilenceIsNotLoss");
    }

    /** A recorder that cannot bind its port leaves no lock file, no index and no directory behind. */
    @Test
    void aFailedBindLeavesTheDirectoryAsItWas() throws Exception {
        try (java.nio.channels.DatagramChannel taken = java.nio.channels.DatagramChannel.open()) {
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            int port = ((java.net.InetSocketAddress) taken.getLocalAddress()).getPort();
            Path recordings = dir.resolve("recordings");
            RecorderConfig config = RecorderConfig.of(io.streamtee.config.Endpoint.parse("udp://127.0.0.1:" + port,
                    io.streamtee.config.Endpoint.Role.INPUT), recordings);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Recorder(config).start())
                    .isInstanceOf(RecordException.class)
                    .hasMessage("udp://127.0.0.1:" + port + ": address already in use (is another recorder listening "
                            + "on this port?)");
            assertThat(recordings).doesNotExist();

            Files.createDirectories(recordings.resolve("camera")); // an existing directory stays, empty
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Recorder(config).start())
                    .isInstanceOf(RecordException.class);
            try (var list = Files.list(recordings.resolve("camera"))) {
                assertThat(list.toList()).isEmpty();
            }
        }
    }

    /**
     * While no data comes, the periodic line says how long the stream has been gone instead of repeating the same
     * counters; while data flows it is the usual summary.
     */
    @Test
    void anIdleRecorderSaysHowLongTheStreamHasBeenGone() throws Exception {
        List<byte[]> datagrams = TestStream.datagrams(new TestStream().seconds(1).bytes());
        try (LogLines log = LogLines.record();
                Recorder recorder = new Recorder(Recordings.config(dir)).summaryEvery(Duration.ofMillis(300))
                        .start()) {
            Recordings.send(recorder, datagrams);
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().segments() == 1); // stopped
            long idleFrom = log.messages().size();
            await().atMost(Duration.ofSeconds(10)).until(() -> log.messages().stream().skip(idleFrom)
                    .filter(m -> m.startsWith("no data for")).count() >= 2);
            List<String> idle = log.messages().stream().skip(idleFrom).toList();
            assertThat(idle).noneMatch(m -> m.startsWith("recording: "));
            assertThat(idle).filteredOn(m -> m.startsWith("no data for"))
                    .allMatch(m -> m.matches("no data for \\d+s \\(since \\d{2}:\\d{2}:\\d{2}\\)"));
        }
    }
}
