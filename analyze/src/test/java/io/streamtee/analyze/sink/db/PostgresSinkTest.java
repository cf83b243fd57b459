package io.streamtee.analyze.sink.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.net.Backoff;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Against a real PostgreSQL server of its own (see {@link PostgresServer}); skipped when none can be made. */
@Timeout(180)
class PostgresSinkTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200));
    private static final UnaryOperator<String> ENV = name ->
            name.equals("STREAMTEE_DB_PASSWORD") ? PostgresServer.PASSWORD : null;

    private static PostgresServer server;

    @BeforeAll
    static void makeServer() throws Exception {
        server = PostgresServer.create();
        server.start();
    }

    @AfterAll
    static void removeServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void emptyDatabase() throws Exception {
        server.start(); // again, if a test that stopped it failed before starting it
        query("DROP TABLE IF EXISTS streamtee_events");
    }

    @Test
    void oneRowFollowsAnEventFromStartToEndWithTimestamptzAndJsonb() throws Exception {
        try (JdbcSink sink = JdbcSink.parse(server.url(), ENV)) {
            assertThat(sink.name()).isEqualTo(server.url()).doesNotContain(PostgresServer.PASSWORD);
            sink.deliver(Events.start("fd-1"));
            assertThat(query("SELECT camera, kind, title, zones, started_at = '2026-11-30 12:00:10.123+00' AS at, "
                    + "ended_at, start_pts, end_pts, peak_score, boxes->0->>'w' AS w, snapshot, "
                    + "details->>'frames' AS frames FROM streamtee_events WHERE id = 'fd-1'"))
                    .containsExactly(row("camera", "frontdoor", "kind", "MOTION", "title", "motion in porch",
                            "zones", "porch", "at", true, "ended_at", null, "start_pts", 900_000L, "end_pts", null,
                            "peak_score", 0.12, "w", "0.3", "snapshot", null, "frames", "1"));

            sink.deliver(Events.update("fd-1"));
            assertThat(query("SELECT title, zones, ended_at, peak_score, jsonb_array_length(boxes) AS boxes, "
                    + "snapshot, details->>'pixels' AS pixels FROM streamtee_events WHERE id = 'fd-1'"))
                    .containsExactly(row("title", "motion in porch, driveway", "zones", "porch,driveway",
                            "ended_at", null, "peak_score", 0.37, "boxes", 2,
                            "snapshot", "/api/events/fd-1/snapshot.jpg", "pixels", "12345"));

            sink.deliver(Events.end("fd-1"));
            sink.deliver(Events.health("by-1", Events.T0 + 1000));
        }
        assertThat(query("SELECT id, extract(epoch FROM ended_at - started_at)::float8 AS lasted, end_pts, "
                + "(details->>'frames')::int AS frames FROM streamtee_events ORDER BY started_at"))
                .containsExactly(row("id", "fd-1", "lasted", 12.0,
                                "end_pts", 900_000L + 12 * 90_000, "frames", 300),
                        row("id", "by-1", "lasted", null, "end_pts", null, "frames", null));
        assertThat(query("SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute "
                + "WHERE attrelid = 'streamtee_events'::regclass AND attname IN ('started_at', 'ended_at', "
                + "'boxes', 'details') ORDER BY attnum")).extracting(r -> r.get("type")).containsExactly(
                "timestamp with time zone", "timestamp with time zone", "jsonb", "jsonb");
        assertThat(query("SELECT indexdef FROM pg_indexes WHERE indexname = 'streamtee_events_camera_started'"))
                .singleElement().satisfies(r -> assertThat((String) r.get("indexdef")).endsWith("(camera, started_at)"));

        try (JdbcSink next = JdbcSink.parse(server.url(), ENV)) { // the next run reuses the table
            next.deliver(Events.start("fd-2"));
        }
        assertThat(query("SELECT count(*) AS n FROM streamtee_events")).containsExactly(row("n", 3L));
    }

    @Test
    void aWrongPasswordIsRefusedAndTheQueueRetriesThenGivesUp() throws Exception {
        String wrong = "not-the-password";
        JdbcSink refused = JdbcSink.parse(server.url() + "&password=" + wrong, name -> null);
        assertThat(refused.name()).doesNotContain(wrong);
        assertThatThrownBy(() -> refused.deliver(Events.start("fd-1"))).isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed").hasMessageNotContaining(wrong);

        try (SinkQueue q = new SinkQueue(refused, 10, 3, FAST, Duration.ofSeconds(10)).start()) {
            q.offer(Events.start("fd-1"));
            await().atMost(Duration.ofSeconds(30)).until(() -> q.failed() == 1);
            assertThat(q.retried()).isEqualTo(2);
            assertThat(q.delivered()).isZero();
        }
    }

    @Test
    void aServerDownAtStartGetsTheEventsOnceItIsUp() throws Exception {
        server.stop();
        try (SinkQueue q = new SinkQueue(JdbcSink.parse(server.url(), ENV), 100, 10_000, FAST,
                Duration.ofSeconds(10)).start()) {
            q.offer(Events.start("fd-1"));
            q.offer(Events.update("fd-1"));
            q.offer(Events.health("by-1", Events.T0 + 1000));
            await().atMost(Duration.ofSeconds(30)).until(() -> q.retried() >= 3);
            assertThat(q.delivered()).isZero();

            server.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> q.delivered() == 3);
            assertThat(q.failed()).isZero();
        }
        assertThat(query("SELECT id, zones FROM streamtee_events ORDER BY id")).containsExactly(
                row("id", "by-1", "zones", ""), row("id", "fd-1", "zones", "porch,driveway"));
    }

    @Test
    void aServerStoppedMidRunGetsTheLaterEventsWhenItIsBack() throws Exception {
        try (SinkQueue q = new SinkQueue(JdbcSink.parse(server.url(), ENV), 100, 10_000, FAST,
                Duration.ofSeconds(10)).start()) {
            q.offer(Events.start("fd-1"));
            await().atMost(Duration.ofSeconds(30)).until(() -> q.delivered() == 1);

            server.stop(); // the sink's connection dies with it
            q.offer(Events.update("fd-1"));
            q.offer(Events.end("fd-1"));
            await().atMost(Duration.ofSeconds(30)).until(() -> q.retried() >= 2);
            assertThat(q.delivered()).isEqualTo(1);

            server.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> q.delivered() == 3);
            assertThat(q.failed()).isZero();
        }
        assertThat(query("SELECT ended_at IS NOT NULL AS ended, peak_score FROM streamtee_events WHERE id = 'fd-1'"))
                .containsExactly(row("ended", true, "peak_score", 0.41));
    }

    @Test
    void aLockedTableFailsTheDeliveryAfterTheSocketTimeoutAndTheRetryLeavesOneRow() throws Exception {
        try (JdbcSink first = JdbcSink.parse(server.url(), ENV)) {
            first.deliver(Events.start("fd-1"));
        }
        Properties props = new Properties();
        props.setProperty("password", PostgresServer.PASSWORD);
        try (Connection person = DriverManager.getConnection(server.url(), props)) {
            person.setAutoCommit(false);
            try (Statement s = person.createStatement()) {
                s.execute("LOCK TABLE streamtee_events IN ACCESS EXCLUSIVE MODE"); // every write waits: a hang
            }
            JdbcSink sink = JdbcSink.parse(server.url() + "&socketTimeout=1", ENV);
            assertThatThrownBy(() -> sink.deliver(Events.end("fd-1"))).isInstanceOf(SQLException.class)
                    .as("the one line the log shows says why").hasMessageEndingWith("(Read timed out)");
            try (SinkQueue q = new SinkQueue(sink, 10, 1000, FAST, Duration.ofSeconds(10)).start()) {
                q.offer(Events.end("fd-1"));
                q.offer(Events.start("fd-2"));
                await().atMost(Duration.ofSeconds(30)).until(() -> q.retried() >= 2);
                assertThat(q.delivered()).isZero();

                person.commit();
                await().atMost(Duration.ofSeconds(30)).until(() -> q.delivered() == 2);
                assertThat(q.failed()).isZero();
            }
        }
        // the timed-out tries' statements still ran once the lock was gone: the upsert leaves one row per event
        assertThat(query("SELECT id, ended_at IS NOT NULL AS ended FROM streamtee_events ORDER BY id"))
                .containsExactly(row("id", "fd-1", "ended", true), row("id", "fd-2", "ended", false));
    }

    @Test
    void aUserWhoMayOnlyWriteRowsUsesTheTableAnAdministratorMade() throws Exception {
        try (JdbcSink admin = JdbcSink.parse(server.url(), ENV)) {
            admin.deliver(Events.start("fd-1")); // makes the table
        }
        query("DROP ROLE IF EXISTS cam_writer");
        query("CREATE ROLE cam_writer LOGIN PASSWORD 'writer-pw'");
        query("GRANT SELECT, INSERT, UPDATE ON streamtee_events TO cam_writer"); // no CREATE on the schema
        try {
            String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres?user=cam_writer";
            try (JdbcSink writer = JdbcSink.parse(url, name -> name.equals("STREAMTEE_DB_PASSWORD") ? "writer-pw" : null)) {
                writer.deliver(Events.end("fd-1"));
                writer.deliver(Events.start("fd-2"));
            }
            assertThat(query("SELECT id, ended_at IS NOT NULL AS ended FROM streamtee_events ORDER BY id"))
                    .containsExactly(row("id", "fd-1", "ended", true), row("id", "fd-2", "ended", false));
        } finally {
            query("DROP TABLE streamtee_events");
            query("DROP ROLE cam_writer");
        }
    }

    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    /** Plain SQL over a connection of its own, as a person's psql would. */
    private static List<Map<String, Object>> query(String sql) throws SQLException {
        Properties props = new Properties();
        props.setProperty("password", PostgresServer.PASSWORD);
        try (Connection c = DriverManager.getConnection(server.url(), props);
                Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return List.of();
            }
            try (ResultSet rs = s.getResultSet()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }
}
