package io.streamtee.record;

import io.streamtee.config.Units;
import io.streamtee.net.ReceiveException;
import io.streamtee.net.UdpReceiver;
import io.streamtee.ts.PatCheck;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one camera's UDP MPEG-TS stream: keyframe-aligned segment files
 * ({@code dir/camera/YYYY/MM/DD/HH-MM-SS.ts}, UTC, the stream's packets unchanged behind a PAT and PMT), an SQLite
 * index ({@code dir/camera/index.db}, see {@link SegmentIndex}) and retention by age and total size.
 *
 * <pre>{@code
 * try (Recorder recorder = new Recorder(RecorderConfig.of(Endpoint.parse("udp://127.0.0.1:0", INPUT), dir)).start()) {
 *     send(recorder.localAddress());
 * }
 * }</pre>
 *
 * <p><b>Input.</b> A {@link UdpReceiver} receives: only well-formed TS from one source (the first that sends a PAT
 * whose CRC checks, see {@link PatCheck}; another one only after 2 s of silence) reaches the recording; junk is
 * dropped and counted ({@link #inputStats()}). No data for 2 s ends the segment; data after that is a new stream
 * (a "stopped" gap, never packet loss).
 *
 * <p><b>Durability.</b> Received data reaches the file and is forced to disk (fdatasync) within about half a second
 * ({@link SegmentWriter}); a recorder killed outright loses at most that. {@link #start()} first binds the socket
 * (a start that fails leaves the directory as it was), then repairs what a killed recorder left: a segment file with
 * no closed row in the index is cut to whole packets, scanned and indexed.
 *
 * <p><b>Failures.</b> When a write fails for lack of space, the oldest segments are deleted until it succeeds; each
 * deletion is logged and counted. Any other write failure ends the segment (what was written stays, cut to whole
 * packets), is logged and counted, and recording goes on with a new segment at the next keyframe. Nothing on the
 * receive thread ends recording but {@link #close()}.
 *
 * <p><b>Object storage.</b> With {@link RecorderConfig#store()}, an {@link Uploader} on its own thread uploads every
 * closed segment and the index; the receive thread only wakes it. Segments wait on local disk (and retention keeps
 * them) until they are uploaded, across restarts.
 *
 * <p><b>Threads.</b> The receiver's thread receives, segments and writes; SO_RCVBUF (8 MiB) absorbs a slow disk for a
 * few seconds. {@link #close()} ends the current segment cleanly (flushed, forced, indexed), gives the uploader a few
 * seconds to upload it, and is idempotent.
 */
public final class Recorder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);

    private final RecorderConfig config;
    private final Clock clock;
    private final SegmentStore store;
    private final Duration housekeepingInterval;
    private final Path cameraDir;
    private final Function<RecorderConfig, Uploader> uploads;
    private Duration summaryEvery = Duration.ofMinutes(1);

    private UdpReceiver receiver;
    private SegmentIndex index;
    private Uploader uploader;
    /** What waits for upload once closed: count and bytes, from the index (the uploader may not have looked). */
    private volatile long[] pendingAtClose;
    private volatile CameraDirectory recordings;
    private DirectoryLock lock;
    private boolean started;
    private boolean closed;

    // receive thread state
    private final Segments segments = new Segments();
    private volatile Segmenter segmenter;
    private volatile SegmentWriter writer;
    private LossGaps loss;
    private RecorderSummary summary;
    private long startMillis;
    private long lastDataMillis;
    private boolean streamStopped;
    private long nextHousekeeping;

    // counters: written by the receive thread, read by any
    private volatile long skippedBefore; // by the segmenters of earlier streams
    private volatile long segmentsClosed;
    private volatile long bytesWritten;
    private volatile long continuityErrors;
    private volatile long gaps;

    public Recorder(RecorderConfig config) {
        this(config, Clock.systemUTC(), SegmentStore.FILES, Duration.ofMinutes(1));
    }

    /**
     * A recorder writing its segments through {@code store} (the file system is {@link SegmentStore#FILES}): for an
     * embedder's own storage, and for tests of what happens when writing stalls or fails.
     */
    public Recorder(RecorderConfig config, SegmentStore store) {
        this(config, Clock.systemUTC(), store, Duration.ofMinutes(1));
    }

    /**
     * For tests: a clock for the wall-clock side (file names, index, retention by age), a store that can fail, and
     * how often retention runs besides after each segment.
     */
    Recorder(RecorderConfig config, Clock clock, SegmentStore store, Duration housekeepingInterval) {
        this(config, clock, store, housekeepingInterval, Uploader::s3);
    }

    /** For tests: also how the uploader is made when the config has an object store (at {@link #start()}). */
    Recorder(RecorderConfig config, Clock clock, SegmentStore store, Duration housekeepingInterval,
            Function<RecorderConfig, Uploader> uploads) {
        this.config = config;
        this.clock = clock;
        this.store = store;
        this.housekeepingInterval = housekeepingInterval;
        this.cameraDir = config.cameraDir();
        this.uploads = uploads;
        this.segmenter = new Segmenter(config.segment(), segments);
    }

    /** For tests: how often the summary line is logged (a minute by default). Before {@link #start()}. */
    Recorder summaryEvery(Duration every) {
        summaryEvery = every;
        return this;
    }

    /** A snapshot of the counters; {@code datagrams} and {@code bytesReceived} count the stream taken. */
    public record Stats(long datagrams, long bytesReceived, long segments, long bytesWritten, long skippedBytes,
            long lostBytes, long writeErrors, long indexErrors, long diskFullDeletions, long retentionDeletions,
            long repaired, long continuityErrors, long gaps) {
    }

    /**
     * The object store's counters.
     *
     * @param uploaded segments uploaded since start
     * @param uploadedBytes their bytes
     * @param failures failed upload attempts (each is retried)
     * @param pending closed segments waiting for upload (as of the uploader's last look at the index)
     * @param pendingBytes their bytes
     * @param indexUploads times the index was uploaded
     * @param keptForUpload segments retention would delete but keeps until they are uploaded (as of its last run)
     * @param lostForUpload segments deleted for space before they were uploaded
     */
    public record UploadStats(long uploaded, long uploadedBytes, long failures, long pending, long pendingBytes,
            long indexUploads, long keptForUpload, long lostForUpload) {
    }

    /**
     * Binds the socket, opens the index, repairs what a killed recorder left, applies retention and starts
     * recording. When it fails, what it created in the recordings directory is removed again.
     *
     * @return this recorder
     * @throws RecordException with a one-line message when the socket, the directory or the index cannot be opened
     */
    public synchronized Recorder start() {
        if (started) {
            throw new IllegalStateException("recorder already started");
        }
        started = true;
        try {
            receiver = new UdpReceiver(config.listen(), UdpReceiver.Options.of("recorder")
                    .withStartsStream(PatCheck::startsStream).withCamera(config.camera()), new Input());
            try {
                receiver.bind();
            } catch (ReceiveException e) {
                throw new RecordException(e.getMessage(), e);
            }
            lock = DirectoryLock.acquire(cameraDir);
            Path indexFile = cameraDir.resolve("index.db");
            lock.created(indexFile);
            try {
                index = SegmentIndex.open(indexFile);
            } catch (SQLException e) {
                throw new RecordException(indexFile + ": cannot open the index (" + e.getMessage() + ")", e);
            }
            CameraDirectory dir = new CameraDirectory(config, clock, index);
            recordings = dir;
            dir.repairAll();
            dir.retention(0);
            dir.checkSizeLimit(null);
            writer = new SegmentWriter(cameraDir, store, dir, () -> segmenter.cutAtNextKeyframe());
            loss = new LossGaps(this::indexGap);
            if (config.store() != null) {
                uploader = uploads.apply(config);
                uploader.start(); // uploads first what an earlier run (or one without --store) left waiting
            }
            long now = System.nanoTime();
            startMillis = clock.millis();
            nextHousekeeping = now + housekeepingInterval.toNanos();
            summary = new RecorderSummary(summaryEvery, clock.getZone(), now);
            receiver.start();
            LOG.info("recording {} ({}) to {} ({} segments{}{})", config.listen(), receiver.where(), cameraDir,
                    Units.formatDuration(config.segment()),
                    config.keep().isZero() ? "" : ", kept " + Units.formatDuration(config.keep()),
                    config.maxBytes() == 0 ? "" : ", at most " + Units.formatBytes(config.maxBytes()));
            return this;
        } catch (RuntimeException e) {
            close();
            if (lock != null) {
                lock.undo(); // a failed start leaves the directory as it was
            }
            throw e;
        }
    }

    /** The bound address (the real port when asked for port 0); null for a plugged input ({@code rtsp://}). */
    public InetSocketAddress localAddress() {
        return receiver == null ? null : receiver.localAddress();
    }

    public RecorderConfig config() {
        return config;
    }

    public Stats stats() {
        UdpReceiver.Stats in = receiver == null ? null : receiver.stats();
        CameraDirectory dir = recordings;
        SegmentWriter w = writer;
        return new Stats(in == null ? 0 : in.accepted(), in == null ? 0 : in.acceptedBytes(), segmentsClosed,
                bytesWritten, skippedBefore + segmenter.skippedBytes(), w == null ? 0 : w.lostBytes(),
                w == null ? 0 : w.writeErrors(), dir == null ? 0 : dir.indexErrors,
                dir == null ? 0 : dir.diskFullDeletions, dir == null ? 0 : dir.retentionDeletions,
                dir == null ? 0 : dir.repaired, continuityErrors, gaps);
    }

    /** The input's counters: every datagram received, what was taken, what was dropped and why, the source. */
    public UdpReceiver.Stats inputStats() {
        return receiver.stats();
    }

    /** The object store's counters, or null without one. */
    public UploadStats uploadStats() {
        Uploader u = uploader;
        if (u == null) {
            return null;
        }
        Uploader.Stats s = u.stats();
        long[] p = pendingAtClose;
        return new UploadStats(s.uploaded(), s.uploadedBytes(), s.failures(), p != null ? p[0] : s.pending(),
                p != null ? p[1] : s.pendingBytes(), s.indexUploads(), recordings.keptForUpload,
                recordings.lostForUpload);
    }

    /** The uploader, or null (for tests). */
    Uploader uploader() {
        return uploader;
    }

    /** The receiving thread (for CPU measurements). */
    Thread thread() {
        return receiver.thread();
    }

    private String summary() {
        Stats s = stats();
        UploadStats u = uploadStats();
        UdpReceiver.Stats in = receiver == null ? null : receiver.stats();
        return s.datagrams() + " datagrams, " + s.segments() + " segments, " + Units.formatBytes(s.bytesWritten())
                + " written, " + Units.formatBytes(s.lostBytes()) + " lost, " + s.writeErrors() + " write errors, "
                + s.continuityErrors() + " continuity errors, " + s.diskFullDeletions() + " deleted for space, "
                + s.retentionDeletions() + " by retention"
                + (in == null || in.dropped() == 0 ? "" : "; " + in.dropped() + " datagrams dropped " + drops(in))
                + (in == null || in.input().isEmpty() ? "" : "; input " + in.input())
                + (u == null ? "" : "; " + u.uploaded() + " uploaded (" + Units.formatBytes(u.uploadedBytes())
                        + "), " + u.pending() + " waiting for upload, " + u.failures() + " upload failures"
                        + (u.lostForUpload() == 0 ? "" : ", " + u.lostForUpload() + " deleted for space before "
                                + "upload"));
    }

    private static String drops(UdpReceiver.Stats in) {
        StringBuilder b = new StringBuilder("(");
        for (UdpReceiver.Drop d : UdpReceiver.Drop.values()) {
            if (in.dropped(d) > 0) {
                b.append(b.length() > 1 ? ", " : "").append(d.label()).append(' ').append(in.dropped(d));
            }
        }
        return b.append(')').toString();
    }

    private void indexGap(SegmentIndex.Gap gap) {
        gaps++;
        recordings.gap(gap);
    }

    // ---------------------------------------------------------------- the receive thread

    /** What the receiver hands over, on its thread. */
    private final class Input implements UdpReceiver.Listener {
        @Override
        public void onData(byte[] buf, int off, int len, long nanos) {
            long nowMillis = clock.millis();
            lastDataMillis = nowMillis;
            segmenter.feed(buf, off, len, nanos, nowMillis);
            writer.flushIfDue(nanos);
        }

        @Override
        public void onStopped(long silentNanos) {
            streamStopped = true;
            LOG.warn("no data for {} s: segment closed, waiting for the stream", silentNanos / 1_000_000_000L);
            segmenter.finish(lastDataMillis);
            loss.flush();
        }

        /** The stream is back: a new stream, whose continuity counters and clock need not follow the old one's. */
        @Override
        public void onBack(long silentNanos) {
            streamStopped = false;
            long nowMillis = clock.millis();
            LOG.info("stream back after {} s", (nowMillis - lastDataMillis) / 1000.0);
            indexGap(new SegmentIndex.Gap("stopped", lastDataMillis, nowMillis, 1, null, null));
            Segmenter ended = segmenter;
            segmenter = new Segmenter(config.segment(), segments);
            skippedBefore += ended.skippedBytes();
        }

        /** Time-driven work: the flush deadline, loss gaps to index, periodic retention, the summary line. */
        @Override
        public void onTick(long nanos) {
            long nowMillis = clock.millis();
            writer.flushIfDue(nanos);
            loss.flushIfDue(nowMillis);
            if (nanos - nextHousekeeping >= 0) {
                nextHousekeeping = nanos + housekeepingInterval.toNanos();
                recordings.retention(writer.currentBytes());
            }
            String line = summary.due(nanos, nowMillis, !streamStopped, lastDataMillis, startMillis,
                    Recorder.this::summary);
            if (line != null) {
                LOG.info("{}", line);
            }
        }

        /** Ends recording: the current segment is closed, flushed and indexed. */
        @Override
        public void onEnd() {
            try {
                segmenter.finish(lastDataMillis != 0 ? lastDataMillis : clock.millis());
                loss.flush();
            } catch (RuntimeException e) {
                LOG.error("recorder: closing the last segment failed: {}", e.toString());
                LOG.debug("details", e);
            }
        }
    }

    /** Where the segmenter's segments go: the writer, the counters, the uploader, retention. */
    private final class Segments implements Segmenter.SegmentSink {
        @Override
        public void open(Segment segment) {
            writer.open(segment);
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            writer.write(buf, off, len);
        }

        @Override
        public void close(Segment segment) {
            Segment indexed = writer.close(segment);
            if (indexed == null) {
                return;
            }
            bytesWritten += indexed.bytes();
            segmentsClosed++;
            if (uploader != null) {
                uploader.wake();
            }
            recordings.retention(0);
        }

        @Override
        public void continuityError(int pid, long wallMillis) {
            continuityErrors++;
            loss.error(pid, wallMillis, writer.currentPath());
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Stops receiving, closes the current segment (flushed, forced, indexed), lets the uploader upload for a few
     * seconds more, releases everything. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean wasRecording = receiver != null && receiver.thread() != null;
        closeResource(receiver); // its thread ends the current segment (Input.onEnd)
        closeResource(uploader); // the last segment is indexed: uploads it, and the index, if it can in time
        if (uploader != null) {
            try {
                pendingAtClose = index.notUploadedCountAndBytes();
            } catch (SQLException e) {
                LOG.debug("cannot count what waits for upload", e);
            }
        }
        closeResource(index);
        closeResource(lock);
        if (wasRecording) {
            LOG.info("recorder stopped: {}", summary());
        }
    }

    private static void closeResource(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed", e);
        }
    }
}
