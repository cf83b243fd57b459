/**
 * The database sink: events as rows of one table ({@code streamtee_events}) in SQLite or PostgreSQL, over JDBC, for a
 * person to query with {@code sqlite3} or {@code psql}. See {@link io.streamtee.analyze.sink.db.JdbcSink}.
 */
package io.streamtee.analyze.sink.db;
