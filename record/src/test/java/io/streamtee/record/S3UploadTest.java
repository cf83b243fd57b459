package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
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
        return new StoreConfig(name, "site/a", java.net.URI.create("http://127.0.0.1:" + forwarder.port()),
                S3ProxyServer.REGION, null);
    }

    private RecorderConfig config(Duration segment) {
        return Recordings.config(dir).withCamera("cam").withSegment(segment).withStore(store());
    }

    private Recorder recorder(RecorderConfig config, long multipartThreshold) {
        return new Recorder(config, Clock.systemUTC(), SegmentStore.FILES, Duration.ofMillis(200),
                c -> uploader(c, multipartThreshold));
    }

    private static Uploader uploader(RecorderConfig c, long multipartThreshold) {
        S3ObjectStore store = S3ObjectStore.open(c.store(), Map.of(), S3ProxyServer.credentials(),
                multipartThreshold, S3ObjectStore.MIN_PART_SIZE);
        return new Uploader(store, c, FAST, Duration.ofMillis(300), Duration.ofSeconds(5), Clock.systemUTC());
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
        assertThat(Recordings.column(cam, "uploaded_ms", Long.class)).doesNotContainNull();
    }

    @Test
    void segmentsAndTheIndexArriveIntact() throws Exception {
        byte[] ts = new TestStream().seconds(4).bytes();
        Recorder recorder = recorder(config(Duration.ofSeconds(1)), S3ObjectStore.DEFAULT_PART_SIZE).start();
        try {
            Recordings.send(recorder, TestStream.datagrams(ts));
            // uploaded while recording, not only at close
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.uploadStats().uploaded() == 3);
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

        // the index in the bucket is a whole SQLite database that lists every segment as uploaded
        Path copy = dir.resolve("from-bucket");
        Files.createDirectories(copy);
        Files.write(copy.resolve("index.db"), object("cam/index.db"));
        assertThat(Recordings.rows(copy)).extracting(SegmentIndex.Row::path)
                .containsExactlyElementsOf(Recordings.rows(cam).stream().map(SegmentIndex.Row::path).toList());
        assertThat(Recordings.column(copy, "uploaded_ms", Long.class)).doesNotContainNull();
    }
}
