package io.streamtee.record;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQLite index beside the recordings, {@code <dir>/<camera>/index.db}: one row per segment and one per gap.
 * Paths are relative to the camera directory ({@code 2026/11/24/05-30-00.ts}), so a recording directory can be
 * moved or copied whole. A segment row is inserted as {@code open} when the segment starts and updated to
 * {@code closed} when it ends; an {@code open} row found at start-up belongs to a recorder that was killed.
 *
 * <pre>
 * segments(id, path, status 'open'|'closed', start_ms, end_ms, pts_start, pts_end, duration_ms, bytes, frames,
 *          keyframes 'offset,offset,...', keyframe_pts 'pts,pts,...', continuity_errors, repaired 0|1, uploaded_ms)
 * gaps(id, kind 'stopped'|'loss', start_ms, end_ms, count, pid, segment)
 * </pre>
 *
 * Wall-clock times are UTC milliseconds since the epoch; PTS values are 90 kHz. {@code uploaded_ms} is when the
 * segment reached the object store, null until then (and always without {@code --store}): a closed segment with
 * none is queued for upload, across restarts. An index made before uploads existed gains the column when opened.
 *
 * <p>One instance is used by one thread at a time. The recorder and its {@link Uploader} each open their own: in
 * WAL mode readers never wait for the writer, and every write here is one short autocommit statement, so the most
 * either thread can wait for the other is one such statement ({@code busy_timeout} covers it).
 */
final class SegmentIndex implements AutoCloseable {

    /** A segment row, as retention and repair need it. */
    record Row(long id, String path, String status, long startMillis, long endMillis, long bytes) {
    }

    /** A gap row. */
    record Gap(String kind, long startMillis, long endMillis, long count, Integer pid, String segment) {
    }

    private final Connection db;

    private SegmentIndex(Connection db) {
        this.db = db;
    }

    static SegmentIndex open(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS segments (
                      id INTEGER PRIMARY KEY,
                      path TEXT NOT NULL UNIQUE,
                      status TEXT NOT NULL,
                      start_ms INTEGER NOT NULL,
                      end_ms INTEGER,
                      pts_start INTEGER,
                      pts_end INTEGER,
                      duration_ms INTEGER,
                      bytes INTEGER NOT NULL DEFAULT 0,
                      frames INTEGER NOT NULL DEFAULT 0,
                      keyframes TEXT NOT NULL DEFAULT '',
                      keyframe_pts TEXT NOT NULL DEFAULT '',
                      continuity_errors INTEGER NOT NULL DEFAULT 0,
                      repaired INTEGER NOT NULL DEFAULT 0,
                      uploaded_ms INTEGER)""");
            addColumn(c, "segments", "keyframe_pts", "TEXT NOT NULL DEFAULT ''");
            addColumn(c, "segments", "uploaded_ms", "INTEGER"); // an index.db from before uploads
            s.execute("CREATE INDEX IF NOT EXISTS segments_start ON segments(start_ms)");
            s.execute("CREATE INDEX IF NOT EXISTS segments_not_uploaded ON segments(start_ms, id) "
                    + "WHERE uploaded_ms IS NULL");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS gaps (
                      id INTEGER PRIMARY KEY,
                      kind TEXT NOT NULL,
                      start_ms INTEGER NOT NULL,
                      end_ms INTEGER NOT NULL,
                      count INTEGER NOT NULL DEFAULT 1,
                      pid INTEGER,
                      segment TEXT)""");
            s.execute("CREATE INDEX IF NOT EXISTS gaps_start ON gaps(start_ms)");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return new SegmentIndex(c);
    }

    /** Adds a column an index written by an older version lacks. */
    private static void addColumn(Connection c, String table, String column, String type) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (r.next()) {
                if (r.getString("name").equalsIgnoreCase(column)) {
                    return;
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " ADD COLUMN " + column + " " + type);
        }
    }

    /** Records a segment that has just started. */
    void opened(String path, Segment s) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "INSERT OR REPLACE INTO segments(path, status, start_ms, end_ms, pts_start) VALUES (?, 'open', ?, ?, ?)")) {
            p.setString(1, path);
            p.setLong(2, s.startWallMillis());
            p.setLong(3, s.startWallMillis());
            p.setLong(4, s.startPts());
            p.executeUpdate();
        }
    }

    /** Records a finished segment (inserting its row if {@link #opened} never did). */
    void closed(String path, Segment s, boolean repaired) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("""
                INSERT INTO segments(path, status, start_ms, end_ms, pts_start, pts_end, duration_ms, bytes, frames,
                                     keyframes, keyframe_pts, continuity_errors, repaired)
                VALUES (?, 'closed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(path) DO UPDATE SET status='closed', start_ms=excluded.start_ms, end_ms=excluded.end_ms,
                  pts_start=excluded.pts_start, pts_end=excluded.pts_end, duration_ms=excluded.duration_ms,
                  bytes=excluded.bytes, frames=excluded.frames, keyframes=excluded.keyframes,
                  keyframe_pts=excluded.keyframe_pts,
                  continuity_errors=excluded.continuity_errors, repaired=excluded.repaired""")) {
            p.setString(1, path);
            p.setLong(2, s.startWallMillis());
            p.setLong(3, s.endWallMillis());
            setPts(p, 4, s.startPts());
            setPts(p, 5, s.endPts());
            p.setLong(6, s.durationMillis());
            p.setLong(7, s.bytes());
            p.setLong(8, s.frames());
            p.setString(9, s.keyframeList());
            p.setString(10, s.keyframePtsList());
            p.setLong(11, s.continuityErrors());
            p.setInt(12, repaired ? 1 : 0);
            p.executeUpdate();
        }
    }

    private static void setPts(PreparedStatement p, int i, long pts) throws SQLException {
        if (pts < 0) {
            p.setNull(i, Types.INTEGER);
        } else {
            p.setLong(i, pts);
        }
    }

    void gap(Gap g) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "INSERT INTO gaps(kind, start_ms, end_ms, count, pid, segment) VALUES (?, ?, ?, ?, ?, ?)")) {
            p.setString(1, g.kind());
            p.setLong(2, g.startMillis());
            p.setLong(3, g.endMillis());
            p.setLong(4, g.count());
            if (g.pid() == null) {
                p.setNull(5, Types.INTEGER);
            } else {
                p.setInt(5, g.pid());
            }
            p.setString(6, g.segment());
            p.executeUpdate();
        }
    }

    /** Every segment row, oldest first. */
    List<Row> all() throws SQLException {
        return rows("SELECT id, path, status, start_ms, end_ms, bytes FROM segments ORDER BY start_ms, id", -1);
    }

    /** Rows left {@code open} by a recorder that did not close them. */
    List<Row> open() throws SQLException {
        return rows("SELECT id, path, status, start_ms, end_ms, bytes FROM segments WHERE status='open' "
                + "ORDER BY start_ms, id", -1);
    }

    /** The oldest closed segments. */
    List<Row> oldest(int limit) throws SQLException {
        return rows("SELECT id, path, status, start_ms, end_ms, bytes FROM segments WHERE status='closed' "
                + "ORDER BY start_ms, id LIMIT ?", limit);
    }

    /** Closed segments that ended before {@code cutoffMillis}, oldest first. */
    List<Row> endedBefore(long cutoffMillis, int limit) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT id, path, status, start_ms, end_ms, bytes FROM segments "
                + "WHERE status='closed' AND end_ms < ? ORDER BY start_ms, id LIMIT ?")) {
            p.setLong(1, cutoffMillis);
            p.setInt(2, limit);
            return read(p);
        }
    }

    /** Closed segments not uploaded yet, oldest first: the upload queue. */
    List<Row> notUploaded(int limit) throws SQLException {
        return rows("SELECT id, path, status, start_ms, end_ms, bytes FROM segments "
                + "WHERE status='closed' AND uploaded_ms IS NULL ORDER BY start_ms, id LIMIT ?", limit);
    }

    /** How many closed segments wait for upload, and their bytes. */
    long[] notUploadedCountAndBytes() throws SQLException {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*), COALESCE(SUM(bytes), 0) "
                + "FROM segments WHERE status='closed' AND uploaded_ms IS NULL")) {
            return r.next() ? new long[] {r.getLong(1), r.getLong(2)} : new long[2];
        }
    }

    /** Marks a segment uploaded; false when its row is gone (deleted meanwhile). */
    boolean uploaded(long id, long uploadedMillis) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("UPDATE segments SET uploaded_ms = ? WHERE id = ?")) {
            p.setLong(1, uploadedMillis);
            p.setLong(2, id);
            return p.executeUpdate() > 0;
        }
    }

    /** Whether the segment of this row is in the object store. */
    boolean isUploaded(long id) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT uploaded_ms IS NOT NULL FROM segments WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet r = p.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    /** The oldest closed segments that are uploaded (retention may delete them). */
    List<Row> oldestUploaded(int limit) throws SQLException {
        return rows("SELECT id, path, status, start_ms, end_ms, bytes FROM segments "
                + "WHERE status='closed' AND uploaded_ms IS NOT NULL ORDER BY start_ms, id LIMIT ?", limit);
    }

    /** Uploaded closed segments that ended before {@code cutoffMillis}, oldest first. */
    List<Row> uploadedEndedBefore(long cutoffMillis, int limit) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT id, path, status, start_ms, end_ms, bytes FROM segments "
                + "WHERE status='closed' AND uploaded_ms IS NOT NULL AND end_ms < ? ORDER BY start_ms, id LIMIT ?")) {
            p.setLong(1, cutoffMillis);
            p.setInt(2, limit);
            return read(p);
        }
    }

    /** How many closed segments that ended before {@code cutoffMillis} are not uploaded yet. */
    long notUploadedEndedBefore(long cutoffMillis) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT COUNT(*) FROM segments "
                + "WHERE status='closed' AND uploaded_ms IS NULL AND end_ms < ?")) {
            p.setLong(1, cutoffMillis);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        }
    }

    /**
     * How many of the oldest segments not uploaded yet, {@code exceptId} aside, would have to go to free
     * {@code excess} bytes: what retention by size keeps for upload.
     */
    long notUploadedToFree(long excess, long exceptId) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT COUNT(*) FROM (SELECT bytes, SUM(bytes) OVER "
                + "(ORDER BY start_ms, id ROWS UNBOUNDED PRECEDING) AS upto FROM segments "
                + "WHERE status='closed' AND uploaded_ms IS NULL AND id <> ?) WHERE upto - bytes < ?")) {
            p.setLong(1, exceptId);
            p.setLong(2, excess);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        }
    }

    /**
     * Writes a consistent copy of the whole index to {@code file} (which must not exist), while the recorder goes on
     * writing: the copy is one read transaction ({@code VACUUM INTO}).
     */
    void snapshot(Path file) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("VACUUM INTO ?")) {
            p.setString(1, file.toAbsolutePath().toString());
            p.execute();
        }
    }

    /** The newest closed segment's id, or -1: retention by size never deletes it. */
    long newestClosedId() throws SQLException {
        List<Row> newest = rows("SELECT id, path, status, start_ms, end_ms, bytes FROM segments WHERE status='closed' "
                + "ORDER BY start_ms DESC, id DESC LIMIT ?", 1);
        return newest.isEmpty() ? -1 : newest.get(0).id();
    }

    /** Bytes and milliseconds of all closed segments (for the stream's mean rate). */
    long[] closedBytesAndMillis() throws SQLException {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT COALESCE(SUM(bytes), 0), "
                + "COALESCE(SUM(duration_ms), 0) FROM segments WHERE status='closed'")) {
            return r.next() ? new long[] {r.getLong(1), r.getLong(2)} : new long[2];
        }
    }

    /** Bytes of all closed segments. */
    long closedBytes() throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT COALESCE(SUM(bytes), 0) FROM segments WHERE status='closed'")) {
            return r.next() ? r.getLong(1) : 0;
        }
    }

    boolean contains(String path) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT 1 FROM segments WHERE path = ?")) {
            p.setString(1, path);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    void delete(long id) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM segments WHERE id = ?")) {
            p.setLong(1, id);
            p.executeUpdate();
        }
    }

    /** Forgets gaps that ended before {@code cutoffMillis} (they describe recordings that are gone). */
    void deleteGapsBefore(long cutoffMillis) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM gaps WHERE end_ms < ?")) {
            p.setLong(1, cutoffMillis);
            p.executeUpdate();
        }
    }

    List<Gap> gaps() throws SQLException {
        List<Gap> list = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT kind, start_ms, end_ms, count, pid, segment FROM gaps ORDER BY id")) {
            while (r.next()) {
                int pid = r.getInt(5);
                list.add(new Gap(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4), r.wasNull() ? null : pid,
                        r.getString(6)));
            }
        }
        return list;
    }

    private List<Row> rows(String sql, int limit) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            if (limit >= 0) {
                p.setInt(1, limit);
            }
            return read(p);
        }
    }

    private static List<Row> read(PreparedStatement p) throws SQLException {
        List<Row> list = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
                list.add(new Row(r.getLong(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5),
                        r.getLong(6)));
            }
        }
        return list;
    }

    /** Runs a query for tests and tools; the caller closes the result with its statement. */
    Connection connection() {
        return db;
    }

    @Override
    public void close() throws SQLException {
        db.close();
    }
}
