package io.streamtee.record;

import io.streamtee.cli.LogContext;
import io.streamtee.net.Backoff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads one camera's finished segments, then a snapshot of its index, to an {@link ObjectStore}, on a thread of
 * its own: a slow or unreachable store never holds up the receive thread, which only calls {@link #wake()}.
 *
 * <p><b>The queue is the index.</b> A closed segment whose {@code uploaded_ms} is null waits for upload, oldest
 * first; the uploader sets it once the store has the segment. So nothing is held in memory, a segment is never
 * dropped while the store is down (the recorder's retention keeps it too), and the next start uploads whatever a
 * stop, a crash or an outage left. The uploader reads and writes the index through its own SQLite connection (see
 * {@link SegmentIndex} for why that is safe).
 *
 * <p><b>Failures.</b> A failed upload is retried after a backoff (1 s doubling to 60 s, with jitter), forever, in
 * order. The first failure is logged, then at most one line per 10 s with how long and how many segments wait; when
 * the store answers again, one line says so.
 *
 * <p><b>The index</b> ({@code camera/index.db}) is uploaded as a consistent copy ({@code VACUUM INTO}) after segments
 * were uploaded, when no segment waits: right after the first, then at most once per {@code indexEvery} (a minute),
 * and at close. So the index in the bucket lags the segments there by at most that (or by a backlog).
 *
 * <p>{@link #close()} lets an upload in progress finish and works on the queue for at most {@code closeWait}; what
 * is left stays queued in the index for the next start. Idempotent.
 */
final class Uploader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);
    static final String SEGMENT_TYPE = "video/mp2t";
    static final String INDEX_TYPE = "application/vnd.sqlite3";
    static final Duration INDEX_EVERY = Duration.ofSeconds(60);
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;
    /** The longest the thread sleeps with nothing to do; a missed wake-up costs at most this. */
    private static final long IDLE_NANOS = 1_000_000_000L;

    private final ObjectStore store;
    private final Path cameraDir;
    private final String camera;
    /** 1 s, 2 s, 4 s, ... up to a minute, with jitter. */
    static final Backoff UPLOAD_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    private final Backoff backoff;
    private final Duration indexEvery;
    private final Duration closeWait;
    private final Clock clock;
    private final Random random = new Random();
    private final AtomicBoolean work = new AtomicBoolean(true);

    private SegmentIndex index;
    private Thread thread;
    private volatile boolean stopping;
    private volatile long stopDeadline;
    private boolean closed;

    // uploader thread state
    private int failuresInARow;
    private long outageStart;
    private long lastWarning;
    private boolean indexDirty;
    private boolean indexUploaded;
    private long lastIndexUpload;

    // counters: written by the uploader thread, read by any
    private volatile long uploadedSegments;
    private volatile long uploadedBytes;
    private volatile long failures;
    private volatile long pending;
    private volatile long pendingBytes;
    private volatile long indexUploads;

    /**
     * @param store where to upload; closed by {@link #close()}
     * @param config the recorder's: the camera and its directory
     * @param backoff the waits between failed attempts
     * @param indexEvery at most this often the index is uploaded while segments keep coming
     * @param closeWait how long {@link #close()} goes on uploading
     */
    Uploader(ObjectStore store, RecorderConfig config, Backoff backoff, Duration indexEvery, Duration closeWait,
            Clock clock) {
        this.store = store;
        this.cameraDir = config.cameraDir();
        this.camera = config.camera();
        this.backoff = backoff;
        this.indexEvery = indexEvery;
        this.closeWait = closeWait;
        this.clock = clock;
    }

    /** The uploader {@code streamtee record --store} runs: S3, configured from the config and the environment. */
    static Uploader s3(RecorderConfig config) {
        Map<String, String> env = System.getenv();
        return new Uploader(S3ObjectStore.open(config.store(), env), config, UPLOAD_BACKOFF, INDEX_EVERY, CLOSE_WAIT,
                Clock.systemUTC());
    }

    /** A snapshot of the counters; {@code pending} is what waits in the index, as of the uploader's last look. */
    record Stats(long uploaded, long uploadedBytes, long failures, long pending, long pendingBytes, long indexUploads) {
    }

    Stats stats() {
        return new Stats(uploadedSegments, uploadedBytes, failures, pending, pendingBytes, indexUploads);
    }

    ObjectStore store() {
        return store;
    }

    /**
     * Opens the uploader's own connection to the index and starts its thread, which first uploads whatever waits.
     *
     * @throws RecordException when the index cannot be opened
     */
    synchronized Uploader start() {
        if (thread != null || closed) {
            throw new IllegalStateException("uploader already started");
        }
        Path file = cameraDir.resolve("index.db");
        try {
            index = SegmentIndex.open(file);
        } catch (SQLException e) {
            throw new RecordException(file + ": cannot open the index for the uploader (" + e.getMessage() + ")", e);
        }
        thread = Thread.ofPlatform().name("upload-" + camera).daemon().unstarted(LogContext.carry(this::run));
        thread.start();
        LOG.info("uploading finished segments to {}", store);
        return this;
    }

    /** Says that a segment was closed. Never blocks: callable from the receive thread. */
    void wake() {
        Thread t = thread;
        if (work.compareAndSet(false, true) && t != null) {
            LockSupport.unpark(t);
        }
    }

    // ---------------------------------------------------------------- the uploader thread

    private enum Step { PROGRESS, IDLE, FAILED }

    private void run() {
        try {
            while (!(stopping && System.nanoTime() - stopDeadline >= 0)) {
                work.set(false);
                Step step = step();
                if (stopping && step != Step.PROGRESS) {
                    break; // closing: no waiting, no retrying
                }
                if (step == Step.FAILED) {
                    pause(backoff.delayMillis(failuresInARow, random) * 1_000_000L, false);
                } else if (step == Step.IDLE) {
                    pause(indexDirty ? Math.max(0, lastIndexUpload + indexEvery.toNanos() - System.nanoTime())
                            : IDLE_NANOS, true);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("{}: the uploader stopped: {}; the next start uploads what waits", store.url(), e.toString());
            LOG.debug("details", e);
        } finally {
            try {
                countPending();
            } catch (SQLException e) {
                LOG.debug("cannot count what waits for upload", e);
            }
            if (pending > 0) {
                LOG.info("{}: {} segments ({}) not uploaded yet; they wait in the index for the next start",
                        store.url(), pending, io.streamtee.config.Units.formatBytes(pendingBytes));
            }
            try {
                index.close();
            } catch (SQLException e) {
                LOG.debug("close failed", e);
            }
        }
    }

    /** One unit of work: the oldest waiting segment, else the index when it is due. */
    private Step step() {
        List<SegmentIndex.Row> next;
        try {
            next = index.notUploaded(1);
            countPending();
        } catch (SQLException e) {
            return failed("(reading the index)", "index: " + e.getMessage(), e);
        }
        if (!next.isEmpty()) {
            return upload(next.get(0));
        }
        if (indexDirty && (stopping || !indexUploaded
                || System.nanoTime() - lastIndexUpload >= indexEvery.toNanos())) {
            return uploadIndex();
        }
        return Step.IDLE;
    }

    private void countPending() throws SQLException {
        long[] p = index.notUploadedCountAndBytes();
        pending = p[0];
        pendingBytes = p[1];
    }

    private Step upload(SegmentIndex.Row row) {
        String key = camera + "/" + row.path();
        try {
            long bytes = store.put(key, cameraDir.resolve(row.path()), SEGMENT_TYPE);
            index.uploaded(row.id(), clock.millis());
            uploadedSegments++;
            uploadedBytes += bytes;
            indexDirty = true;
            countPending();
            succeeded();
            LOG.debug("uploaded {} ({} bytes)", key, bytes);
            return Step.PROGRESS;
        } catch (NoSuchFileException e) {
            return gone(row);
        } catch (IOException e) {
            return failed(key, e.getMessage(), e);
        } catch (SQLException e) {
            // in the store, but the index does not say so: uploaded again later, which is harmless
            return failed(key, "uploaded, but the index cannot record it: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // whatever the SDK throws that it should not: one more failed attempt, never the end of uploading
            return failed(key, e.toString(), e);
        }
    }

    /** The file went before it was uploaded: deleted for space (the recorder counted that) or by hand. */
    private Step gone(SegmentIndex.Row row) {
        try {
            if (!index.contains(row.path())) {
                return Step.PROGRESS; // its row went with it
            }
            LOG.warn("{}: {} is gone from disk before it was uploaded; forgetting it", store.url(), row.path());
            index.delete(row.id());
            return Step.PROGRESS;
        } catch (SQLException e) {
            return failed(row.path(), "index: " + e.getMessage(), e);
        }
    }

    private Step uploadIndex() {
        Path copy = cameraDir.resolve(".index-upload.db");
        try {
            Files.deleteIfExists(copy);
            index.snapshot(copy);
            store.put(camera + "/index.db", copy, INDEX_TYPE);
            indexUploads++;
            indexDirty = false;
            indexUploaded = true;
            lastIndexUpload = System.nanoTime();
            succeeded();
            return Step.PROGRESS;
        } catch (SQLException e) {
            return failed(camera + "/index.db", "cannot copy the index: " + e.getMessage(), e);
        } catch (IOException e) {
            return failed(camera + "/index.db", e.getMessage(), e);
        } catch (RuntimeException e) {
            return failed(camera + "/index.db", e.toString(), e);
        } finally {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                LOG.debug("cannot delete {}", copy, e);
            }
        }
    }

    private void succeeded() {
        if (failuresInARow > 0) {
            LOG.info("{}: store back after {} s, {} segments waiting", store.url(),
                    (System.nanoTime() - outageStart) / 1_000_000_000L, pending);
            failuresInARow = 0;
        }
    }

    private Step failed(String what, String reason, Exception e) {
        failures++;
        failuresInARow++;
        long now = System.nanoTime();
        if (failuresInARow == 1) {
            outageStart = now;
            lastWarning = now;
            LOG.warn("{}: cannot upload {}: {}; segments wait on local disk, retrying", store.url(), what, reason);
        } else if (now - lastWarning >= WARN_EVERY_NANOS) {
            lastWarning = now;
            LOG.warn("{}: uploads still failing after {} s ({} attempts, {} segments waiting): {}", store.url(),
                    (now - outageStart) / 1_000_000_000L, failuresInARow, pending, reason);
        }
        LOG.debug("details", e);
        return Step.FAILED;
    }

    /** Sleeps {@code nanos}, or less when closing, or (if {@code wakeOnWork}) when a segment was closed. */
    private void pause(long nanos, boolean wakeOnWork) {
        long until = System.nanoTime() + nanos;
        while (!stopping && !(wakeOnWork && work.get())) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(this, left);
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Uploads what it can within {@code closeWait} (an upload in progress finishes; a failure ends it at once),
     * then stops the thread and closes the store. What is left waits in the index for the next start.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread t = thread;
        if (t != null) {
            stopDeadline = System.nanoTime() + closeWait.toNanos();
            stopping = true;
            LockSupport.unpark(t);
            if (!join(t, closeWait)) {
                t.interrupt(); // the SDK gives up between requests when interrupted
                if (!join(t, Duration.ofSeconds(1))) {
                    LOG.warn("{}: an upload still runs {} s after close began; it is left to finish or fail on its "
                            + "own, and the next start uploads that segment again", store.url(),
                            closeWait.toSeconds() + 1);
                }
            }
        }
        store.close();
    }

    private static boolean join(Thread t, Duration wait) {
        boolean interrupted = false;
        long until = System.nanoTime() + wait.toNanos();
        try {
            while (t.isAlive()) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    t.join(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
