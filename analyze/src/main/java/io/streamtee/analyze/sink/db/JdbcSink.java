package io.streamtee.analyze.sink.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.function.UnaryOperator;

/**
 * Writes events to a database table a person can query: {@code jdbc:sqlite:events.db} (a file, created with its
 * folder when missing) or {@code jdbc:postgresql://HOST:PORT/DB?user=USER} (the password in
 * {@code STREAMTEE_DB_PASSWORD}, or as {@code &password=}; it never appears in {@link #name()} or the logs).
 *
 * <p>One row per event, not per phase: the START inserts it, each UPDATE and the END update it
 * ({@code INSERT ... ON CONFLICT (id) DO UPDATE}, so a message delivered twice or an UPDATE whose START was lost
 * still leaves one right row). The table and its index are created when the table is missing (checked on every new
 * connection; when it is there the sink runs no DDL, so a user granted only SELECT, INSERT and UPDATE on a table an
 * administrator made can write to it):
 *
 * <pre>
 * streamtee_events                  SQLite             PostgreSQL
 *   id          primary key         TEXT               TEXT
 *   camera                          TEXT               TEXT
 *   kind        MOTION or HEALTH    TEXT               TEXT
 *   title       one line            TEXT               TEXT
 *   zones       comma-separated     TEXT               TEXT           ('' for none)
 *   started_at                      TEXT (ISO-8601)    timestamptz
 *   ended_at    null while open     TEXT (ISO-8601)    timestamptz
 *   start_pts   90 kHz, or null     INTEGER            bigint
 *   end_pts     90 kHz, or null     INTEGER            bigint
 *   peak_score  0..1                REAL               double precision
 *   boxes       [{x,y,w,h}]         TEXT (JSON)        jsonb          (fractions of the picture)
 *   snapshot    a path, or null     TEXT               TEXT
 *   details     {name: value}       TEXT (JSON)        jsonb
 * index streamtee_events_camera_started (camera, started_at)
 * </pre>
 *
 * SQLite has no time type: times are ISO-8601 text in UTC with milliseconds ({@code 2026-11-30T12:00:10.123Z}), which
 * {@code sqlite3} shows as is, sorts in time order and compares with dates written the same way; SQLite's own date
 * functions read it ({@code datetime(started_at, 'localtime')}). For example:
 *
 * <pre>
 * sqlite3 events.db "SELECT started_at, camera, title, zones FROM streamtee_events
 *                    WHERE started_at &gt;= '2026-11-30' ORDER BY started_at"
 * psql -c "SELECT started_at, camera, title, ended_at - started_at AS lasted, details-&gt;&gt;'frames'
 *          FROM streamtee_events WHERE camera = 'frontdoor' AND started_at &gt; now() - interval '1 day'"
 * </pre>
 *
 * <p>The connection is opened on the first delivery, not at start, so a database that is down at start is not
 * fatal. A delivery that fails drops the connection and throws: the {@link io.streamtee.analyze.event.SinkQueue}
 * retries, and the next try connects again. PostgreSQL's connect, login and socket timeouts (10, 10 and 30 s unless
 * the URL sets {@code connectTimeout}, {@code loginTimeout}, {@code socketTimeout}) make a server that hangs fail the
 * delivery instead of holding the sink forever. The SQLite file is in WAL mode, as the recorder's index is, so a
 * person's {@code sqlite3} reads while the sink writes; a writer that holds the lock longer than 5 s ({@code
 * ?busy_timeout=MS} in the URL) fails the delivery, and the queue retries. A delivery retried after its answer was
 * lost (a timeout after the server committed) writes the same row again: the upsert keeps one.
 */
public final class JdbcSink implements EventSink {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final DbTarget target;
    private Connection connection;

    private JdbcSink(DbTarget target) {
        this.target = target;
    }

    /**
     * A sink for {@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://HOST:PORT/DB?user=USER}, with the PostgreSQL
     * password from the URL or {@code STREAMTEE_DB_PASSWORD}. Connects nothing yet.
     *
     * @throws ConfigException naming the sink and what is wrong with its URL
     */
    public static JdbcSink parse(String url) {
        return parse(url, System::getenv);
    }

    /** As {@link #parse(String)}, with the environment given (tests). */
    static JdbcSink parse(String url, UnaryOperator<String> env) {
        return new JdbcSink(DbTarget.parse(url, env));
    }

    /** The URL without its password, e.g. {@code jdbc:postgresql://db.lan:5432/cams?user=streamtee}. */
    @Override
    public String name() {
        return target.name();
    }

    @Override
    public void deliver(Event event) throws SQLException, IOException {
        try {
            if (connection == null) {
                connection = open();
            }
            try (PreparedStatement upsert = connection.prepareStatement(target.dialect().upsert())) {
                bind(upsert, event);
                upsert.executeUpdate();
            }
        } catch (SQLException e) {
            close(); // a dead or broken connection: the next try opens a new one
            throw withCause(e);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The driver's error with the network error under it in its message, which is the one line the log shows:
     * "An I/O error occurred while sending to the backend." says less than "... (Read timed out)".
     */
    private static SQLException withCause(SQLException e) {
        Throwable cause = e.getCause();
        if (!(cause instanceof IOException) || cause.getMessage() == null
                || String.valueOf(e.getMessage()).contains(cause.getMessage())) {
            return e;
        }
        return new SQLException(e.getMessage() + " (" + cause.getMessage() + ")", e.getSQLState(), e.getErrorCode(), e);
    }

    private Connection open() throws SQLException, IOException {
        Path file = target.file();
        if (file != null) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                try {
                    Files.createDirectories(parent);
                } catch (IOException e) {
                    throw new IOException("cannot make the folder " + parent + " (" + e + ")", e);
                }
            }
        }
        Connection c = DriverManager.getConnection(target.jdbcUrl(), target.properties());
        try (Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            if (!tableExists(s)) {
                for (String ddl : target.dialect().schema()) {
                    s.execute(ddl);
                }
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Whether the table is there, as the upsert will find it (PostgreSQL's search_path), from the catalog: it takes no
     * lock on the table. When it is there the sink runs no DDL at all, so a user who may only write rows (no CREATE
     * on the schema, PostgreSQL 15's default) can use a table an administrator made.
     */
    private boolean tableExists(Statement s) throws SQLException {
        try (ResultSet r = s.executeQuery(target.dialect().tableExists())) {
            return r.next() && r.getBoolean(1);
        }
    }

    /** Binds the event's columns in the order of {@link Dialect#upsert()}. */
    private void bind(PreparedStatement s, Event e) throws SQLException {
        Dialect dialect = target.dialect();
        s.setString(1, e.id());
        s.setString(2, e.camera());
        s.setString(3, e.kind().name());
        s.setString(4, e.title());
        s.setString(5, String.join(",", e.zones()));
        s.setObject(6, dialect.time(e.startMillis()));
        if (e.endMillis() < 0) {
            s.setNull(7, dialect == Dialect.SQLITE ? Types.VARCHAR : Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            s.setObject(7, dialect.time(e.endMillis()));
        }
        setPts(s, 8, e.startPts());
        setPts(s, 9, e.endPts());
        s.setDouble(10, e.peakScore());
        s.setString(11, json(e.boxes()));
        s.setString(12, e.snapshot());
        s.setString(13, json(e.details()));
    }

    private static void setPts(PreparedStatement s, int index, long pts) throws SQLException {
        if (pts < 0) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, pts);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Closes the connection, if one is open. Safe to call twice; the next delivery opens a new one. */
    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // a dead connection: nothing more to release
            }
            connection = null;
        }
    }
}
