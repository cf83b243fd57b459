package io.streamtee.dist;

import static io.streamtee.dist.Unpacked.find;
import static io.streamtee.dist.Unpacked.javaHome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamtee.dist.Unpacked.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The systemd units in the archive's {@code systemd/}: each is one systemd accepts, and each one's command line, with
 * the install paths moved to the unpacked archive and a temporary directory and its ports to free loopback ones,
 * starts and stops on SIGTERM with exit code 0 (so a flag that a command no longer has fails here, not in a
 * journal).
 */
@Timeout(120)
class UnitsIT {
    /**
     * The line each command logs once it runs (after it handles SIGTERM). A new unit needs its line here.
     */
    private static final Map<String, String> STARTED = Map.of(
            "streamtee-serve.service", "serve: web on ",
            "streamtee-relay.service", "route frontdoor: ",
            "streamtee-record.service", "recording udp://",
            "streamtee-analyze.service", "analyzing udp://",
            "streamtee-view.service", "the viewer serves ");
    /** The configs the units read, and the example each one starts from here. */
    private static final Map<String, String> CONFIGS = Map.of(
            "/etc/streamtee/serve.yml", "serve.example.yml",
            "/etc/streamtee/streamtee.yml", "streamtee.example.yml",
            "/etc/streamtee/analyze.yml", "analyze.example.yml");

    @TempDir
    static Path shared;
    static Unpacked archive;

    @TempDir
    Path tmp;

    @BeforeAll
    static void unpack() throws Exception {
        archive = Unpacked.into(shared);
    }

    @AfterEach
    void kill() {
        archive.killAll();
    }

    static List<String> units() throws IOException {
        Path dir = Path.of(System.getProperty("streamtee.packaging"));
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".service")).sorted().toList();
        }
    }

    @Test
    void everyUnitIsInTheArchive() throws IOException {
        for (String unit : units()) {
            assertThat(archive.home.resolve("systemd").resolve(unit)).isRegularFile();
        }
        assertThat(units()).containsExactlyInAnyOrderElementsOf(STARTED.keySet());
    }

    @Test
    void systemdAnalyzeVerifiesEveryUnit() throws Exception {
        Optional<Path> analyze = find("systemd-analyze");
        assumeTrue(analyze.isPresent(), "systemd-analyze is installed");
        // as installed: /opt/streamtee is the unpacked archive
        Path dir = Files.createDirectory(tmp.resolve("units"));
        List<String> cmd = new ArrayList<>(List.of(analyze.get().toString(), "verify"));
        for (String unit : units()) {
            String text = Files.readString(archive.home.resolve("systemd").resolve(unit));
            Files.writeString(dir.resolve(unit), text.replace("/opt/streamtee/", archive.home + "/"));
            cmd.add(dir.resolve(unit).toString());
        }
        Run run = archive.run(tmp, archive.tools, Map.of(), cmd);
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out() + run.err()).as("what systemd-analyze says about the units").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("units")
    void theCommandOfTheUnitRunsFromTheArchiveAndStopsOnSigterm(String unit) throws Exception {
        assertThat(STARTED).as("the line %s logs when it runs", unit).containsKey(unit);
        Unit u = Unit.parse(Files.readString(archive.home.resolve("systemd").resolve(unit)));
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Map<String, String> env = new HashMap<>(javaHome());
        u.environment().forEach((k, v) -> env.put(k, v.replace("/var/cache/streamtee", cache.toString())));
        if (u.environmentFile() != null) {
            env.put("SMTP_PASSWORD", "dist-test"); // what secrets.env holds for the example analyze.yml
        }
        List<String> cmd = new ArrayList<>();
        for (String arg : u.execStart()) {
            if (CONFIGS.containsKey(arg)) {
                Path config = state.resolve(Path.of(arg).getFileName());
                String example = Files.readString(archive.home.resolve(CONFIGS.get(arg)));
                Files.writeString(config, Unpacked.onLoopbackPortZero(example));
                arg = config.toString();
            }
            cmd.add(arg.replace("/opt/streamtee/", archive.home + "/").replace("/var/lib/streamtee", state.toString())
                    .replaceAll("(0\\.0\\.0\\.0|127\\.0\\.0\\.1):\\d+", "127.0.0.1:0"));
        }
        assertThat(cmd.get(0)).isEqualTo(archive.launcher());
        assertThat(u.workingDirectory()).isIn(null, "/var/lib/streamtee");
        Path cwd = u.workingDirectory() == null ? Files.createDirectory(tmp.resolve("cwd")) : state;

        Path err = tmp.resolve("stderr.txt");
        Process p = archive.start(cwd, err, env, cmd);
        Pattern started = Pattern.compile(Pattern.quote(STARTED.get(unit)));
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                .until(() -> !p.isAlive() || Unpacked.match(started, err).isPresent());
        assertThat(p.isAlive()).as("%s runs: %s", cmd, Files.readString(err)).isTrue();
        p.destroy(); // SIGTERM, the unit's KillSignal
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s after SIGTERM").isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    }

    /**
     * What the tests read from a unit file: ExecStart split into words, Environment=, EnvironmentFile=,
     * WorkingDirectory=.
     */
    record Unit(List<String> execStart, Map<String, String> environment, String environmentFile,
            String workingDirectory) {
        static Unit parse(String text) {
            List<String> exec = null;
            Map<String, String> env = new HashMap<>();
            String cwd = null;
            String envFile = null;
            for (String line : text.replace("\\\n", " ").lines().toList()) {
                if (line.startsWith("ExecStart=")) {
                    String value = line.substring("ExecStart=".length()).strip();
                    assertThat(value).as("no quoting in ExecStart (the tests split it on spaces)")
                            .doesNotContain("\"", "'");
                    exec = List.of(value.split("\\s+"));
                } else if (line.startsWith("Environment=")) {
                    String value = line.substring("Environment=".length());
                    assertThat(value).as("one unquoted VAR=VALUE per Environment=").doesNotContain("\"", " ");
                    env.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
                } else if (line.startsWith("EnvironmentFile=")) {
                    envFile = line.substring("EnvironmentFile=".length()).strip();
                } else if (line.startsWith("WorkingDirectory=")) {
                    cwd = line.substring("WorkingDirectory=".length()).strip();
                }
            }
            assertThat(exec).as("ExecStart=").isNotNull();
            return new Unit(exec, env, envFile, cwd);
        }
    }
}
