package io.streamtee.dist;

import static io.streamtee.dist.Unpacked.find;
import static io.streamtee.dist.Unpacked.javaHome;
import static io.streamtee.dist.Unpacked.match;
import static io.streamtee.dist.Unpacked.which;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.streamtee.dist.Unpacked.Run;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * The distribution archive as a person installs it: unpacked into an empty directory and run from a directory outside
 * the source tree, with a PATH that holds only the few shell tools the launcher uses (no Maven) and a JDK given by
 * JAVA_HOME or PATH. Runs after {@code package} (failsafe), on the archive {@code mvn package} just built.
 */
@Timeout(120)
class ArchiveIT {
    private static final Pattern WEB = Pattern.compile("serve: web on (http://127\\.0\\.0\\.1:\\d+/)");

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

    @Test
    void holdsTheLauncherTheJarsTheExampleConfigsAndTheUnits() throws IOException {
        Path home = archive.home;
        String version = archive.version;
        assertThat(Files.isExecutable(home.resolve("bin/streamtee"))).as("bin/streamtee executable").isTrue();
        assertThat(home.resolve("lib/streamtee-" + version + ".jar")).isRegularFile();
        assertThat(home.resolve("lib/streamtee-serve-" + version + ".jar")).isRegularFile();
        for (String f : List.of("serve.example.yml", "streamtee.example.yml", "analyze.example.yml", "README.txt",
                "systemd/streamtee-serve.service", "systemd/streamtee-relay.service",
                "systemd/streamtee-record.service", "systemd/streamtee-analyze.service",
                "systemd/streamtee-view.service", "systemd/99-streamtee.conf")) {
            assertThat(home.resolve(f)).isRegularFile();
        }
        assertThat(Files.readString(home.resolve("README.txt"))).contains("streamtee " + version)
                .doesNotContain("${");
    }

    @Test
    void printsItsVersionWithJavaHomeAndNoMavenOnThePath() throws Exception {
        Run run = archive.run(tmp, archive.tools, javaHome(), List.of(archive.launcher(), "--version"));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().strip()).matches("streamtee \\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void takesTheJavaOnThePathWhenJavaHomeIsTooOld() throws Exception {
        Path old = oldJdk();
        // java on PATH: a wrapper that notes each call, then runs this JVM
        Path calls = tmp.resolve("calls.txt");
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        script(bin.resolve("java"), "echo \"$@\" >> '" + calls + "'\nexec '" + java + "' \"$@\"\n");
        Path path = Unpacked.toolsIn(tmp.resolve("path"));
        Files.createSymbolicLink(path.resolve("java"), bin.resolve("java"));

        Run run = archive.run(tmp, path, Map.of("JAVA_HOME", old.toString()), List.of(archive.launcher(), "--version"));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("streamtee ");
        assertThat(Files.readString(calls)).as("the java on PATH ran streamtee")
                .contains("--enable-native-access=ALL-UNNAMED").contains("io.streamtee.app.Main");
    }

    @Test
    void givesEachCommandItsMemoryBoundsAndStreamteeJavaOptsWin() throws Exception {
        Path calls = tmp.resolve("calls.txt");
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        script(bin.resolve("java"), "echo \"$@\" >> '" + calls + "'\nexec '" + java + "' \"$@\"\n");
        Path path = Unpacked.toolsIn(tmp.resolve("path"));
        Files.createSymbolicLink(path.resolve("java"), bin.resolve("java"));
        Map<String, String> env = Map.of("JAVA_HOME", oldJdk().toString(), "STREAMTEE_JAVA_OPTS", "-Xmx100m");

        for (String command : List.of("relay", "analyze")) {
            Files.deleteIfExists(calls);
            Run run = archive.run(tmp, path, env, List.of(archive.launcher(), command, "--help"));
            assertThat(run.exit()).as(run.err()).isZero();
            String main = Files.readAllLines(calls).stream().filter(l -> l.contains("io.streamtee.app.Main"))
                    .findFirst().orElseThrow();
            String bound = command.equals("relay") ? "-Xmx256m" : "-Xmx384m";
            assertThat(main).as(command).contains("-XX:+UseSerialGC", bound, "-XX:MaxDirectMemorySize=");
            assertThat(main.indexOf("-Xmx100m")).as("STREAMTEE_JAVA_OPTS after the defaults: %s", main)
                    .isGreaterThan(main.indexOf(bound));
        }
    }

    @Test
    void onJava25ItMakesTheStartUpCacheOnceAndStartsWhenTheCacheIsBad() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "JDK 25's AOT cache");
        // mkdir and mv are what making the cache takes besides the launcher's tools
        Path path = Unpacked.toolsIn(tmp.resolve("path"));
        Files.createSymbolicLink(path.resolve("mkdir"), which("mkdir"));
        Files.createSymbolicLink(path.resolve("mv"), which("mv"));
        Path dir = tmp.resolve("aot");
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"),
                "STREAMTEE_AOT_CACHE", dir.toString());

        Run first = archive.run(tmp, path, env, List.of(archive.launcher(), "--version"));
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.err()).contains("streamtee: making the start-up cache");
        Path cache;
        try (Stream<Path> files = Files.list(dir)) {
            cache = files.filter(f -> f.getFileName().toString().endsWith(".aot")).findFirst().orElseThrow();
        }
        assertThat(cache).isNotEmptyFile();

        Run second = archive.run(tmp, path, env, List.of(archive.launcher(), "--version"));
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.err()).as("made once").isEmpty();
        assertThat(second.out()).startsWith("streamtee ");

        // A cache the JVM cannot use (cut short, or from another build): it starts without it, silently.
        Files.write(cache, Arrays.copyOf(Files.readAllBytes(cache), 4096));
        Run bad = archive.run(tmp, path, env, List.of(archive.launcher(), "--version"));
        assertThat(bad.exit()).as(bad.err()).isZero();
        assertThat(bad.err()).isEmpty();
        assertThat(bad.out()).startsWith("streamtee ");
    }

    @Test
    void withoutJava21ItSaysSoInOneLine() throws Exception {
        // This machine's JDKs in /usr/lib/jvm are hidden in a mount namespace of its own, where that can be made
        // (root, unshare allowed); JAVA_HOME is a Java 17 and no java is on PATH.
        List<String> cmd = new ArrayList<>();
        if (Files.isDirectory(Path.of("/usr/lib/jvm"))) {
            Optional<Path> unshare = find("unshare");
            Optional<Path> mount = find("mount");
            assumeTrue(unshare.isPresent() && mount.isPresent(), "unshare and mount are installed");
            Path empty = Files.createDirectory(tmp.resolve("empty"));
            cmd.addAll(List.of(unshare.get().toString(), "--mount", "--propagation", "private",
                    which("bash").toString(), "-c",
                    "'" + mount.get() + "' --bind '" + empty + "' /usr/lib/jvm && exec \"$@\"", "hide"));
            List<String> probe = new ArrayList<>(cmd);
            probe.addAll(List.of(which("bash").toString(), "-c", "true"));
            Run made = archive.run(tmp, archive.tools, Map.of(), probe);
            assumeTrue(made.exit() == 0, "a mount namespace can be made here: " + made.err());
        }
        cmd.add(archive.launcher());
        cmd.add("--version");
        Path old = oldJdk();

        Run run = archive.run(tmp, archive.tools, Map.of("JAVA_HOME", old.toString()), cmd);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().strip().lines()).as(run.err()).hasSize(1).first().asString()
                .startsWith("streamtee: needs Java 21 or newer")
                .contains("Java 17 at " + old.resolve("bin/java"))
                .contains("JAVA_HOME");
    }

    @Test
    void servesTheExampleConfigReloadsOnSighupAndStopsOnSigterm() throws Exception {
        // The example config, on free loopback ports: the web server and every camera's input on port 0. What it
        // sends to (an S3 store and a webhook at 127.0.0.1:9000, an output at 127.0.0.1:9101) stays on loopback.
        String config = Unpacked.onLoopbackPortZero(Files.readString(archive.home.resolve("serve.example.yml")));
        assertThat(config.lines().filter(l -> l.matches("\\s*(listen|input):.*")))
                .isNotEmpty().allMatch(l -> l.matches("\\s*(listen:|input: udp://)\\s*127\\.0\\.0\\.1:0\\b.*"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        Files.writeString(work.resolve("serve.yml"), config);
        JsonNode yaml = new YAMLMapper().readTree(config).get("cameras");
        List<String> cameras = new ArrayList<>();
        yaml.fieldNames().forEachRemaining(cameras::add);

        Path err = tmp.resolve("serve-stderr.txt");
        Process serve = archive.start(work, err, javaHome(), List.of(archive.launcher(), "serve", "-c", "serve.yml"));
        String url = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                .until(() -> match(WEB, err).map(m -> m.group(1)), Optional::isPresent).orElseThrow();

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url + "healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(cameraNames(http, url)).containsExactlyInAnyOrderElementsOf(cameras);

        // A few seconds of the archive's own simulated camera (FFmpeg from lib/) into a camera that records to disk
        // only: its segments are there after the stop.
        String camera = cameras.stream().filter(c -> !yaml.get(c).has("record")).findFirst().orElseThrow();
        Pattern route = Pattern.compile("route " + Pattern.quote(camera) + ": udp://127\\.0\\.0\\.1:(\\d+)");
        int port = Integer.parseInt(match(route, err).orElseThrow().group(1));
        Run sent = archive.run(tmp, archive.tools, javaHome(), List.of(archive.launcher(), "camera", "--to",
                "udp://127.0.0.1:" + port, "--size", "320x240", "--fps", "25", "--bitrate", "300k", "--seconds", "3"));
        assertThat(sent.exit()).as(sent.err()).isZero();

        // systemctl reload: SIGHUP re-reads the file (and does not stop the JVM), here once as it is, then without
        // its last camera.
        hangup(serve);
        String removed = cameras.get(cameras.size() - 1);
        assertThat(removed).isNotEqualTo(camera);
        YAMLMapper mapper = new YAMLMapper();
        ObjectNode edited = (ObjectNode) mapper.readTree(config);
        ((ObjectNode) edited.get("cameras")).remove(removed);
        Files.writeString(work.resolve("serve.yml"), mapper.writeValueAsString(edited));
        hangup(serve);
        List<String> left = new ArrayList<>(cameras);
        left.remove(removed);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(cameraNames(http, url)).containsExactlyInAnyOrderElementsOf(left));

        serve.destroy(); // SIGTERM, as systemctl stop
        assertThat(serve.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s after SIGTERM").isTrue();
        assertThat(serve.exitValue()).as(Files.readString(err)).isZero();
        try (Stream<Path> files = Files.walk(work.resolve("data").resolve(camera))) {
            assertThat(files.filter(f -> f.toString().endsWith(".ts"))).as("segments of %s", camera).isNotEmpty()
                    .allMatch(f -> f.toFile().length() > 0);
        }
    }

    /** The names in {@code GET /api/cameras}, a JSON array of cameras. */
    private static List<String> cameraNames(HttpClient http, String url) throws Exception {
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(url + "api/cameras")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        JsonNode json = new ObjectMapper().readTree(list.body());
        assertThat(json.isArray()).as(list.body()).isTrue();
        List<String> names = new ArrayList<>();
        json.forEach(c -> names.add(c.get("name").asText()));
        return names;
    }

    /** Sends SIGHUP to {@code p} (the JVM itself: the launcher execs it). */
    private void hangup(Process p) throws Exception {
        Run kill = archive.run(tmp, archive.tools, Map.of(), List.of(which("bash").toString(), "-c",
                "kill -HUP " + p.pid()));
        assertThat(kill.exit()).as(kill.err()).isZero();
    }

    /** A JDK home that says it is Java 17. */
    private Path oldJdk() throws IOException {
        Path old = Files.createDirectories(tmp.resolve("jdk-17/bin")).getParent();
        Files.writeString(old.resolve("release"), "JAVA_VERSION=\"17.0.2\"\n");
        script(old.resolve("bin/java"), "echo 'java.specification.version = 17' >&2\n");
        return old;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!" + which("bash") + "\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
