package io.streamtee.playback;

import io.streamtee.config.CameraName;
import io.streamtee.ts.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/**
 * The read side of a recordings directory, for playback: which cameras it holds, which closed segments cover a time
 * range, and the gaps. Reads each camera's {@code index.db} on a read-only connection of its own per call, so it
 * runs beside a recorder writing the same index (SQLite WAL lets readers and one writer go on together) and needs
 * no recorder at all. Thread-safe.
 *
 * <p>Nothing from a request becomes a path unchecked: a camera is a name that matches {@link io.streamtee.record.RecorderConfig}'s rule
 * and has an index, and a segment file is the path its index row gives, resolved under the camera directory and
 * refused if it leaves it.
 */
public final class Catalog {
    private static final String COLUMNS = "id, path, start_ms, end_ms, pts_start, pts_end, duration_ms, bytes, "
            + "frames, keyframes, keyframe_pts, repaired";
    /** The same for an index from before keyframe PTS were kept (its segments play whole). */
    private static final String OLD_COLUMNS = COLUMNS.replace("keyframe_pts", "'' AS keyframe_pts");

    private final Path dir;
    /** Cameras whose index has every column (a recorder adds missing ones when it starts; none are taken away). */
    private final java.util.Set<String> current = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param dir the recordings directory (the recorder's {@code --dir}) */
    public Catalog(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** One closed segment as playback needs it. */
    public record Recording(String camera, long id, String path, long startMillis, long endMillis, long ptsStart,
            long ptsEnd, long durationMillis, long bytes, long frames, long[] keyframeOffsets, long[] keyframePts,
            boolean repaired) {

        /**
         * Whether the keyframes can be used to cut inside the segment: every keyframe has an offset and a PTS (an
         * index written before keyframe PTS were kept has offsets only, and is played whole).
         */
        public boolean cuttable() {
            return keyframeOffsets.length > 0 && keyframePts.length == keyframeOffsets.length
                    && ptsStart != Timestamps.NONE && java.util.Arrays.stream(keyframePts).allMatch(p -> p >= 0);
        }

        /** Wall-clock time of keyframe {@code i}: the segment's start plus its PTS distance from the first. */
        public long keyframeMillis(int i) {
            return startMillis + Timestamps.ptsDiff(ptsStart, keyframePts[i]) / 90;
        }

        /** Bytes before the first keyframe: the PAT and PMT the segment starts with. */
        public long headerBytes() {
            return keyframeOffsets.length == 0 ? 0 : keyframeOffsets[0];
        }
    }

    /** A gap as the index holds it. */
    public record Gap(String kind, long startMillis, long endMillis, long count) {
    }

    /** Camera names with an index, sorted. */
    public List<String> cameras() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> CameraName.isValid(p.getFileName().toString()))
                    .filter(p -> Files.isRegularFile(p.resolve("index.db")))
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list cameras", e);
        }
    }

    /** Whether {@code camera} is a camera of this directory (a valid name with an index). */
    public boolean has(String camera) {
        return CameraName.isValid(camera)
                && Files.isRegularFile(dir.resolve(camera).resolve("index.db"));
    }

    /** Closed segments of {@code camera} that overlap {@code [from, to)} (UTC millis), oldest first. */
    public List<Recording> segments(String camera, long from, long to) throws SQLException {
        try (Connection c = connect(camera);
                PreparedStatement p = c.prepareStatement("SELECT " + columns(camera, c) + " FROM segments "
                        + "WHERE status='closed' AND end_ms > ? AND start_ms < ? ORDER BY start_ms, id")) {
            p.setLong(1, from);
            p.setLong(2, to);
            return read(camera, p);
        }
    }

    /** As {@link #segments(String, long, long)}, only the newest {@code limit} of them (still oldest first). */
    public List<Recording> newestSegments(String camera, long from, long to, int limit) throws SQLException {
        try (Connection c = connect(camera);
                PreparedStatement p = c.prepareStatement("SELECT " + columns(camera, c) + " FROM segments "
                        + "WHERE status='closed' AND end_ms > ? AND start_ms < ? ORDER BY start_ms DESC, id DESC "
                        + "LIMIT ?")) {
            p.setLong(1, from);
            p.setLong(2, to);
            p.setInt(3, limit);
            return read(camera, p).reversed();
        }
    }

    /** A run of segments, each starting within {@code joinMillis} of the end of the one before. */
    public record Span(long startMillis, long endMillis, long segments) {
    }

    /**
     * The continuous runs of closed segments that overlap {@code [from, to)}: where one starts within
     * {@code joinMillis} of the previous one's end. Reads two columns per segment, so it stays cheap over months.
     */
    public List<Span> spans(String camera, long from, long to, long joinMillis) throws SQLException {
        List<Span> spans = new ArrayList<>();
        try (Connection c = connect(camera);
                PreparedStatement p = c.prepareStatement("SELECT start_ms, end_ms FROM segments "
                        + "WHERE status='closed' AND end_ms > ? AND start_ms < ? ORDER BY start_ms, id")) {
            p.setLong(1, from);
            p.setLong(2, to);
            long start = 0;
            long end = 0;
            long count = 0;
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    long s = r.getLong(1);
                    if (count > 0 && s - end > joinMillis) {
                        spans.add(new Span(start, end, count));
                        count = 0;
                    }
                    if (count == 0) {
                        start = s;
                        end = s;
                    }
                    end = Math.max(end, r.getLong(2));
                    count++;
                }
            }
            if (count > 0) {
                spans.add(new Span(start, end, count));
            }
        }
        return spans;
    }

    /** One closed segment by its index id. */
    public Optional<Recording> segment(String camera, long id) throws SQLException {
        try (Connection c = connect(camera);
                PreparedStatement p = c.prepareStatement("SELECT " + columns(camera, c) + " FROM segments "
                        + "WHERE status='closed' AND id = ?")) {
            p.setLong(1, id);
            return read(camera, p).stream().findFirst();
        }
    }

    /** The first and last closed segment's start and end, and their count and bytes; empty when none. */
    public Optional<Summary> summary(String camera) throws SQLException {
        try (Connection c = connect(camera);
                PreparedStatement p = c.prepareStatement("SELECT MIN(start_ms), MAX(end_ms), COUNT(*), "
                        + "COALESCE(SUM(bytes), 0) FROM segments WHERE status='closed'");
                ResultSet r = p.executeQuery()) {
            if (!r.next() || r.getLong(3) == 0) {
                return Optional.empty();
            }
            return Optional.of(new Summary(camera, r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4)));
        }
    }

    /** What a camera holds. */
    public record Summary(String camera, long firstMillis, long lastMillis, long segments, long bytes) {
    }

    /** The newest {@code limit} gaps of {@code camera} that overlap {@code [from, to)}, oldest first. */
    public List<Gap> gaps(String camera, long from, long to, int limit) throws SQLException {
        try (Connection c = connect(camera);
                PreparedStatement p = c.prepareStatement("SELECT kind, start_ms, end_ms, count FROM gaps "
                        + "WHERE end_ms >= ? AND start_ms < ? ORDER BY start_ms DESC, id DESC LIMIT ?")) {
            p.setLong(1, from);
            p.setLong(2, to);
            p.setInt(3, limit);
            List<Gap> list = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    list.add(new Gap(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4)));
                }
            }
            return list.reversed();
        }
    }

    /**
     * The file of a segment: its index path resolved under the camera directory.
     *
     * @throws IllegalStateException if the index names a path outside the camera directory
     */
    public Path file(Recording r) {
        Path cameraDir = dir.resolve(r.camera()).normalize();
        Path file = cameraDir.resolve(r.path()).normalize();
        if (!file.startsWith(cameraDir) || file.equals(cameraDir)) {
            throw new IllegalStateException("index of " + r.camera() + " names a path outside it: " + r.path());
        }
        return file;
    }

    /** The columns to read: an index no recorder has opened since keyframe PTS were added lacks them. */
    private String columns(String camera, Connection c) throws SQLException {
        if (current.contains(camera)) {
            return COLUMNS;
        }
        try (java.sql.Statement s = c.createStatement();
                ResultSet r = s.executeQuery("PRAGMA table_info(segments)")) {
            while (r.next()) {
                if (r.getString("name").equalsIgnoreCase("keyframe_pts")) {
                    current.add(camera);
                    return COLUMNS;
                }
            }
        }
        return OLD_COLUMNS;
    }

    private Connection connect(String camera) throws SQLException {
        if (!has(camera)) {
            throw new IllegalArgumentException("no camera " + camera);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(5000);
        return config.createConnection("jdbc:sqlite:" + dir.resolve(camera).resolve("index.db"));
    }

    private static List<Recording> read(String camera, PreparedStatement p) throws SQLException {
        List<Recording> list = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
                long ptsStart = r.getLong(5);
                if (r.wasNull()) {
                    ptsStart = Timestamps.NONE;
                }
                long ptsEnd = r.getLong(6);
                if (r.wasNull()) {
                    ptsEnd = Timestamps.NONE;
                }
                list.add(new Recording(camera, r.getLong(1), r.getString(2), r.getLong(3), r.getLong(4), ptsStart,
                        ptsEnd, r.getLong(7), r.getLong(8), r.getLong(9), longs(r.getString(10)),
                        longs(r.getString(11)), r.getInt(12) != 0));
            }
        }
        return list;
    }

    static long[] longs(String csv) {
        if (csv == null || csv.isBlank()) {
            return new long[0];
        }
        String[] parts = csv.split(",");
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Long.parseLong(parts[i].strip());
        }
        return values;
    }
}
