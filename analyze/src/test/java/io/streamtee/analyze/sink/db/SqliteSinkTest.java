package io.streamtee.analyze.sink.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.net.Backoff;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSinkTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));

    @TempDir
    Path dir;

    @Test
    void oneRowFollowsAnEventFromStartToEnd() throws Exception {
        Path file = dir.resolve("db/events.db");
        String url = "jdbc:sqlite:" + file;
        try (JdbcSink sink = JdbcSink.parse(url)) {
            assertThat(sink.name()).isEqualTo(url);
            sink.deliver(Events.start("fd-1"));
            Map<String, Object> row = row(file, "fd-1");
            assertThat(row).containsEntry("camera", "frontdoor").containsEntry("kind", "MOTION")
                    .containsEntry("title", "motion in porch").containsEntry("zones", "porch")
                    .containsEntry("started_at", "2026-11-30T12:00:10.123Z").containsEntry("ended_at", null)
                    .containsEntry("start_pts", 900_000L).containsEntry("end_pts", null)
                    .containsEntry("peak_score", 0.12).containsEntry("snapshot", null)
                    .containsEntry("boxes", "[{\"x\":0.1,\"y\":0.2,\"w\":0.3,\"h\":0.4}]")
                    .containsEntry("details", "{\"frames\":1}");

            sink.deliver(Events.update("fd-1"));
            row = row(file, "fd-1");
            assertThat(row).containsEntry("title", "motion in porch, driveway")
                    .containsEntry("zones", "porch,driveway").containsEntry("ended_at", null)
                    .containsEntry("peak_score", 0.37).containsEntry("snapshot", "/api/events/fd-1/snapshot.jpg")
                    .containsEntry("details", "{\"frames\":40,\"pixels\":12345}");
            assertThat((String) row.get("boxes")).contains("{\"x\":0.5,\"y\":0.5,\"w\":0.25,\"h\":0.25}");

            sink.deliver(Events.end("fd-1"));
            sink.deliver(Events.end("fd-1")); // delivered twice (a retry after a lost answer): still one row
            row = row(file, "fd-1");
            assertThat(row).containsEntry("started_at", "2026-11-30T12:00:10.123Z")
                    .containsEntry("ended_at", "2026-11-30T12:00:22.123Z")
                    .containsEntry("end_pts", 900_000L + 12 * 90_000).containsEntry("peak_score", 0.41)
                    .containsEntry("details", "{\"frames\":300,\"pixels\":23456}");
        }
        assertThat(query(file, "SELECT count(*) AS n FROM streamtee_events")).containsExactly(Map.of("n", 1L));
        // a person's query: SQLite's date functions read the text, and it sorts and compares as time
        assertThat(query(file, "SELECT (julianday(ended_at) - julianday(started_at)) * 86400 AS lasted "
                + "FROM streamtee_events WHERE started_at >= '2026-11-30' AND started_at < '2026-12-01'"))
                .singleElement().satisfies(r -> assertThat((double) r.get("lasted")).isCloseTo(12.0,
                        org.assertj.core.data.Offset.offset(0.01)));
    }

    @Test
    void theTableOneRunCreatedIsReusedByTheNext() throws Exception {
        Path file = dir.resolve("events.db");
        try (JdbcSink first = JdbcSink.parse("jdbc:sqlite:" + file)) {
            first.deliver(Events.start("fd-1"));
            first.deliver(Events.health("by-1", Events.T0 + 1000));
        }
        try (JdbcSink next = JdbcSink.parse("jdbc:sqlite:" + file)) {
            next.deliver(Events.end("fd-1"));
            next.deliver(Events.start("fd-2"));
        }
        assertThat(query(file, "SELECT id, ended_at FROM streamtee_events ORDER BY started_at, id")).containsExactly(
                row("id", "fd-1", "ended_at", "2026-11-30T12:00:22.123Z"),
                row("id", "fd-2", "ended_at", null),
                row("id", "by-1", "ended_at", null));
        assertThat(query(file, "SELECT zones, boxes, details, start_pts FROM streamtee_events WHERE id = 'by-1'"))
                .containsExactly(row("zones", "", "boxes", "[]", "details", "{}", "start_pts", null));
        assertThat(query(file, "SELECT type, name FROM sqlite_master WHERE tbl_name = 'streamtee_events' "
                + "AND name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name")).containsExactly(
                row("type", "index", "name", "streamtee_events_camera_started"),
                row("type", "table", "name", "streamtee_events"));
        assertThat(query(file, "SELECT name FROM pragma_index_info('streamtee_events_camera_started') ORDER BY seqno"))
                .containsExactly(Map.of("name", "camera"), Map.of("name", "started_at"));
    }

    @Test
    void aFolderThatCannotBeMadeFailsTheDeliveryAndTheQueueRetriesUntilItCan() throws Exception {
        Path blocker = dir.resolve("db");
        Files.writeString(blocker, "a file where the folder should be");
        JdbcSink sink = JdbcSink.parse("jdbc:sqlite:" + blocker.resolve("events.db"));
        try (SinkQueue q = new SinkQueue(sink, 10, 1000, FAST, Duration.ofSeconds(10)).start()) {
            q.offer(Events.start("fd-1"));
            await().atMost(Duration.ofSeconds(10)).until(() -> q.retried() >= 2);
            assertThat(q.delivered()).isZero();

            Files.delete(blocker);
            await().atMost(Duration.ofSeconds(10)).until(() -> q.delivered() == 1);
            assertThat(q.failed()).isZero();
        }
        assertThat(query(blocker.resolve("events.db"), "SELECT id FROM streamtee_events"))
                .containsExactly(Map.of("id", "fd-1"));
    }

    @Test
    void aWriterHoldingTheLockFailsTheDeliveryAndTheQueueRetriesUntilItLetsGo() throws Exception {
        Path file = dir.resolve("events.db");
        try (JdbcSink first = JdbcSink.parse("jdbc:sqlite:" + file)) {
            first.deliver(Events.start("fd-1"));
        }
        assertThat(query(file, "PRAGMA journal_mode")).containsExactly(Map.of("journal_mode", "wal"));

        try (Connection person = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            person.setAutoCommit(false);
            try (Statement s = person.createStatement()) {
                s.executeUpdate("UPDATE streamtee_events SET snapshot = 'held' WHERE id = 'fd-1'"); // the write lock
            }
            JdbcSink sink = JdbcSink.parse("jdbc:sqlite:" + file + "?busy_timeout=100");
            try (SinkQueue q = new SinkQueue(sink, 10, 1000, FAST, Duration.ofSeconds(10)).start()) {
                q.offer(Events.end("fd-1"));
                q.offer(Events.start("fd-2"));
                await().atMost(Duration.ofSeconds(10)).until(() -> q.retried() >= 2);
                assertThat(q.delivered()).isZero();
                assertThat(query(file, "SELECT ended_at FROM streamtee_events WHERE id = 'fd-1'"))
                        .as("WAL: a reader is not held up by the waiting writes")
                        .containsExactly(row("ended_at", null));

                person.commit();
                await().atMost(Duration.ofSeconds(10)).until(() -> q.delivered() == 2);
                assertThat(q.failed()).isZero();
            }
        }
        assertThat(query(file, "SELECT id, ended_at, snapshot FROM streamtee_events ORDER BY id")).containsExactly(
                row("id", "fd-1", "ended_at", "2026-11-30T12:00:22.123Z", "snapshot", "/api/events/fd-1/snapshot.jpg"),
                row("id", "fd-2", "ended_at", null, "snapshot", null));
    }

    private static Map<String, Object> row(Path file, String id) throws SQLException {
        List<Map<String, Object>> rows = query(file, "SELECT * FROM streamtee_events WHERE id = '" + id + "'");
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    /** Plain SQL over a connection of its own, as a person's sqlite3 would; integers as long. */
    static List<Map<String, Object>> query(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.put(rs.getMetaData().getColumnLabel(i), v instanceof Integer n ? (Object) n.longValue() : v);
                }
                rows.add(row);
            }
            return rows;
        }
    }
}
