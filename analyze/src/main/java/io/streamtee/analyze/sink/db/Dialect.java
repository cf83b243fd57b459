package io.streamtee.analyze.sink.db;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What differs between the databases the sink writes to: the column types of {@code streamtee_events} and how a
 * timestamp and a JSON value are bound. The statements themselves are the same: {@code CREATE TABLE IF NOT EXISTS},
 * {@code CREATE INDEX IF NOT EXISTS} and {@code INSERT ... ON CONFLICT (id) DO UPDATE} (SQLite 3.24+, PostgreSQL
 * 9.5+).
 */
enum Dialect {
    /** Timestamps as ISO-8601 text in UTC with milliseconds ({@code 2026-11-30T12:00:10.123Z}): they sort as text. */
    SQLITE("TEXT", "INTEGER", "REAL", "TEXT", "?"),
    /** Timestamps as {@code timestamptz}, JSON as {@code jsonb}. */
    POSTGRESQL("timestamptz", "bigint", "double precision", "jsonb", "CAST(? AS jsonb)");

    static final String TABLE = "streamtee_events";

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final String timeType;
    private final String intType;
    private final String realType;
    private final String jsonType;
    private final String jsonParam;

    Dialect(String timeType, String intType, String realType, String jsonType, String jsonParam) {
        this.timeType = timeType;
        this.intType = intType;
        this.realType = realType;
        this.jsonType = jsonType;
        this.jsonParam = jsonParam;
    }

    /** The statements that create the table and its index; run on a new connection when the table is missing. */
    List<String> schema() {
        return List.of("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                        + "id TEXT PRIMARY KEY, "
                        + "camera TEXT NOT NULL, "
                        + "kind TEXT NOT NULL, "
                        + "title TEXT NOT NULL, "
                        + "zones TEXT NOT NULL, "
                        + "started_at " + timeType + " NOT NULL, "
                        + "ended_at " + timeType + ", "
                        + "start_pts " + intType + ", "
                        + "end_pts " + intType + ", "
                        + "peak_score " + realType + " NOT NULL, "
                        + "boxes " + jsonType + " NOT NULL, "
                        + "snapshot TEXT, "
                        + "details " + jsonType + " NOT NULL)",
                "CREATE INDEX IF NOT EXISTS " + TABLE + "_camera_started ON " + TABLE + " (camera, started_at)");
    }

    /** A query whose one row's one column is true when the table exists, looked up in the catalog. */
    String tableExists() {
        return this == SQLITE
                ? "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '" + TABLE + "'"
                : "SELECT to_regclass('" + TABLE + "') IS NOT NULL";
    }

    /**
     * Inserts the event's row, or updates the row of an event already there: everything but what its start fixed
     * (camera, kind, started_at, start_pts). Parameters in the order of {@link JdbcSink#bind}.
     */
    String upsert() {
        return "INSERT INTO " + TABLE + " (id, camera, kind, title, zones, started_at, ended_at, start_pts, end_pts, "
                + "peak_score, boxes, snapshot, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " + jsonParam + ", ?, "
                + jsonParam + ") ON CONFLICT (id) DO UPDATE SET title = excluded.title, zones = excluded.zones, "
                + "ended_at = excluded.ended_at, end_pts = excluded.end_pts, peak_score = excluded.peak_score, "
                + "boxes = excluded.boxes, snapshot = excluded.snapshot, details = excluded.details";
    }

    /** The value bound for a wall-clock time in epoch millis. */
    Object time(long epochMillis) {
        Instant at = Instant.ofEpochMilli(epochMillis);
        return this == SQLITE ? ISO_MILLIS.format(at) : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
