package io.streamtee.analyze.sink.db;

import io.streamtee.config.ConfigException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * A database sink's URL, taken apart: which database, the JDBC URL to open with no password in it, and the
 * connection properties (the password, the timeouts). {@link #name()} is what logs show: the URL without the
 * password.
 *
 * @param dialect    SQLite or PostgreSQL
 * @param name       the URL as written, less any {@code password=} parameter
 * @param jdbcUrl    the URL the driver opens, with no password in it
 * @param properties the driver's properties: the password, default timeouts, SQLite's WAL journal (the URL's own
 *                   parameters win)
 * @param file       the SQLite database file, whose folder is created when missing; null for PostgreSQL or a
 *                   {@code file:} URI
 */
record DbTarget(Dialect dialect, String name, String jdbcUrl, Properties properties, Path file) {
    /** The environment variable the PostgreSQL password is read from when the URL has none. */
    static final String PASSWORD_ENV = "STREAMTEE_DB_PASSWORD";

    /** Seconds to open a TCP connection, to log in, and to wait for any answer before the delivery fails. */
    static final int CONNECT_TIMEOUT_S = 10;
    static final int LOGIN_TIMEOUT_S = 10;
    static final int SOCKET_TIMEOUT_S = 30;
    /** Milliseconds SQLite waits for another writer's lock (a person's {@code sqlite3} session) before it fails. */
    static final int SQLITE_BUSY_TIMEOUT_MS = 5000;

    private static final String SQLITE = "jdbc:sqlite:";
    private static final String POSTGRESQL = "jdbc:postgresql:";
    private static final String FORMS = "jdbc:sqlite:FILE or jdbc:postgresql://HOST:PORT/DB?user=USER";

    /**
     * Parses a sink URL: {@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://HOST:PORT/DB?user=USER} (the password
     * as {@code &password=} or, better, in {@code STREAMTEE_DB_PASSWORD}).
     *
     * @param env looks up an environment variable (null when unset)
     * @throws ConfigException naming the sink (without its password) and what is wrong
     */
    static DbTarget parse(String url, UnaryOperator<String> env) {
        if (url == null || url.isBlank()) {
            throw new ConfigException("sink '': a database sink is " + FORMS);
        }
        String trimmed = url.strip();
        if (trimmed.startsWith(SQLITE)) {
            return sqlite(trimmed);
        }
        if (trimmed.startsWith(POSTGRESQL)) {
            return postgresql(trimmed, env);
        }
        throw new ConfigException("sink '" + withoutPassword(trimmed) + "': a database sink is " + FORMS);
    }

    private static DbTarget sqlite(String url) {
        String rest = url.substring(SQLITE.length());
        int q = rest.indexOf('?');
        String path = q < 0 ? rest : rest.substring(0, q);
        if (path.isEmpty()) {
            throw new ConfigException("sink '" + url + "': no database file (e.g. jdbc:sqlite:events.db)");
        }
        if (path.equals(":memory:") || path.startsWith(":resource:") || path.contains("mode=memory")) {
            throw new ConfigException("sink '" + url + "': an in-memory database is lost when the sink reconnects "
                    + "and nobody can query it; name a file (e.g. jdbc:sqlite:events.db)");
        }
        Path file = null;
        if (!path.startsWith("file:")) {
            try {
                file = Path.of(path);
            } catch (InvalidPathException e) {
                throw new ConfigException("sink '" + url + "': " + path + " is not a file name");
            }
        }
        Properties props = new Properties();
        String query = q < 0 ? "" : rest.substring(q + 1);
        byDefault(props, query, "busy_timeout", Integer.toString(SQLITE_BUSY_TIMEOUT_MS));
        byDefault(props, query, "journal_mode", "WAL"); // a person's sqlite3 reads while the sink writes
        byDefault(props, query, "synchronous", "NORMAL");
        return new DbTarget(Dialect.SQLITE, url, url, props, file);
    }

    private static DbTarget postgresql(String url, UnaryOperator<String> env) {
        String rest = url.substring(POSTGRESQL.length());
        int q = rest.indexOf('?');
        String where = q < 0 ? rest : rest.substring(0, q);
        String safeName = withoutPassword(url);
        if (!where.startsWith("//") || where.length() <= 2 || where.startsWith("///") || where.indexOf('/', 2) < 0
                || where.endsWith("/")) {
            throw new ConfigException("sink '" + safeName + "': expected jdbc:postgresql://HOST:PORT/DB?user=USER");
        }
        if (where.substring(2, where.indexOf('/', 2)).contains("@")) {
            throw new ConfigException("sink '" + safeName + "': put the user in ?user= and the password in "
                    + PASSWORD_ENV + ", not before the host");
        }
        Properties props = new Properties();
        String query = q < 0 ? "" : rest.substring(q + 1);
        byDefault(props, query, "connectTimeout", Integer.toString(CONNECT_TIMEOUT_S));
        byDefault(props, query, "loginTimeout", Integer.toString(LOGIN_TIMEOUT_S));
        byDefault(props, query, "socketTimeout", Integer.toString(SOCKET_TIMEOUT_S));
        byDefault(props, query, "tcpKeepAlive", "true");
        byDefault(props, query, "ApplicationName", "streamtee");
        List<String> kept = new ArrayList<>();
        String password = null;
        if (q >= 0) {
            for (String param : rest.substring(q + 1).split("&")) {
                if (param.isEmpty()) {
                    continue;
                }
                int eq = param.indexOf('=');
                String key = eq < 0 ? param : param.substring(0, eq);
                if (key.equalsIgnoreCase("password")) {
                    try {
                        password = URLDecoder.decode(eq < 0 ? "" : param.substring(eq + 1), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException("sink '" + safeName + "': the password parameter is not "
                                + "URL-encoded");
                    }
                } else {
                    kept.add(param);
                }
            }
        }
        if (password == null) {
            password = env.apply(PASSWORD_ENV);
        }
        if (password != null && !password.isEmpty()) {
            props.setProperty("password", password);
        }
        String jdbcUrl = POSTGRESQL + where + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new DbTarget(Dialect.POSTGRESQL, jdbcUrl, jdbcUrl, props, null);
    }

    /** Sets a driver property unless the URL's query ({@code a=1&b=2}) sets it. */
    private static void byDefault(Properties props, String query, String key, String value) {
        for (String param : query.split("&")) {
            int eq = param.indexOf('=');
            if ((eq < 0 ? param : param.substring(0, eq)).equalsIgnoreCase(key)) {
                return;
            }
        }
        props.setProperty(key, value);
    }

    /** The URL with any {@code password=} parameter and any {@code user:password@} before the host left out. */
    private static String withoutPassword(String url) {
        int slashes = url.indexOf("//");
        if (slashes >= 0) {
            int end = slashes + 2;
            while (end < url.length() && "/?".indexOf(url.charAt(end)) < 0) {
                end++;
            }
            int at = url.lastIndexOf('@', end - 1);
            if (at > slashes) {
                url = url.substring(0, slashes + 2) + url.substring(at + 1);
            }
        }
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        List<String> kept = new ArrayList<>();
        for (String param : url.substring(q + 1).split("&")) {
            if (!param.toLowerCase(Locale.ROOT).startsWith("password")) {
                kept.add(param);
            }
        }
        return url.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }

    @Override
    public String toString() {
        return name; // never the properties: they hold the password
    }
}
