package io.streamtee.record;

import io.streamtee.ts.TsPacket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes segment files: buffered, forced to disk (fdatasync) at most {@link #FLUSH_NANOS} after the oldest unforced
 * byte arrived. When a write fails for lack of space it deletes the oldest segments ({@link CameraDirectory#freeOldest})
 * and retries; any other failure ends the file (what was written stays, cut to whole packets), is logged (at most
 * one line per 10 s) and counted, and asks for a new segment at the next keyframe through {@code cutAtNextKeyframe}.
 * Used by one thread (the recorder's receive thread); the counters may be read by any.
 */
final class SegmentWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentWriter.class);
    /** Data is written and forced at most this long after it arrived. */
    static final long FLUSH_NANOS = 500_000_000L;
    private static final int WRITE_BUFFER = 256 << 10;
    /** Segments deleted at most per write failure for lack of space before giving up on that write. */
    private static final int MAX_FREE_PER_WRITE = 64;
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    private final Path cameraDir;
    private final SegmentStore store;
    private final CameraDirectory recordings;
    private final Runnable cutAtNextKeyframe;
    private final ByteBuffer buffer = ByteBuffer.allocate(WRITE_BUFFER);

    private SegmentStore.SegmentFile file;
    private String currentPath;
    private long written;
    private boolean broken;
    /** Arrival of the oldest byte not yet forced to disk, or 0. */
    private long unflushedSince;
    private long lastWriteWarning;
    private long suppressedWriteWarnings;

    private volatile long lostBytes;
    private volatile long writeErrors;

    SegmentWriter(Path cameraDir, SegmentStore store, CameraDirectory recordings, Runnable cutAtNextKeyframe) {
        this.cameraDir = cameraDir;
        this.store = store;
        this.recordings = recordings;
        this.cutAtNextKeyframe = cutAtNextKeyframe;
    }

    /** Bytes that did not reach a file (write failures). */
    long lostBytes() {
        return lostBytes;
    }

    long writeErrors() {
        return writeErrors;
    }

    /** The segment file being written, relative to the camera directory, or null. */
    String currentPath() {
        return currentPath;
    }

    /** Bytes of the segment being written, written or buffered. */
    long currentBytes() {
        return written + buffer.position();
    }

    /** Creates the file of a segment that begins (named after its start) and indexes it as open. */
    void open(Segment segment) {
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
                if (IoErrors.noSpace(e) && attempt < MAX_FREE_PER_WRITE && recordings.freeOldest()) {
                    continue;
                }
                writeFailed("cannot create " + currentPath, e);
                file = null;
                broken = true;
                cutAtNextKeyframe.run();
                return;
            }
        }
        recordings.opened(currentPath, segment);
        LOG.debug("segment {} started", currentPath);
    }

    void write(byte[] buf, int off, int len) {
        if (file == null) {
            lostBytes += len;
            return;
        }
        if (unflushedSince == 0) {
            unflushedSince = System.nanoTime();
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

    /** Writes and forces what is buffered when its oldest byte is {@link #FLUSH_NANOS} old. */
    void flushIfDue(long nowNanos) {
        if (unflushedSince != 0 && nowNanos - unflushedSince >= FLUSH_NANOS) {
            drain(true);
        }
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
                    if (IoErrors.noSpace(e) && attempt < MAX_FREE_PER_WRITE && recordings.freeOldest()) {
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
        cutAtNextKeyframe.run();
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

    /**
     * Ends the segment's file: flushed, forced, closed and indexed as closed.
     *
     * @return the segment as indexed (after a write failure, what the file really holds), or null when nothing of
     *     it is left
     */
    Segment close(Segment segment) {
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
                    return null;
                }
                indexed = SegmentScan.scan(path, segment.startWallMillis());
                indexed.endWallMillis = segment.endWallMillis();
            } catch (IOException e) {
                LOG.warn("segment {}: cannot read it back after a write failure ({})", rel, IoErrors.reason(e));
                return null;
            }
        }
        recordings.closed(rel, indexed);
        LOG.debug("segment {} closed: {}", rel, indexed);
        return indexed;
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
                what, IoErrors.reason(e), writeErrors,
                suppressedWriteWarnings == 0 ? "" : ", " + suppressedWriteWarnings + " not logged");
        suppressedWriteWarnings = 0;
        LOG.debug("details", e);
    }
}
