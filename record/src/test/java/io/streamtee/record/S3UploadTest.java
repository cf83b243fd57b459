package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.net.Backoff;
import io.streamtee.testing.Figures;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Object storage against a real S3 API server (S3Proxy, in-process, loopback): segments and the index arrive byte
 * for byte; a store that is down for a while loses nothing; multipart uploads; a restart uploads what an earlier run
 * left; retention and a full disk with segments that wait for upload. The recorder reaches S3Proxy through a
 * {@link TcpForwarder} that can take the store down; the checks read the bucket directly.
 */
class S3UploadTest {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));
    private static S3ProxyServer s3;
    private static S3Client bucket;

    @TempDir
    Path dir;
    TcpForwarder forwarder;
    String name;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.start();
        bucket = s3.client();
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (bucket != null) {
            bucket.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeEach
    void newBucketAndForwarder() throws IOException {
        name = "streamtee-" + BUCKETS.incrementAndGet();
        bucket.createBucket(b -> b.bucket(name));
        forwarder = TcpForwarder.to(s3.port());
    }

    @AfterEach
    void closeForwarder() throws IOException {
        forwarder.close();
    }

    /** Through the forwarder, prefix {@code site/a}. */
    private StoreConfig store() {
        return new StoreConfig(name, "site/a", URI.create("http://127.0.0.1:" + forwarder.port()),
                S3ProxyServer.REGION, null);
    }

    private RecorderConfig config(Duration segment) {
        return Recordings.config(dir).withCamera("cam").withSegment(segment).withStore(store());
    }

    private Recorder recorder(RecorderConfig config, long multipartThreshold) {
        return recorder(config, multipartThreshold, Duration.ofSeconds(5));
    }

    private Recorder recorder(RecorderConfig config, long multipartThreshold, Duration closeWait) {
        return new Recorder(config, Clock.systemUTC(), SegmentStore.FILES, Duration.ofMillis(200),
                c -> uploader(c, multipartThreshold, closeWait));
    }

    /** S3 through the forwarder, fast backoff (50 to 200 ms), the index at most every 300 ms. */
    private static Uploader uploader(RecorderConfig c, long multipartThreshold, Duration closeWait) {
        S3ObjectStore store = S3ObjectStore.open(c.store(), Map.of(), S3ProxyServer.credentials(),
                multipartThreshold, S3ObjectStore.MIN_PART_SIZE);
        return new Uploader(store, c, FAST, Duration.ofMillis(300), closeWait, Clock.systemUTC());
    }

    /** The bucket's objects under the prefix, by key relative to {@code site/a/}. */
    private Map<String, S3Object> objects() {
        Map<String, S3Object> map = new TreeMap<>();
        bucket.listObjectsV2Paginator(r -> r.bucket(name).prefix("site/a/")).contents()
                .forEach(o -> map.put(o.key().substring("site/a/".length()), o));
        return map;
    }

    private byte[] object(String relativeKey) {
        return bucket.getObjectAsBytes(r -> r.bucket(name).key("site/a/" + relativeKey)).asByteArray();
    }

    /** Every segment of the (closed) recorder's index is in the bucket, byte for byte, and so is the index. */
    private void assertEverySegmentArrivedIntact(Path cam) throws IOException, SQLException {
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertThat(rows).isNotEmpty();
        Map<String, S3Object> objects = objects();
        for (SegmentIndex.Row row : rows) {
            assertThat(objects).containsKey("cam/" + row.path());
            assertThat(object("cam/" + row.path())).as(row.path()).isEqualTo(Files.readAllBytes(cam.resolve(row.path())));
        }
        assertThat(objects.keySet()).containsAll(rows.stream().map(r -> "cam/" + r.path()).toList())
                .contains("cam/index.db");
        assertThat(notUploaded(cam)).isZero();
    }

    /** Segment rows with no {@code uploaded_ms}. */
    private static long notUploaded(Path cam) throws SQLException {
        try (SegmentIndex index = SegmentIndex.open(cam.resolve("index.db"))) {
            return index.notUploadedCountAndBytes()[0];
        }
    }

    @Test
    void segmentsAndTheIndexArriveIntact() throws Exception {
        byte[] ts = new TestStream().seconds(4).bytes();
        Recorder recorder = recorder(config(Duration.ofSeconds(1)), S3ObjectStore.DEFAULT_PART_SIZE).start();
        try {
            Recordings.send(recorder, TestStream.datagrams(ts));
            // uploaded while recording, not only at close
            // (the fourth may be closed too by then: 2 s without data close a segment)
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.uploadStats().uploaded() >= 3);
        } finally {
            recorder.close(); // closes the fourth segment and uploads it
        }
        Recorder.UploadStats stats = recorder.uploadStats();
        Path cam = dir.resolve("cam");
        assertThat(Recordings.rows(cam)).hasSize(4);
        assertEverySegmentArrivedIntact(cam);
        assertThat(stats.uploaded()).isEqualTo(4);
        assertThat(stats.pending()).isZero();
        assertThat(stats.failures()).isZero();
        assertThat(stats.indexUploads()).isPositive();
        // plain bodies with Content-MD5: no aws-chunked encoding, no flexible checksums (which S3Proxy and OCI's
        // S3 compatibility API refuse)
        String wire = forwarder.sentToServer().toLowerCase(java.util.Locale.ROOT);
        assertThat(wire).contains("put /" + name + "/site/a/cam/").contains("content-md5:")
                .doesNotContain("aws-chunked").doesNotContain("streaming-").doesNotContain("x-amz-checksum")
                .doesNotContain("x-amz-trailer");

        // the index in the bucket is a whole SQLite database that lists every segment as uploaded
        Path copy = dir.resolve("from-bucket");
        Files.createDirectories(copy);
        Files.write(copy.resolve("index.db"), object("cam/index.db"));
        assertThat(Recordings.rows(copy)).extracting(SegmentIndex.Row::path)
                .containsExactlyElementsOf(Recordings.rows(cam).stream().map(SegmentIndex.Row::path).toList());
        assertThat(notUploaded(copy)).isZero();
    }

    @Test
    void aStoreThatIsDownForAWhileLosesNothing() throws Exception {
        long recoveryMs;
        long failuresDown;
        List<byte[]> datagrams = TestStream.datagrams(new TestStream().seconds(7).bytes());
        int oneAndAHalf = datagrams.size() * 3 / 14; // the first segment closed, the second open, far from a cut
        Path cam = dir.resolve("cam");
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "io.streamtee.record"); // the uploader's lines (its own logger since the recorder split)
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        log.addAppender(lines);
        Recorder recorder = recorder(config(Duration.ofSeconds(1)), S3ObjectStore.DEFAULT_PART_SIZE).start();
        try {
            Recordings.send(recorder, datagrams.subList(0, oneAndAHalf));
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.uploadStats().uploaded() == 1);

            forwarder.down();
            Recordings.send(recorder, datagrams.subList(oneAndAHalf, datagrams.size()));
            // five more segments closed while the store is down (six if the stream's end closed the last): they
            // wait, on disk and in the index
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().segments() >= 6
                    && recorder.uploadStats().pending() == recorder.stats().segments() - 1
                    && recorder.uploadStats().failures() >= 3);
            assertThat(recorder.uploadStats().uploaded()).isEqualTo(1);
            assertThat(objects().keySet()).filteredOn(k -> k.endsWith(".ts")).hasSize(1);
            assertThat(Recordings.files(cam)).hasSize(7); // six closed, one being written (or closed)
            assertThat(forwarder.refused()).isPositive();

            long failuresWhileDown = recorder.uploadStats().failures();
            long back = System.nanoTime();
            forwarder.up();
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.uploadStats().uploaded() >= 6
                    && recorder.uploadStats().pending() == 0);
            recoveryMs = (System.nanoTime() - back) / 1_000_000;
            failuresDown = failuresWhileDown;
        } finally {
            recorder.close();
            log.detachAppender(lines);
        }
        // the outage is one line (and one more per 10 s), not one per failed attempt; so is its end
        List<String> messages = lines.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(messages).filteredOn(m -> m.contains("cannot upload")).singleElement().asString()
                .contains("s3://" + name + "/site/a").contains("segments wait on local disk");
        assertThat(messages).filteredOn(m -> m.contains("store back after")).hasSize(1);
        assertThat(recorder.uploadStats().failures()).isGreaterThanOrEqualTo(3);
        assertThat(recorder.uploadStats().uploaded()).isEqualTo(7);
        assertThat(Recordings.rows(cam)).hasSize(7);
        assertEverySegmentArrivedIntact(cam);
        assertThat(objects().keySet()).filteredOn(k -> k.endsWith(".ts")).hasSize(7);
        Recorder.Stats stats = recorder.stats();
        Figures.of("fault.storage.down").put("recovery_ms", recoveryMs)
                .put("segments_recorded", Recordings.rows(cam).size())
                .put("segments_uploaded", recorder.uploadStats().uploaded())
                .put("segments_lost", Recordings.rows(cam).size() - recorder.uploadStats().uploaded())
                .put("failed_attempts", recorder.uploadStats().failures())
                .put("failed_attempts_while_down", failuresDown).put("connections_reset", forwarder.refused())
                .put("lost_bytes_recording", stats.lostBytes())
                .record(getClass(), "aStoreThatIsDownForAWhileLosesNothing");
    }

    /**
     * A store that answers every request 2 s late: recording goes on at full speed (nothing lost, no datagram waits
     * for the store), segments keep going up one by one, and once the store is fast again the backlog is gone.
     */
    @Test
    void aSlowStoreLosesNothingAndRecordingNeverStalls() throws Exception {
        List<byte[]> datagrams = TestStream.datagrams(new TestStream().seconds(5).bytes());
        Path cam = dir.resolve("cam");
        Recorder recorder = recorder(config(Duration.ofSeconds(1)), S3ObjectStore.DEFAULT_PART_SIZE).start();
        long recoveryMs;
        long sendMs;
        long uploadedWhileSlow;
        try {
            forwarder.delay(Duration.ofSeconds(2));
            long start = System.nanoTime();
            Recordings.send(recorder, datagrams);
            sendMs = (System.nanoTime() - start) / 1_000_000;
            // recording did not wait for the store: every datagram taken and written, four segments closed
            assertThat(recorder.stats().datagrams()).isEqualTo(datagrams.size());
            assertThat(recorder.stats().lostBytes()).isZero();
            assertThat(recorder.stats().segments()).isGreaterThanOrEqualTo(4);
            // and the slow store still takes segments, one by one
            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.uploadStats().uploaded() >= 1);
            assertThat(forwarder.delayed()).isPositive();
            uploadedWhileSlow = recorder.uploadStats().uploaded();

            long fast = System.nanoTime();
            forwarder.up();
            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.uploadStats().uploaded() >= 4
                    && recorder.uploadStats().pending() == 0);
            recoveryMs = (System.nanoTime() - fast) / 1_000_000;
        } finally {
            recorder.close();
        }
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertEverySegmentArrivedIntact(cam);
        assertThat(recorder.uploadStats().uploaded()).isEqualTo(rows.size());
        Figures.of("fault.storage.slow").put("delay_per_request_ms", 2000).put("recovery_ms", recoveryMs)
                .put("record_ms", sendMs).put("stream_ms", 5000)
                .put("segments_recorded", rows.size())
                .put("segments_uploaded_while_slow", uploadedWhileSlow)
                .put("segments_uploaded", recorder.uploadStats().uploaded())
                .put("segments_lost", rows.size() - recorder.uploadStats().uploaded())
                .put("requests_delayed", forwarder.delayed())
                .put("failed_attempts", recorder.uploadStats().failures())
                .put("lost_bytes_recording", recorder.stats().lostBytes())
                .record(getClass(), "aSlowStoreLosesNothingAndRecordingNeverStalls");
    }

    /**
     * A store that refuses (every request answered {@code 503 Slow Down}, then {@code 500 InternalError}): the
     * failures are counted, segments wait on disk, recording goes on, and once the store answers again every segment
     * goes up intact.
     */
    @Test
    void aRefusingStoreLosesNothing() throws Exception {
        List<byte[]> datagrams = TestStream.datagrams(new TestStream().seconds(5).bytes());
        int half = datagrams.size() * 5 / 10 + 1;
        Path cam = dir.resolve("cam");
        Recorder recorder = recorder(config(Duration.ofSeconds(1)), S3ObjectStore.DEFAULT_PART_SIZE).start();
        long recoveryMs;
        long failedWhileRefused;
        try {
            forwarder.refuse(503, "SlowDown");
            Recordings.send(recorder, datagrams.subList(0, half));
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.uploadStats().failures() >= 2);
            forwarder.refuse(500, "InternalError");
            long refused = forwarder.refusedRequests();
            Recordings.send(recorder, datagrams.subList(half, datagrams.size()));
            await().atMost(Duration.ofSeconds(10)).until(() -> forwarder.refusedRequests() > refused
                    && recorder.stats().segments() >= 4);
            assertThat(recorder.uploadStats().uploaded()).isZero();
            assertThat(recorder.stats().lostBytes()).isZero();
            failedWhileRefused = recorder.uploadStats().failures();

            long back = System.nanoTime();
            forwarder.up();
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.uploadStats().uploaded() >= 4
                    && recorder.uploadStats().pending() == 0);
            recoveryMs = (System.nanoTime() - back) / 1_000_000;
        } finally {
            recorder.close();
        }
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertEverySegmentArrivedIntact(cam);
        assertThat(recorder.uploadStats().uploaded()).isEqualTo(rows.size());
        assertThat(failedWhileRefused).isGreaterThanOrEqualTo(2);
        Figures.of("fault.storage.refusing").put("recovery_ms", recoveryMs)
                .put("segments_recorded", rows.size())
                .put("segments_uploaded", recorder.uploadStats().uploaded())
                .put("segments_lost", rows.size() - recorder.uploadStats().uploaded())
                .put("requests_refused", forwarder.refusedRequests())
                .put("failed_attempts", recorder.uploadStats().failures())
                .put("lost_bytes_recording", recorder.stats().lostBytes())
                .record(getClass(), "aRefusingStoreLosesNothing");
    }

    @Test
    void aBigSegmentGoesUpInPartsAndArrivesIntact() throws Exception {
        // 2 s of about 28 Mbit/s: one segment of about 7.4 MB, over the 5 MiB threshold: two parts
        byte[] ts = new TestStream().seconds(2).frameBytes(140_000).bytes();
        Recorder recorder = recorder(config(Duration.ofSeconds(10)), S3ObjectStore.MIN_PART_SIZE).start();
        try {
            Recordings.send(recorder, TestStream.datagrams(ts));
        } finally {
            recorder.close();
        }
        Path cam = dir.resolve("cam");
        assertThat(Recordings.rows(cam)).singleElement()
                .matches(r -> r.bytes() > S3ObjectStore.MIN_PART_SIZE && r.bytes() < 2 * S3ObjectStore.MIN_PART_SIZE);
        assertThat(((S3ObjectStore) recorder.uploader().store()).multipartUploads).isEqualTo(1);
        assertEverySegmentArrivedIntact(cam);
        assertThat(bucket.listMultipartUploads(r -> r.bucket(name)).uploads()).isEmpty();
    }

    @Test
    void aPartThatFailsAbortsTheMultipartUploadAndTheNextAttemptSucceeds() throws Exception {
        byte[] data = new byte[12 << 20]; // three parts: 5, 5 and 2 MiB
        new Random(5).nextBytes(data);
        Path file = dir.resolve("big.ts");
        Files.write(file, data);
        try (S3ObjectStore store = S3ObjectStore.open(store(), Map.of(), S3ProxyServer.credentials(),
                S3ObjectStore.MIN_PART_SIZE, S3ObjectStore.MIN_PART_SIZE)) {
            forwarder.breakOnceAfter(7 << 20); // in the middle of the second part
            assertThatThrownBy(() -> store.put("cam/big.ts", file, Uploader.SEGMENT_TYPE))
                    .isInstanceOf(IOException.class);
            assertThat(bucket.listMultipartUploads(r -> r.bucket(name)).uploads()).isEmpty(); // aborted
            assertThat(objects()).isEmpty();

            assertThat(store.put("cam/big.ts", file, Uploader.SEGMENT_TYPE)).isEqualTo(data.length);
            assertThat(object("cam/big.ts")).isEqualTo(data);
            assertThat(store.multipartUploads).isEqualTo(1);
        }
    }

    @Test
    void segmentsLeftWaitingAreUploadedByTheNextStart() throws Exception {
        byte[] ts = new TestStream().seconds(3).bytes();
        Path cam = dir.resolve("cam");
        forwarder.down();
        Recorder first = recorder(config(Duration.ofSeconds(1)), S3ObjectStore.DEFAULT_PART_SIZE).start();
        try {
            Recordings.send(first, TestStream.datagrams(ts));
            await().atMost(Duration.ofSeconds(10)).until(() -> first.uploadStats().failures() > 0);
        } finally {
            first.close();
        }
        assertThat(first.uploadStats().uploaded()).isZero();
        assertThat(Recordings.rows(cam)).hasSize(3);
        assertThat(notUploaded(cam)).isEqualTo(3);
        assertThat(objects()).isEmpty();

        forwarder.up();
        Recorder second = recorder(config(Duration.ofSeconds(1)), S3ObjectStore.DEFAULT_PART_SIZE).start();
        try {
            // no stream: only what the first run left
            await().atMost(Duration.ofSeconds(10)).until(() -> second.uploadStats().uploaded() == 3
                    && second.uploadStats().indexUploads() > 0);
        } finally {
            second.close();
        }
        assertEverySegmentArrivedIntact(cam);
    }

    @Test
    void retentionKeepsWhatIsNotUploadedAndDeletesItOnceItIs() throws Exception {
        byte[] ts = new TestStream().seconds(4).bytes();
        TestStream stream = new TestStream().seconds(4);
        Path cam = dir.resolve("cam");
        forwarder.down();
        // any size is over 1 kB: without uploads, every closed segment but the newest would go at once
        Recorder recorder = recorder(config(Duration.ofSeconds(1)).withMaxBytes(1000), S3ObjectStore.DEFAULT_PART_SIZE)
                .start();
        try {
            Recordings.send(recorder, TestStream.datagrams(ts));
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.uploadStats().keptForUpload() >= 3);
            assertThat(Recordings.files(cam)).hasSize(4);
            assertThat(recorder.stats().retentionDeletions()).isZero();

            forwarder.up();
            // uploaded, then deleted by retention, all but the newest closed segment (never deleted for size); the
            // segment being written stays too, unless the stream's end closed it meanwhile: then it is the newest
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.uploadStats().uploaded() >= 3
                    && recorder.stats().retentionDeletions() == recorder.uploadStats().uploaded() - 1);
            assertThat(recorder.uploadStats().keptForUpload()).isZero();
            assertThat(Recordings.files(cam)).hasSizeLessThanOrEqualTo(2); // the newest closed, the one written
        } finally {
            recorder.close();
        }
        // the last segment, if closed at close, is over the limit too but not uploaded then: kept, then uploaded
        assertThat(recorder.uploadStats().uploaded()).isEqualTo(4);
        Map<String, S3Object> objects = objects();
        List<String> segments = objects.keySet().stream().filter(k -> k.endsWith(".ts")).toList();
        assertThat(segments).hasSize(4);
        long frames = 0;
        for (String key : segments) {
            SegmenterTest.Scan scan = SegmenterTest.Scan.of(object(key));
            assertThat(scan.firstIsKeyframe).isTrue();
            assertThat(scan.continuityErrors).isZero();
            frames += scan.frames;
        }
        assertThat(frames).isEqualTo(stream.frames());
    }

    @Test
    void aFullDiskStillDeletesTheOldestAndCountsWhatWasNotUploaded() throws Exception {
        byte[] ts = new TestStream().seconds(30).frameBytes(4000).bytes(); // 3.9 MB onto a 1.2 MB disk
        DiskFullTest.SmallDisk disk = new DiskFullTest.SmallDisk(1_200_000);
        forwarder.down();
        RecorderConfig config = config(Duration.ofSeconds(2));
        Recorder recorder = new Recorder(config, Clock.systemUTC(), disk, Duration.ofMinutes(1),
                c -> uploader(c, S3ObjectStore.DEFAULT_PART_SIZE, Duration.ofSeconds(5))).start();
        try {
            Recordings.send(recorder, TestStream.datagrams(ts));
        } finally {
            recorder.close();
        }
        Recorder.Stats stats = recorder.stats();
        assertThat(stats.diskFullDeletions()).isPositive();
        assertThat(recorder.uploadStats().lostForUpload()).isEqualTo(stats.diskFullDeletions());
        assertThat(stats.lostBytes()).isZero();
        assertThat(Recordings.rows(dir.resolve("cam")).size() + stats.diskFullDeletions()).isEqualTo(stats.segments());
    }

    @Test
    void streamteeRecordTakesCredentialsEndpointAndRegionFromTheAwsEnvironment() throws Exception {
        Path out = dir.resolve("record.log");
        ProcessBuilder builder = RecordProcess.builder(out, "--listen", "udp://127.0.0.1:0", "--dir", dir.toString(),
                "--camera", "cam", "--segment", "1s", "--store", "s3://" + name + "/site/a");
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        env.put("AWS_ENDPOINT_URL", s3.endpoint().toString());
        env.put("AWS_REGION", "eu-frankfurt-1"); // any region: S3Proxy signs with what it is given
        env.put("AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        Process p = builder.start();
        Path cam = dir.resolve("cam");
        try {
            int udp = RecordProcess.awaitUdpPort(out);
            byte[] ts = new TestStream().seconds(3).frameBytes(500).bytes(); // one burst fits SO_RCVBUF
            RecordProcess.send(udp, ts);
            // the two segments closed while recording are uploaded while recording
            await().atMost(Duration.ofSeconds(20)).until(() -> objects().keySet().stream()
                    .filter(k -> k.endsWith(".ts")).count() == 2);
            p.destroy(); // SIGTERM: the third segment is closed and uploaded, then the index
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(out);
            assertThat(p.exitValue()).as(log).isZero();
            assertThat(log).contains("uploading finished segments to s3://" + name + "/site/a (endpoint "
                    + s3.endpoint() + ", region eu-frankfurt-1, path-style)")
                    .contains("3 uploaded (").contains("0 waiting for upload");
        } finally {
            p.destroyForcibly();
        }
        assertThat(Recordings.rows(cam)).hasSize(3);
        assertEverySegmentArrivedIntact(cam);
    }

    @Test
    void anIndexFromBeforeUploadsAndRepairedSegmentsAreUploadedToo() throws Exception {
        Path cam = dir.resolve("cam");
        RecorderConfig local = Recordings.config(dir).withCamera("cam").withSegment(Duration.ofSeconds(1));
        try (Recorder recorder = new Recorder(local).start()) {
            Recordings.send(recorder, TestStream.datagrams(new TestStream().seconds(3).bytes()));
        }
        // the index as a recorder without uploads made it, and a segment file it does not know (left by a kill)
        try (SegmentIndex index = SegmentIndex.open(cam.resolve("index.db"));
                java.sql.Statement st = index.connection().createStatement()) {
            st.execute("DROP INDEX segments_not_uploaded");
            st.execute("ALTER TABLE segments DROP COLUMN uploaded_ms");
        }
        String first = Recordings.rows(cam).get(0).path();
        Files.createDirectories(cam.resolve("2026/01/01"));
        Files.copy(cam.resolve(first), cam.resolve("2026/01/01/00-00-00.ts"));

        Recorder recorder = recorder(config(Duration.ofSeconds(1)), S3ObjectStore.DEFAULT_PART_SIZE).start();
        try {
            assertThat(recorder.stats().repaired()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.uploadStats().uploaded() == 4);
        } finally {
            recorder.close();
        }
        assertThat(Recordings.rows(cam)).hasSize(4);
        assertEverySegmentArrivedIntact(cam);
    }

    @Test
    void closeWaitsForAHangingStoreOnlySoLongAndWhatIsLeftStaysQueued() throws Exception {
        Path cam = dir.resolve("cam");
        forwarder.hang();
        Recorder recorder = recorder(config(Duration.ofSeconds(1)), S3ObjectStore.DEFAULT_PART_SIZE,
                Duration.ofMillis(500)).start();
        long closing;
        try {
            Recordings.send(recorder, TestStream.datagrams(new TestStream().seconds(2).bytes()));
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().segments() >= 1);
        } finally {
            closing = System.nanoTime();
            recorder.close();
        }
        // 0.5 s of close wait and 1 s for the thread to end, not the 60 s of the socket timeout
        long closeMs = (System.nanoTime() - closing) / 1_000_000;
        assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(3));
        assertThat(Recordings.rows(cam)).hasSize(2);
        assertThat(notUploaded(cam)).isEqualTo(2);
        assertThat(recorder.uploadStats().uploaded()).isZero();
        assertThat(recorder.uploadStats().pending()).isEqualTo(2);
        Figures.of("fault.storage.hang-at-close").put("close_ms", closeMs).put("close_wait_ms", 500)
                .put("segments_recorded", Recordings.rows(cam).size())
                .put("segments_left_queued", notUploaded(cam))
                .put("segments_lost", Recordings.rows(cam).size() - notUploaded(cam)
                        - recorder.uploadStats().uploaded())
                .record(getClass(), "closeWaitsForAHangingStoreOnlySoLongAndWhatIsLeftStaysQueued");
    }
}
