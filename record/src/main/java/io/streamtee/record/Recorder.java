package io.streamtee.record;

import io.streamtee.config.Endpoint;
import io.streamtee.config.Units;
import io.streamtee.ts.TsPacket;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
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
 * <p><b>Durability.</b> Received data reaches the file and is forced to disk (fdatasync) within about half a second;
 * a recorder killed outright loses at most that. {@link #start()} first repairs what a killed recorder left: a
 * segment file with no closed row in the index is cut to whole packets, scanned and indexed.
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
 * <p><b>Threads.</b> One platform thread receives, segments and writes; SO_RCVBUF (8 MiB) absorbs a slow disk for a
 * few seconds. {@link #close()} ends the current segment cleanly (flushed, forced, indexed), gives the uploader a few
 * seconds to upload it, and is idempotent.
 */
public final class Recorder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
    /** Data is written and forced at most this long after it arrived. */
    private static final long FLUSH_NANOS = 500_000_000L;
    /** No data for this long is a gap: the segment ends, and the gap is indexed when data comes back. */
    private static final long STOPPED_NANOS = 2_000_000_000L;
    /** Continuity errors closer than this are one "loss" gap. */
    private static final long LOSS_MERGE_MILLIS = 1000;
    private static final long SELECT_MILLIS = 100;
    private static final int RECEIVE_BUFFER = 8 << 20;
    private static final int WRITE_BUFFER = 256 << 10;
    /** Segments deleted at most per write failure for lack of space before giving up on that write. */
    private static final int MAX_FREE_PER_WRITE = 64;
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;
    /** How often a summary line is logged while recording. */
    private static final long SUMMARY_EVERY_NANOS = 60_000_000_000L;

    private final RecorderConfig config;
    private final Clock clock;
    private final SegmentStore store;
    private final Duration housekeepingInterval;
    private final Path cameraDir;
    private final Function<RecorderConfig, Uploader> uploads;

    private SegmentIndex index;
    private Uploader uploader;
    /** What waits for upload once closed: count and bytes, from the index (the uploader may not have looked). */
    private volatile long[] pendingAtClose;
    private CameraDirectory recordings;
    private java.nio.channels.FileChannel lockFile;
    private DatagramChannel channel;
    private Selector selector;
    private Thread thread;
    private InetSocketAddress localAddress;
    private volatile boolean stopping;
    private boolean started;
    private boolean closed;

    // receive thread state
    private final Segmenter segmenter;
    private final ByteBuffer buffer = ByteBuffer.allocate(WRITE_BUFFER);
    private SegmentStore.SegmentFile file;
    private String currentPath;
    private long written;
    private boolean broken;
    /** Arrival of the oldest byte not yet forced to disk, or 0. */
    private long unflushedSince;
    private long nowNanos;
    private long nowMillis;
    private long lastDataNanos;
    private long lastDataMillis;
    private boolean streamStopped;
    private long nextHousekeeping;
    private long nextSummary;
    private long lastWriteWarning;
    private long suppressedWriteWarnings;
    private long lossStart;
    private long lossEnd;
    private long lossCount;
    private int lossPid;
    private String lossSegment;

    // counters: written by the receive thread (and start()), read by any
    private volatile long datagrams;
    private volatile long bytesReceived;
    private volatile long segmentsClosed;
    private volatile long bytesWritten;
    private volatile long lostBytes;
    private volatile long writeErrors;
    private volatile long continuityErrors;
    private volatile long gaps;

    public Recorder(RecorderConfig config) {
        this(config, Clock.systemUTC(), SegmentStore.FILES, Duration.ofMinutes(1));
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
        this.segmenter = new Segmenter(config.segment(), new Output());
    }

    /** A snapshot of the counters. */
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
     * Opens the index, repairs what a killed recorder left, applies retention, binds the socket and starts
     * recording.
     *
     * @return this recorder
     * @throws RecordException with a one-line message when the directory, the index or the socket cannot be opened
     */
    public synchronized Recorder start() {
        if (started) {
            throw new IllegalStateException("recorder already started");
        }
        started = true;
        try {
            try {
                Files.createDirectories(cameraDir);
            } catch (IOException e) {
                throw new RecordException(cameraDir + ": cannot create the recordings directory (" + reason(e) + ")",
                        e);
            }
            lock();
            try {
                index = SegmentIndex.open(cameraDir.resolve("index.db"));
            } catch (SQLException e) {
                throw new RecordException(cameraDir.resolve("index.db") + ": cannot open the index ("
                        + e.getMessage() + ")", e);
            }
            recordings = new CameraDirectory(config, clock, index);
            recordings.repairAll();
            recordings.retention(0);
            bind();
            if (config.store() != null) {
                uploader = uploads.apply(config);
                uploader.start(); // uploads first what an earlier run (or one without --store) left waiting
            }
            nextHousekeeping = System.nanoTime() + housekeepingInterval.toNanos();
            nextSummary = System.nanoTime() + SUMMARY_EVERY_NANOS;
            thread = Thread.ofPlatform().name("record-" + config.camera()).unstarted(this::run);
            thread.start();
            LOG.info("recording {} (listening on {}) to {} ({} segments{}{})", config.listen(),
                    localAddress.getAddress().getHostAddress() + ":" + localAddress.getPort(), cameraDir,
                    human(config.segment()), config.keep().isZero() ? "" : ", kept " + human(config.keep()),
                    config.maxBytes() == 0 ? "" : ", at most " + Units.formatBytes(config.maxBytes()));
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code 7d}, {@code 10s}, {@code 1.5s}: a duration as the flags take it. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms / 1000.0 + "s";
    }

    /** One recorder per camera directory: a second one would "repair" the segment the first is writing. */
    private void lock() {
        Path path = cameraDir.resolve(".lock");
        try {
            lockFile = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            if (lockFile.tryLock() == null) {
                throw new RecordException(cameraDir + ": another recorder is recording here (use another --camera "
                        + "or --dir)");
            }
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new RecordException(cameraDir + ": another recorder is recording here (use another --camera "
                    + "or --dir)", e);
        } catch (IOException e) {
            throw new RecordException(path + ": cannot lock the recordings directory (" + reason(e) + ")", e);
        }
    }

    /** The bound address (the real port when asked for port 0). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public RecorderConfig config() {
        return config;
    }

    public Stats stats() {
        return new Stats(datagrams, bytesReceived, segmentsClosed, bytesWritten, segmenter.skippedBytes(), lostBytes,
                writeErrors, recordings == null ? 0 : recordings.indexErrors,
                recordings == null ? 0 : recordings.diskFullDeletions,
                recordings == null ? 0 : recordings.retentionDeletions, recordings == null ? 0 : recordings.repaired,
                continuityErrors, gaps);
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
        return thread;
    }

    private void bind() {
        Endpoint listen = config.listen();
        InetSocketAddress address = listen.address();
        try {
            channel = DatagramChannel.open(listen.isIpv6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            int got = channel.getOption(StandardSocketOptions.SO_RCVBUF);
            if (got < RECEIVE_BUFFER) {
                LOG.warn("receive buffer capped at {} by the kernel; a slow disk may lose data "
                        + "(sudo sysctl -w net.core.rmem_max={})", Units.formatBytes(got), RECEIVE_BUFFER);
            }
            if (listen.isMulticast()) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(new InetSocketAddress(address.getPort()));
                NetworkInterface iface = listen.networkInterface() != null ? listen.networkInterface()
                        : multicastInterface(listen.isIpv6());
                if (listen.source() != null) {
                    channel.join(address.getAddress(), iface, listen.source());
                } else {
                    channel.join(address.getAddress(), iface);
                }
            } else {
                channel.bind(address);
            }
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            InetSocketAddress bound = (InetSocketAddress) channel.getLocalAddress();
            localAddress = listen.isMulticast() ? new InetSocketAddress(address.getAddress(), bound.getPort()) : bound;
        } catch (BindException e) {
            throw new RecordException(listen + ": address already in use (is another recorder listening on this "
                    + "port?)", e);
        } catch (IOException e) {
            throw new RecordException(listen + ": cannot listen (" + reason(e) + ")", e);
        }
    }

    private static NetworkInterface multicastInterface(boolean ipv6) throws SocketException {
        for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (i.isUp() && i.supportsMulticast() && !i.isLoopback()
                    && i.inetAddresses().anyMatch(a -> (a instanceof Inet6Address) == ipv6)) {
                return i;
            }
        }
        return NetworkInterface.getByName("lo");
    }

    // ---------------------------------------------------------------- the receive thread

    private void run() {
        ByteBuffer in = ByteBuffer.allocate(65_536);
        byte[] data = in.array();
        try {
            while (!stopping) {
                try {
                    selector.select(SELECT_MILLIS);
                    selector.selectedKeys().clear();
                    for (int n = 0; n < 256 && !stopping; n++) {
                        in.clear();
                        if (channel.receive(in) == null) {
                            break;
                        }
                        datagram(data, in.position());
                    }
                    tick();
                } catch (IOException | RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    LOG.error("recorder: unexpected error, recording goes on: {}", e.toString());
                    LOG.debug("details", e);
                }
            }
        } finally {
            finish();
        }
    }

    private void datagram(byte[] data, int length) {
        nowNanos = System.nanoTime();
        nowMillis = clock.millis();
        if (streamStopped) {
            streamStopped = false;
            long away = nowMillis - lastDataMillis;
            LOG.info("stream back after {} s", away / 1000.0);
            indexGap(new SegmentIndex.Gap("stopped", lastDataMillis, nowMillis, 1, null, null));
        }
        lastDataNanos = nowNanos;
        lastDataMillis = nowMillis;
        datagrams++;
        bytesReceived += length;
        segmenter.feed(data, 0, length, nowNanos, nowMillis);
        if (unflushedSince != 0 && nowNanos - unflushedSince >= FLUSH_NANOS) {
            drain(true);
        }
    }

    /** Time-driven work: the flush deadline, a stream that stopped, loss gaps to index, periodic retention. */
    private void tick() {
        nowNanos = System.nanoTime();
        nowMillis = clock.millis();
        if (unflushedSince != 0 && nowNanos - unflushedSince >= FLUSH_NANOS) {
            drain(true);
        }
        if (!streamStopped && lastDataNanos != 0 && nowNanos - lastDataNanos > STOPPED_NANOS) {
            streamStopped = true;
            LOG.warn("no data for {} s: segment closed, waiting for the stream", STOPPED_NANOS / 1_000_000_000L);
            segmenter.finish(lastDataMillis);
        }
        if (lossCount > 0 && nowMillis - lossEnd > LOSS_MERGE_MILLIS) {
            flushLoss();
        }
        if (nowNanos - nextHousekeeping >= 0) {
            nextHousekeeping = nowNanos + housekeepingInterval.toNanos();
            recordings.retention(written + buffer.position());
        }
        if (nowNanos - nextSummary >= 0) {
            nextSummary = nowNanos + SUMMARY_EVERY_NANOS;
            LOG.info("recording: {}", summary());
        }
    }

    private String summary() {
        Stats s = stats();
        UploadStats u = uploadStats();
        return s.datagrams() + " datagrams, " + s.segments() + " segments, " + Units.formatBytes(s.bytesWritten())
                + " written, " + Units.formatBytes(s.lostBytes()) + " lost, " + s.writeErrors() + " write errors, "
                + s.continuityErrors() + " continuity errors, " + s.diskFullDeletions() + " deleted for space, "
                + s.retentionDeletions() + " by retention"
                + (u == null ? "" : "; " + u.uploaded() + " uploaded (" + Units.formatBytes(u.uploadedBytes())
                        + "), " + u.pending() + " waiting for upload, " + u.failures() + " upload failures"
                        + (u.lostForUpload() == 0 ? "" : ", " + u.lostForUpload() + " deleted for space before "
                                + "upload"));
    }

    /** Ends recording on the receive thread: the current segment is closed, flushed and indexed. */
    private void finish() {
        try {
            nowMillis = clock.millis();
            segmenter.finish(lastDataMillis != 0 ? lastDataMillis : nowMillis);
            flushLoss();
        } catch (RuntimeException e) {
            LOG.error("recorder: closing the last segment failed: {}", e.toString());
            LOG.debug("details", e);
        }
    }

    private final class Output implements Segmenter.Output {
        @Override
        public void open(Segment segment) {
            openFile(segment);
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            if (file == null) {
                lostBytes += len;
                return;
            }
            if (unflushedSince == 0) {
                unflushedSince = nowNanos;
            }
            while (len > 0) {
                int n = Math.min(buffer.remaining(), len);
                buffer.put(buf, off, n);
                off += n;
                len -= n;
                if (!buffer.hasRemaining()) {
                    drain(false);
                    if (file == null) {
                        lostBytes += len;
                        return;
                    }
                }
            }
        }

        @Override
        public void close(Segment segment) {
            closeFile(segment);
        }

        @Override
        public void continuityError(int pid, long wallMillis) {
            continuityErrors++;
            if (lossCount > 0 && wallMillis - lossEnd <= LOSS_MERGE_MILLIS) {
                lossEnd = wallMillis;
                lossCount++;
                if (lossPid != pid) {
                    lossPid = -1; // several PIDs: one loss event all the same
                }
                return;
            }
            flushLoss();
            lossStart = wallMillis;
            lossEnd = wallMillis;
            lossCount = 1;
            lossPid = pid;
            lossSegment = currentPath;
        }
    }

    private void openFile(Segment segment) {
        currentPath = recordings.newSegmentName(segment.startWallMillis());
        Path path = cameraDir.resolve(currentPath);
        segment.path(path);
        written = 0;
        broken = false;
        buffer.clear();
        unflushedSince = 0;
        for (int attempt = 0; ; attempt++) {
            try {
                file = store.create(path);
                break;
            } catch (IOException e) {
                if (noSpace(e) && attempt < MAX_FREE_PER_WRITE && recordings.freeOldest()) {
                    continue;
                }
                writeFailed("cannot create " + currentPath, e);
                file = null;
                broken = true;
                segmenter.cutAtNextKeyframe();
                return;
            }
        }
        recordings.opened(currentPath, segment);
        LOG.debug("segment {} started", currentPath);
    }

    /** Writes the buffer to the file (and forces it); frees space and retries when the disk is full. */
    private void drain(boolean force) {
        if (force) {
            unflushedSince = 0; // a write without force keeps the deadline of the oldest byte not yet forced
        }
        if (file == null) {
            lostBytes += buffer.position();
            buffer.clear();
            return;
        }
        buffer.flip();
        try {
            for (int attempt = 0; ; attempt++) {
                int before = buffer.position();
                try {
                    file.write(buffer);
                    written += buffer.position() - before;
                    break;
                } catch (IOException e) {
                    written += buffer.position() - before;
                    if (noSpace(e) && attempt < MAX_FREE_PER_WRITE && recordings.freeOldest()) {
                        continue;
                    }
                    throw e;
                }
            }
            if (force) {
                file.force();
            }
        } catch (IOException e) {
            lostBytes += buffer.remaining();
            writeFailed("writing " + currentPath, e);
            abandonFile();
        } finally {
            buffer.clear();
        }
    }

    /** After a write failure: keep what was written (cut to whole packets), stop writing this segment. */
    private void abandonFile() {
        try {
            long whole = written - written % TsPacket.SIZE;
            file.truncate(whole);
            written = whole;
        } catch (IOException e) {
            LOG.debug("truncate after a failed write failed", e);
        }
        closeQuietly();
        broken = true;
        segmenter.cutAtNextKeyframe();
    }

    private void closeQuietly() {
        try {
            if (file != null) {
                file.close();
            }
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
        file = null;
    }

    private void closeFile(Segment segment) {
        if (file != null) {
            drain(true);
        }
        closeQuietly();
        String rel = currentPath;
        currentPath = null;
        Path path = segment.path();
        Segment indexed = segment;
        if (broken) {
            // the file holds less than the segmenter wrote: index what is really there
            try {
                if (!Files.exists(path) || Files.size(path) == 0) {
                    Files.deleteIfExists(path);
                    recordings.deleteRow(rel);
                    return;
                }
                indexed = SegmentScan.scan(path, segment.startWallMillis());
                indexed.endWallMillis = segment.endWallMillis();
            } catch (IOException e) {
                LOG.warn("segment {}: cannot read it back after a write failure ({})", rel, reason(e));
                return;
            }
        }
        bytesWritten += indexed.bytes();
        segmentsClosed++;
        recordings.closed(rel, indexed);
        if (uploader != null) {
            uploader.wake();
        }
        LOG.debug("segment {} closed: {}", rel, indexed);
        recordings.retention(0);
    }

    private void flushLoss() {
        if (lossCount == 0) {
            return;
        }
        indexGap(new SegmentIndex.Gap("loss", lossStart, lossEnd, lossCount, lossPid < 0 ? null : lossPid,
                lossSegment));
        LOG.warn("lost packets: {} continuity errors on {} in {} ms", lossCount,
                lossPid < 0 ? "several PIDs" : "PID " + lossPid, lossEnd - lossStart);
        lossCount = 0;
    }

    private void indexGap(SegmentIndex.Gap gap) {
        gaps++;
        recordings.gap(gap);
    }

    private void writeFailed(String what, IOException e) {
        writeErrors++;
        long now = System.nanoTime();
        if (lastWriteWarning != 0 && now - lastWriteWarning < WARN_EVERY_NANOS) {
            suppressedWriteWarnings++;
            return;
        }
        lastWriteWarning = now;
        LOG.error("{}: {}; recording goes on with a new segment at the next keyframe ({} write errors so far{})",
                what, reason(e), writeErrors,
                suppressedWriteWarnings == 0 ? "" : ", " + suppressedWriteWarnings + " not logged");
        suppressedWriteWarnings = 0;
        LOG.debug("details", e);
    }

    static boolean noSpace(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left on device") || m.contains("Disk quota exceeded");
    }

    static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return m == null ? e.getClass().getSimpleName() : m;
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
        stopping = true;
        if (selector != null) {
            selector.wakeup();
        }
        if (thread != null) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        closeResource(uploader); // the last segment is indexed: uploads it, and the index, if it can in time
        if (uploader != null) {
            try {
                pendingAtClose = index.notUploadedCountAndBytes();
            } catch (SQLException e) {
                LOG.debug("cannot count what waits for upload", e);
            }
        }
        closeResource(selector);
        closeResource(channel);
        closeResource(index);
        closeResource(lockFile);
        if (thread != null) {
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
