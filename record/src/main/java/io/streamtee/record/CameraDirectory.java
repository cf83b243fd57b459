package io.streamtee.record;

import io.streamtee.config.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One camera's recordings directory and its index: new segment names, repair of what a killed recorder left,
 * retention by age and size, and deleting the oldest segment when the disk is full. Index writes that fail are
 * logged and counted, never thrown: the files stay, and the next start indexes what the index missed. Used by one
 * thread at a time (the recorder's); the counters may be read by any.
 *
 * <p>With an object store, retention deletes only segments that are uploaded: one that waits for upload is kept
 * however old or however far over {@code --max-size} (counted in {@link #keptForUpload}, logged at most every 10 s).
 * A full disk still deletes to keep recording: uploaded segments first, then the oldest waiting one, which is then
 * lost for upload (counted and logged).
 */
final class CameraDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(CameraDirectory.class);
    private static final DateTimeFormatter LAYOUT = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH-mm-ss");
    private static final Pattern NAME = Pattern.compile(
            "(\\d{4})/(\\d{2})/(\\d{2})/(\\d{2})-(\\d{2})-(\\d{2})(?:_\\d+)?\\.ts");

    private final Path cameraDir;
    private final RecorderConfig config;
    private final Clock clock;
    private final SegmentIndex index;
    /** Segments are uploaded: retention must not delete one that is not yet. */
    private final boolean uploads;
    private String lastBase;
    private int lastSuffix;
    private long lastKeptWarning;
    private boolean sizeLimitChecked;

    volatile long indexErrors;
    volatile long diskFullDeletions;
    volatile long retentionDeletions;
    volatile long repaired;
    /** Segments retention would delete, as of its last run, but keeps because they are not uploaded yet. */
    volatile long keptForUpload;
    /** Segments deleted for space before they were uploaded. */
    volatile long lostForUpload;

    CameraDirectory(RecorderConfig config, Clock clock, SegmentIndex index) {
        this.cameraDir = config.cameraDir();
        this.config = config;
        this.clock = clock;
        this.index = index;
        this.uploads = config.store() != null;
    }

    /** Records a segment that has just started (so that a kill leaves an {@code open} row to repair). */
    void opened(String rel, Segment s) {
        write(() -> index.opened(rel, s));
    }

    void closed(String rel, Segment s) {
        write(() -> index.closed(rel, s, false));
        checkSizeLimit(s);
    }

    /**
     * Warns once when {@code --max-size} holds less than two segments: retention then keeps only the newest closed
     * segment (never deleted for size) and the one being written. The size of a segment is estimated from the
     * stream's rate: at start from the segments already recorded, else from the first segment that closes.
     *
     * @param closed the segment that has just closed, or null at start
     */
    void checkSizeLimit(Segment closed) {
        if (sizeLimitChecked || config.maxBytes() == 0) {
            return;
        }
        long bytes;
        long millis;
        if (closed != null) {
            bytes = closed.bytes();
            millis = closed.durationMillis();
        } else {
            try {
                long[] recorded = index.closedBytesAndMillis();
                bytes = recorded[0];
                millis = recorded[1];
            } catch (SQLException e) {
                indexFailed(e);
                return;
            }
        }
        if (millis < 500) {
            return; // the rate is not known yet: the first segment that closes tells
        }
        sizeLimitChecked = true;
        long perSegment = (long) ((double) bytes * config.segment().toMillis() / millis);
        if (2 * perSegment > config.maxBytes()) {
            LOG.warn("--max-size {} holds less than two {} segments (about {} each at {}): only the newest closed "
                    + "segment and the one being written are kept", Units.formatBytes(config.maxBytes()),
                    Units.formatDuration(config.segment()), Units.formatBytes(perSegment),
                    Units.formatBitrate(bytes * 8000.0 / millis));
        }
    }

    void gap(SegmentIndex.Gap gap) {
        write(() -> index.gap(gap));
    }

    private interface IndexWrite {
        void run() throws SQLException;
    }

    /**
     * Runs an index write; when the disk is full (the index shares it with the segments), deletes the oldest segment
     * and tries again, as segment writes do.
     */
    private void write(IndexWrite write) {
        for (int attempt = 0; ; attempt++) {
            try {
                write.run();
                return;
            } catch (SQLException e) {
                if (full(e) && attempt < 16 && freeOldest()) {
                    continue;
                }
                indexFailed(e);
                return;
            }
        }
    }

    private static boolean full(SQLException e) {
        return String.valueOf(e.getMessage()).contains("SQLITE_FULL");
    }

    /** {@code YYYY/MM/DD/HH-MM-SS.ts} in UTC, with {@code _1}, {@code _2}, ... when the name is taken. */
    String newSegmentName(long wallMillis) {
        String base = LocalDateTime.ofEpochSecond(Math.floorDiv(wallMillis, 1000), 0, ZoneOffset.UTC).format(LAYOUT);
        // never reuse a name given in this run, even if that segment was deleted since
        int n = base.equals(lastBase) ? lastSuffix + 1 : 0;
        for (; ; n++) {
            String name = n == 0 ? base + ".ts" : base + "_" + n + ".ts";
            if (!Files.exists(cameraDir.resolve(name)) && !indexed(name)) {
                lastBase = base;
                lastSuffix = n;
                return name;
            }
        }
    }

    private boolean indexed(String rel) {
        try {
            return index.contains(rel);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The wall-clock start encoded in a segment's path, or -1. */
    static long startFromName(String rel) {
        Matcher m = NAME.matcher(rel);
        if (!m.matches()) {
            return -1;
        }
        try {
            return LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                    Integer.parseInt(m.group(6))).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (java.time.DateTimeException e) {
            return -1;
        }
    }

    private String relative(Path file) {
        return cameraDir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /**
     * Repairs what a recorder that did not close (SIGKILL, power loss) left: rows still {@code open} and segment
     * files the index does not know are cut to whole packets, scanned and indexed; rows whose file is gone are
     * dropped.
     */
    void repairAll() {
        Map<String, SegmentIndex.Row> rows = new HashMap<>();
        try {
            for (SegmentIndex.Row row : index.all()) {
                rows.put(row.path(), row);
            }
            for (SegmentIndex.Row row : rows.values()) {
                if (row.status().equals("open")) {
                    repairOne(row.path(), row.startMillis());
                } else if (!Files.exists(cameraDir.resolve(row.path()))) {
                    LOG.info("index: {} is gone from disk; forgetting it", row.path());
                    index.delete(row.id());
                }
            }
            List<Path> files;
            try (Stream<Path> walk = Files.walk(cameraDir, 4)) {
                files = walk.filter(p -> p.getFileName().toString().endsWith(".ts") && Files.isRegularFile(p))
                        .toList();
            }
            for (Path f : files) {
                String rel = relative(f);
                if (!rows.containsKey(rel)) {
                    long start = startFromName(rel);
                    repairOne(rel, start >= 0 ? start : Files.getLastModifiedTime(f).toMillis());
                }
            }
        } catch (SQLException e) {
            throw new RecordException(cameraDir.resolve("index.db") + ": cannot read the index (" + e.getMessage()
                    + ")", e);
        } catch (IOException e) {
            throw new RecordException(cameraDir + ": cannot scan the recordings (" + IoErrors.reason(e) + ")", e);
        }
    }

    private void repairOne(String rel, long startMillis) throws SQLException {
        Path path = cameraDir.resolve(rel);
        try {
            if (!Files.exists(path)) {
                deleteRow(rel);
                return;
            }
            long before = Files.size(path);
            Segment s = SegmentScan.repair(path, startMillis);
            if (s.bytes() == 0) {
                Files.delete(path);
                deleteRow(rel);
                LOG.info("removed empty segment {}", rel);
                return;
            }
            index.closed(rel, s, true);
            repaired++;
            LOG.info("repaired segment {} left by a recorder that did not close: {} bytes cut, {} frames, {} s",
                    rel, before - s.bytes(), s.frames(), s.durationMillis() / 1000.0);
        } catch (IOException e) {
            LOG.warn("segment {}: cannot repair it ({}); left as it is", rel, IoErrors.reason(e));
        }
    }

    /**
     * Deletes the oldest closed segments that are older than {@code keep} or that make all of them (with the
     * {@code currentBytes} of the segment being written) larger than {@code maxBytes}. The segment being written
     * is never deleted, nor the newest closed one for size, nor (with an object store) one that is not uploaded
     * yet.
     */
    void retention(long currentBytes) {
        if (config.keep().isZero() && config.maxBytes() == 0) {
            return;
        }
        long deleted = 0;
        long freed = 0;
        long kept = 0;
        try {
            if (!config.keep().isZero()) {
                long cutoff = clock.millis() - config.keep().toMillis();
                List<SegmentIndex.Row> old;
                while (!(old = uploads ? index.uploadedEndedBefore(cutoff, 500) : index.endedBefore(cutoff, 500))
                        .isEmpty()) {
                    for (SegmentIndex.Row row : old) {
                        delete(row);
                        deleted++;
                        freed += row.bytes();
                    }
                }
                kept = uploads ? index.notUploadedEndedBefore(cutoff) : 0;
                if (kept == 0) {
                    index.deleteGapsBefore(cutoff); // else later: the gaps still describe segments kept for upload
                }
            }
            if (config.maxBytes() > 0) {
                long total = index.closedBytes() + currentBytes;
                long newest = index.newestClosedId(); // never deleted for size: the recording would be empty
                sizeLoop:
                while (total > config.maxBytes()) {
                    List<SegmentIndex.Row> oldest = uploads ? index.oldestUploaded(64) : index.oldest(64);
                    if (oldest.isEmpty()) {
                        break;
                    }
                    for (SegmentIndex.Row row : oldest) {
                        if (total <= config.maxBytes() || row.id() == newest) {
                            break sizeLoop;
                        }
                        delete(row);
                        deleted++;
                        freed += row.bytes();
                        total -= row.bytes();
                    }
                }
                if (uploads && total > config.maxBytes()) {
                    kept = Math.max(kept, index.notUploadedToFree(total - config.maxBytes(), newest));
                }
            }
        } catch (SQLException e) {
            indexFailed(e);
        }
        keptForUpload = kept;
        if (kept > 0) {
            long now = System.nanoTime();
            if (lastKeptWarning == 0 || now - lastKeptWarning >= 10_000_000_000L) {
                lastKeptWarning = now;
                String limits = (config.keep().isZero() ? "" : "older than " + Units.formatDuration(config.keep()))
                        + (config.keep().isZero() || config.maxBytes() == 0 ? "" : " or ")
                        + (config.maxBytes() == 0 ? "" : "over " + Units.formatBytes(config.maxBytes()) + " in all");
                LOG.warn("retention: keeping {} segments ({}) until they are uploaded", kept, limits);
            }
        }
        if (deleted > 0) {
            retentionDeletions += deleted;
            LOG.info("retention: deleted {} segments ({}){}{}", deleted, Units.formatBytes(freed),
                    config.keep().isZero() ? "" : ", keeping " + Units.formatDuration(config.keep()),
                    config.maxBytes() == 0 ? "" : ", at most " + Units.formatBytes(config.maxBytes()));
        }
    }

    /**
     * Deletes the oldest closed segment to make room (with an object store, the oldest uploaded one if there is one);
     * false when there is none.
     */
    boolean freeOldest() {
        try {
            List<SegmentIndex.Row> oldest = uploads ? index.oldestUploaded(1) : List.of();
            boolean lost = oldest.isEmpty() && uploads;
            if (oldest.isEmpty()) {
                oldest = index.oldest(1);
            }
            if (oldest.isEmpty()) {
                return false;
            }
            SegmentIndex.Row row = oldest.get(0);
            delete(row);
            diskFullDeletions++;
            if (lost) {
                lostForUpload++;
                LOG.warn("disk full: deleted the oldest segment {} ({}) before it was uploaded, to keep recording "
                        + "({} deleted so far, {} of them not uploaded)", row.path(), Units.formatBytes(row.bytes()),
                        diskFullDeletions, lostForUpload);
            } else {
                LOG.warn("disk full: deleted the oldest segment {} ({}) to keep recording ({} deleted so far)",
                        row.path(), Units.formatBytes(row.bytes()), diskFullDeletions);
            }
            return true;
        } catch (SQLException e) {
            indexErrors++;
            LOG.warn("disk full and the index cannot name the oldest segment: {}", e.getMessage());
            return false;
        }
    }

    private void delete(SegmentIndex.Row row) throws SQLException {
        Path path = cameraDir.resolve(row.path());
        try {
            Files.deleteIfExists(path);
            for (Path dir = path.getParent(); dir != null && dir.startsWith(cameraDir) && !dir.equals(cameraDir);
                    dir = dir.getParent()) {
                try (Stream<Path> list = Files.list(dir)) {
                    if (list.findAny().isPresent()) {
                        break;
                    }
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", path, IoErrors.reason(e));
        }
        index.delete(row.id());
    }


    void deleteRow(String rel) {
        try {
            for (SegmentIndex.Row row : index.all()) {
                if (row.path().equals(rel)) {
                    index.delete(row.id());
                }
            }
        } catch (SQLException e) {
            indexFailed(e);
        }
    }


    void indexFailed(SQLException e) {
        indexErrors++;
        LOG.warn("index: {} (the segment files are kept; the next start indexes them)", e.getMessage());
    }
}
