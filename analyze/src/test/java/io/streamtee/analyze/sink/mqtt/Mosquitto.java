package io.streamtee.analyze.sink.mqtt;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Mosquitto broker for a test: its own config in a temp dir, listening on a loopback port only, anonymous
 * or with a password file, no persistence. {@link #start} waits until the port accepts; {@link #kill} ends it at once
 * (SIGKILL, no goodbye to its clients); it can be started again on the same port. Never the system service.
 */
public final class Mosquitto implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Path passwordFile;
    private Process process;

    public Mosquitto(Path dir, int port, Path passwordFile) {
        this.dir = dir;
        this.port = port;
        this.passwordFile = passwordFile;
    }

    /** Skips the test (with a message) when the broker is not installed. */
    public static Path binary() {
        Optional<Path> found = find("mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto");
        Assumptions.assumeTrue(found.isPresent(),
                "mosquitto is not installed (Debian package mosquitto, which bin/test installs): skipping");
        return found.get();
    }

    /** {@code mosquitto_passwd}, or empty when it is not installed. */
    static Optional<Path> passwdTool() {
        return find("mosquitto_passwd", "/usr/bin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd");
    }

    private static Optional<Path> find(String name, String... usual) {
        List<Path> candidates = new ArrayList<>();
        for (String p : usual) {
            candidates.add(Path.of(p));
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty()) {
                candidates.add(Path.of(d, name));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** A loopback port that was free a moment ago (Mosquitto cannot listen on port 0 and report it). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Writes a password file with one user, or skips the test when mosquitto_passwd is missing. */
    static Path passwordFile(Path dir, String user, String password) throws Exception {
        Optional<Path> tool = passwdTool();
        Assumptions.assumeTrue(tool.isPresent(), "mosquitto_passwd is not installed: skipping the password test");
        Path file = dir.resolve("passwd");
        Process p = new ProcessBuilder(tool.get().toString(), "-b", "-c", file.toString(), user, password)
                .redirectErrorStream(true).redirectOutput(dir.resolve("passwd.log").toFile()).start();
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("mosquitto_passwd failed: " + Files.readString(dir.resolve("passwd.log")));
        }
        return file;
    }

    public int port() {
        return port;
    }

    String url() {
        return "mqtt://127.0.0.1:" + port;
    }

    /** Starts the broker and waits until its port accepts connections. */
    public Mosquitto start() throws IOException {
        Path conf = dir.resolve("mosquitto.conf");
        StringBuilder c = new StringBuilder()
                .append("listener ").append(port).append(" 127.0.0.1\n")
                .append("persistence false\n")
                .append("log_dest stderr\n")
                .append("log_type error\nlog_type warning\nlog_type notice\n")
                // when run as root it would switch to the user "mosquitto", who cannot read our temp dir
                .append("user ").append(System.getProperty("user.name")).append('\n');
        if (passwordFile == null) {
            c.append("allow_anonymous true\n");
        } else {
            c.append("allow_anonymous false\npassword_file ").append(passwordFile).append('\n');
        }
        Files.writeString(conf, c);
        Path log = dir.resolve("mosquitto.log");
        process = new ProcessBuilder(binary().toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Process started = process;
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!started.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + started.exitValue() + ": "
                        + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return this;
    }

    /** Ends the broker at once (SIGKILL): its clients see their connections drop. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
