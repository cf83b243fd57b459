package io.streamtee.analyze.sink.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class DbTargetTest {
    private static final UnaryOperator<String> NO_ENV = name -> null;

    @Test
    void sqliteIsAFileNamedAsWritten() {
        DbTarget t = DbTarget.parse("jdbc:sqlite:events.db", NO_ENV);
        assertThat(t.dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(t.name()).isEqualTo("jdbc:sqlite:events.db");
        assertThat(t.jdbcUrl()).isEqualTo("jdbc:sqlite:events.db");
        assertThat(t.file()).isEqualTo(Path.of("events.db"));
        assertThat(t.properties().getProperty("busy_timeout")).isEqualTo("5000");
        assertThat(t.properties().getProperty("journal_mode")).isEqualTo("WAL");
        assertThat(DbTarget.parse("jdbc:sqlite:events.db?busy_timeout=100", NO_ENV).properties())
                .doesNotContainKey("busy_timeout").containsEntry("journal_mode", "WAL");
    }

    @Test
    void thePostgresqlPasswordComesFromTheUrlOrTheEnvironmentAndIsNeverInTheName() {
        DbTarget inUrl = DbTarget.parse(
                "jdbc:postgresql://db.lan:5432/cams?user=cam&password=p%40ss&sslmode=require", NO_ENV);
        assertThat(inUrl.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(inUrl.name()).isEqualTo("jdbc:postgresql://db.lan:5432/cams?user=cam&sslmode=require");
        assertThat(inUrl.jdbcUrl()).isEqualTo(inUrl.name());
        assertThat(inUrl.toString()).doesNotContain("p%40ss", "p@ss");
        assertThat(inUrl.properties().getProperty("password")).isEqualTo("p@ss");
        assertThat(inUrl.file()).isNull();

        Map<String, String> env = Map.of("STREAMTEE_DB_PASSWORD", "from-env");
        DbTarget fromEnv = DbTarget.parse("jdbc:postgresql://db.lan/cams?user=cam", env::get);
        assertThat(fromEnv.properties().getProperty("password")).isEqualTo("from-env");
        assertThat(fromEnv.name()).isEqualTo("jdbc:postgresql://db.lan/cams?user=cam");
        assertThat(DbTarget.parse("jdbc:postgresql://db.lan/cams?user=cam&password=url", env::get).properties()
                .getProperty("password")).as("the URL's password wins").isEqualTo("url");
        assertThat(DbTarget.parse("jdbc:postgresql://db.lan/cams?user=cam", NO_ENV).properties())
                .doesNotContainKey("password");
    }

    @Test
    void postgresqlHasTimeoutsUnlessTheUrlSetsItsOwn() {
        DbTarget t = DbTarget.parse("jdbc:postgresql://127.0.0.1:5432/cams?user=cam&socketTimeout=5", NO_ENV);
        assertThat(t.properties().getProperty("connectTimeout")).isEqualTo("10");
        assertThat(t.properties().getProperty("loginTimeout")).isEqualTo("10");
        assertThat(t.properties()).as("the URL's own").doesNotContainKey("socketTimeout");
        assertThat(t.jdbcUrl()).endsWith("socketTimeout=5");
    }

    @Test
    void aUrlThatCannotBeUsedIsAOneLineErrorNamingTheSink() {
        assertError("mysql://db.lan/cams", "sink 'mysql://db.lan/cams': a database sink is jdbc:sqlite:FILE or "
                + "jdbc:postgresql://HOST:PORT/DB?user=USER");
        assertError("jdbc:sqlite:", "sink 'jdbc:sqlite:': no database file (e.g. jdbc:sqlite:events.db)");
        assertError("jdbc:sqlite::memory:", "sink 'jdbc:sqlite::memory:': an in-memory database is lost when the "
                + "sink reconnects and nobody can query it; name a file (e.g. jdbc:sqlite:events.db)");
        assertError("jdbc:postgresql:cams?user=cam&password=hunter2",
                "sink 'jdbc:postgresql:cams?user=cam': expected jdbc:postgresql://HOST:PORT/DB?user=USER");
        assertError("jdbc:postgresql://db.lan:5432?user=cam",
                "sink 'jdbc:postgresql://db.lan:5432?user=cam': expected jdbc:postgresql://HOST:PORT/DB?user=USER");
        assertError("jdbc:postgresql://cam:hunter2@db.lan/cams", "sink 'jdbc:postgresql://db.lan/cams': put the "
                + "user in ?user= and the password in STREAMTEE_DB_PASSWORD, not before the host");
        assertError("postgresql://cam:hunter2@db.lan/cams?password=hunter2", "sink 'postgresql://db.lan/cams': "
                + "a database sink is jdbc:sqlite:FILE or jdbc:postgresql://HOST:PORT/DB?user=USER");
    }

    private static void assertError(String url, String message) {
        assertThatThrownBy(() -> JdbcSink.parse(url, NO_ENV)).isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }
}
