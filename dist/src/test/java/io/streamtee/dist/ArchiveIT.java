package io.streamtee.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
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
    /** The tools bin/streamtee needs besides Java; nothing else is on its PATH. */
    private static final List<String> TOOLS = List.of("bash", "dirname", "readlink", "sed", "head");
    private static final Pattern WEB = Pattern.compile("serve: web on (http://127\\.0\\.0\\.1:\\d+/)");

    @TempDir
    static Path shared;
    static String version;
    /** The unpacked streamtee-VERSION directory. */
    static Path home;
    /** A directory with symbolic links to {@link #TOOLS}: the PATH of every run. */
    static Path tools;

    @TempDir
    Path tmp;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void unpack() throws Exception {
        version = System.getProperty("streamtee.version");
        Path archive = Path.of(System.getProperty("streamtee.archive"));
        assertThat(archive).as("the archive mvn package builds").isRegularFile();
        Path root = Files.createDirectory(shared.resolve("unpacked"));
        Process tar = new ProcessBuilder(which("tar").toString(), "-xzf", archive.toString(), "-C", root.toString())
                .redirectErrorStream(true).start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes())).isZero();
        try (Stream<Path> top = Files.list(root)) {
            assertThat(top.map(p -> p.getFileName().toString())).as("one top directory")
                    .containsExactly("streamtee-" + version);
        }
        home = root.resolve("streamtee-" + version);
        tools = Files.createDirectory(shared.resolve("path"));
        for (String tool : TOOLS) {
            Files.createSymbolicLink(tools.resolve(tool), which(tool));
        }
    }

    @AfterEach
    void kill() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void holdsTheLauncherTheJarsTheExampleConfigsAndTheUnits() throws IOException {
        assertThat(Files.isExecutable(home.resolve("bin/streamtee"))).as("bin/streamtee executable").isTrue();
        assertThat(home.resolve("lib/streamtee-" + version + ".jar")).isRegularFile();
        assertThat(home.resolve("lib/streamtee-serve-" + version + ".jar")).isRegularFile();
        for (String f : List.of("serve.example.yml", "streamtee.example.yml", "analyze.example.yml", "README.txt",
                "systemd/streamtee-serve.service", "systemd/streamtee-relay.service",
                "systemd/streamtee-record.service",
                "systemd/streamtee-analyze.service", "systemd/streamtee-view.service", "systemd/99-streamtee.conf")) {
            assertThat(home.resolve(f)).isRegularFile();
        }
        assertThat(Files.readString(home.resolve("README.txt"))).contains("streamtee " + version)
                .doesNotContain("${");
    }

    @Test
    void printsItsVersionWithJavaHomeAndNoMavenOnThePath() throws Exception {
        Run run = run(Map.of("JAVA_HOME", System.getProperty("java.home")), home.resolve("bin/streamtee").toString(),
                "--version");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().strip()).matches("streamtee \\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void takesTheJavaOnThePathWhenJavaHomeIsTooOld() throws Exception {
        Path old = oldJdk();
        // java on PATH: a wrapper that notes each call, then runs this JVM
        Path calls = tmp.resolve("calls.txt");
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        script(bin.resolve("java"), "echo \"$@\" >> '" + calls + "'\nexec '" + javaExecutable() + "' \"$@\"\n");
        Path path = Files.createDirectory(tmp.resolve("path"));
        for (String tool : TOOLS) {
            Files.createSymbolicLink(path.resolve(tool), which(tool));
        }
        Files.createSymbolicLink(path.resolve("java"), bin.resolve("java"));

        Run run = runWithPath(path, Map.of("JAVA_HOME", old.toString()), home.resolve("bin/streamtee").toString(),
                "--version");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("streamtee ");
        assertThat(Files.readString(calls)).as("the java on PATH ran streamtee")
                .contains("--enable-native-access=ALL-UNNAMED").contains("io.streamtee.app.Main");
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
            Run probe = run(Map.of(), concat(cmd, List.of(which("bash").toString(), "-c", "true")));
            assumeTrue(probe.exit() == 0, "a mount namespace can be made here: " + probe.err());
        }
        cmd.add(home.resolve("bin/streamtee").toString());
        cmd.add("--version");
        Path old = oldJdk();

        Run run = run(Map.of("JAVA_HOME", old.toString()), cmd);
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
        String example = Files.readString(home.resolve("serve.example.yml"));
        String config = example.replaceAll("(?m)^(\\s*listen:\\s*)[^\\s#]+", "$1127.0.0.1:0")
                .replaceAll("(?m)^(\\s*input:\\s*)udp://[^\\s#]+", "$1udp://127.0.0.1:0");
        assertThat(config.lines().filter(l -> l.matches("\\s*(listen|input):.*")))
                .isNotEmpty().allMatch(l -> l.matches("\\s*(listen:|input: udp://)\\s*127\\.0\\.0\\.1:0\\b.*"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        Files.writeString(work.resolve("serve.yml"), config);
        JsonNode yaml = new YAMLMapper().readTree(config).get("cameras");
        List<String> cameras = new ArrayList<>();
        yaml.fieldNames().forEachRemaining(cameras::add);

        Path err = tmp.resolve("serve-stderr.txt");
        Process serve = start(work, err, home.resolve("bin/streamtee").toString(), "serve", "-c", "serve.yml");
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
        Run sent = run(Map.of("JAVA_HOME", System.getProperty("java.home")), home.resolve("bin/streamtee").toString(),
                "camera", "--to", "udp://127.0.0.1:" + port, "--size", "320x240", "--fps", "25", "--bitrate", "300k",
                "--seconds", "3");
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
        Run kill = run(Map.of(), which("bash").toString(), "-c", "kill -HUP " + p.pid());
        assertThat(kill.exit()).as(kill.err()).isZero();
    }

    // --- running the archive ---

    /** What a finished command printed and its exit code. */
    record Run(int exit, String out, String err) {
    }

    private Run run(Map<String, String> env, String... cmd) throws Exception {
        return run(env, List.of(cmd));
    }

    private Run run(Map<String, String> env, List<String> cmd) throws Exception {
        return runWithPath(tools, env, cmd.toArray(String[]::new));
    }

    /** Runs {@code cmd} in an empty directory with only PATH={@code path}, {@code env} and no AWS surprises. */
    private Run runWithPath(Path path, Map<String, String> env, String... cmd) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "cwd");
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        environment(pb, path, env);
        Process p = pb.start();
        processes.add(p);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(cmd)).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Process start(Path dir, Path err, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        environment(pb, tools, Map.of("JAVA_HOME", System.getProperty("java.home")));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static void environment(ProcessBuilder pb, Path path, Map<String, String> env) {
        Path sourceTree = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        assertThat(pb.directory().toPath().toAbsolutePath().startsWith(sourceTree))
                .as("%s is outside the source tree %s", pb.directory(), sourceTree).isFalse();
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", path.toString());
        e.put("LANG", "C.UTF-8");
        // The example's store is on loopback: static dummy credentials, so the AWS SDK never looks further (no
        // instance metadata address, no profile files).
        e.put("AWS_ACCESS_KEY_ID", "dist-test");
        e.put("AWS_SECRET_ACCESS_KEY", "dist-test");
        e.put("AWS_EC2_METADATA_DISABLED", "true");
        e.putAll(env);
    }

    /** A JDK home that says it is Java 17 and notes any call of its java (there must be none). */
    private Path oldJdk() throws IOException {
        Path old = Files.createDirectories(tmp.resolve("jdk-17/bin")).getParent();
        Files.writeString(old.resolve("release"), "JAVA_VERSION=\"17.0.2\"\n");
        Path calls = Files.createFile(old.resolve("calls.txt"));
        script(old.resolve("bin/java"), "echo \"$@\" >> '" + calls + "'\necho 'java.specification.version = 17' >&2\n");
        return old;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!" + which("bash") + "\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private static Optional<Matcher> match(Pattern pattern, Path log) throws IOException {
        if (!Files.exists(log)) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
        return m.find() ? Optional.of(m) : Optional.empty();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The executable {@code name} on this JVM's PATH, or in /usr/sbin, /sbin. */
    private static Optional<Path> find(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    private static Path which(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException(name + ": not found on PATH"));
    }
}
