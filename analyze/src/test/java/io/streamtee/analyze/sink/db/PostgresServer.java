package io.streamtee.analyze.sink.db;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, from Debian's {@code postgresql} package: its own cluster ({@code initdb}) in a
 * temp folder, listening on 127.0.0.1 at a free port found by binding port 0 (PostgreSQL cannot take 0), started and
 * stopped with {@code pg_ctl}, never the system service. PostgreSQL refuses to run as root, so as root every command
 * runs as the {@code postgres} OS user ({@code runuser -u postgres --}), which owns the temp folder. Connections over
 * TCP log in as {@code postgres} with {@link #PASSWORD} (scram-sha-256). {@link #create()} skips the calling test
 * (an assumption) when the binaries are missing or no cluster can be made.
 */
public final class PostgresServer implements AutoCloseable {
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    public static final String PASSWORD = "pg-test-secret-7";

    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;
    private boolean running;

    private PostgresServer(Path dir, int port, boolean asPostgresUser) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Makes a new cluster (not yet running), or skips the test with the reason. */
    public static PostgresServer create() throws Exception {
        assumeTrue(Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("pg_ctl")),
                "PostgreSQL 15 is not installed (" + BIN + "/initdb): apt-get install postgresql, or run bin/test");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser")),
                    "running as root and runuser is missing: PostgreSQL refuses to run as root");
        }
        Path dir = Files.createTempDirectory("streamtee-pg-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path pwfile = dir.resolve("pw");
        Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
        if (root) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal postgres;
            GroupPrincipal group;
            try {
                postgres = users.lookupPrincipalByName("postgres");
                group = users.lookupPrincipalByGroupName("postgres");
            } catch (IOException e) {
                delete(dir);
                assumeTrue(false, "running as root and there is no postgres OS user to run PostgreSQL as");
                throw e;
            }
            for (Path p : List.of(dir, pwfile)) {
                Files.setOwner(p, postgres);
                Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
            }
        }
        PostgresServer server = new PostgresServer(dir, freePort(), root);
        String out = server.run(120, BIN.resolve("initdb").toString(), "-D", server.data.toString(), "-U", "postgres",
                "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--locale=C", "--no-sync");
        if (out != null) {
            server.close();
            assumeTrue(false, "initdb could not make a PostgreSQL cluster: " + out);
        }
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** A sink URL for this server's {@code postgres} database, without the password. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** Starts the server, unless it runs, and waits until it takes connections. */
    public void start() throws Exception {
        if (running) {
            return;
        }
        String out = run(60, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        if (out != null) {
            throw new IllegalStateException("pg_ctl start failed: " + out + "\n" + log());
        }
        running = true;
    }

    /** Stops the server (fast: open connections are ended) and waits until it is gone. */
    void stop() throws Exception {
        String out = run(60, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop");
        if (out != null) {
            throw new IllegalStateException("pg_ctl stop failed: " + out);
        }
        running = false;
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs a command (as the postgres user when we are root); null when it succeeded, else its output. */
    private String run(int timeoutSeconds, String... command) throws IOException {
        List<String> argv = new ArrayList<>();
        if (asPostgresUser) {
            argv.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        argv.addAll(List.of(command));
        Path output = Files.createTempFile("streamtee-pg-cmd-", ".out"); // a file, not a pipe: the server inherits it
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            boolean ended;
            try {
                ended = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ended = false;
            }
            if (!ended) {
                p.destroyForcibly();
                return String.join(" ", argv) + ": no answer after " + timeoutSeconds + " s";
            }
            String text = Files.readString(output, StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? null : String.join(" ", argv) + ": exit " + p.exitValue() + ": " + text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Stops the server if it runs and deletes its folder. Safe to call twice. */
    @Override
    public void close() throws IOException {
        try {
            if (running) {
                run(60, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
                running = false;
            }
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
