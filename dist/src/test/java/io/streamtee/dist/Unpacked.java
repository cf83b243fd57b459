package io.streamtee.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The distribution archive that {@code mvn package} built, unpacked into an empty directory, and its commands run as a
 * person runs them on a machine with only Java: from a directory outside the source tree, with a cleared environment
 * whose PATH holds only the few shell tools the launcher uses (no Maven), and with static dummy AWS credentials so
 * that the AWS SDK never looks for others (no instance metadata address, no profile files).
 */
final class Unpacked {
    /** The tools bin/streamtee needs besides Java; nothing else is on its PATH. */
    static final List<String> TOOLS = List.of("bash", "dirname", "readlink", "sed", "head");

    final String version;
    /** The unpacked streamtee-VERSION directory. */
    final Path home;
    /** A directory with symbolic links to {@link #TOOLS}: the default PATH. */
    final Path tools;
    private final List<Process> processes = new ArrayList<>();

    private Unpacked(String version, Path home, Path tools) {
        this.version = version;
        this.home = home;
        this.tools = tools;
    }

    /**
     * Unpacks the archive named by the system property {@code streamtee.archive} (failsafe sets it) into {@code dir},
     * which must be empty, with the system's tar, as a person would.
     */
    static Unpacked into(Path dir) throws Exception {
        String version = System.getProperty("streamtee.version");
        Path archive = Path.of(System.getProperty("streamtee.archive"));
        assertThat(archive).as("the archive mvn package builds").isRegularFile();
        Path root = Files.createDirectory(dir.resolve("unpacked"));
        Process tar = new ProcessBuilder(which("tar").toString(), "-xzf", archive.toString(), "-C", root.toString())
                .redirectErrorStream(true).start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes())).isZero();
        try (Stream<Path> top = Files.list(root)) {
            assertThat(top.map(p -> p.getFileName().toString())).as("one top directory")
                    .containsExactly("streamtee-" + version);
        }
        return new Unpacked(version, root.resolve("streamtee-" + version), toolsIn(dir.resolve("path")));
    }

    /** A new directory {@code dir} with symbolic links to {@link #TOOLS}, for a PATH. */
    static Path toolsIn(Path dir) throws IOException {
        Files.createDirectory(dir);
        for (String tool : TOOLS) {
            Files.createSymbolicLink(dir.resolve(tool), which(tool));
        }
        return dir;
    }

    /** {@code bin/streamtee}. */
    String launcher() {
        return home.resolve("bin/streamtee").toString();
    }

    /** What a finished command printed and its exit code. */
    record Run(int exit, String out, String err) {
    }

    /** Runs {@code cmd} in {@code cwd} to its end (at most 60 s), with PATH={@code path} and {@code env}. */
    Run run(Path cwd, Path path, Map<String, String> env, List<String> cmd) throws Exception {
        Path out = Files.createTempFile(cwd, "stdout", ".txt");
        Path err = Files.createTempFile(cwd, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        environment(pb, path, env);
        Process p = pb.start();
        processes.add(p);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Starts {@code cmd} in {@code cwd} with the tools on PATH and {@code env}; its stderr goes to {@code err}. */
    Process start(Path cwd, Path err, Map<String, String> env, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        environment(pb, tools, env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** Kills whatever {@link #run} or {@link #start} started and is still running. */
    void killAll() {
        processes.forEach(Process::destroyForcibly);
        processes.clear();
    }

    private static void environment(ProcessBuilder pb, Path path, Map<String, String> env) {
        Path sourceTree = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        assertThat(pb.directory().toPath().toAbsolutePath().startsWith(sourceTree))
                .as("%s is outside the source tree %s", pb.directory(), sourceTree).isFalse();
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", path.toString());
        e.put("LANG", "C.UTF-8");
        e.put("AWS_ACCESS_KEY_ID", "dist-test");
        e.put("AWS_SECRET_ACCESS_KEY", "dist-test");
        e.put("AWS_EC2_METADATA_DISABLED", "true");
        e.putAll(env);
    }

    /** {@code JAVA_HOME} of this JVM (a JDK 21+: the build's). */
    static Map<String, String> javaHome() {
        return Map.of("JAVA_HOME", System.getProperty("java.home"));
    }

    /**
     * An example config moved onto free loopback ports: every {@code listen:}, {@code http:} and {@code input:} value
     * that is an address with a port (udp:// or not) becomes 127.0.0.1:0. What the file sends to stays as it is (the
     * examples send only to loopback).
     */
    static String onLoopbackPortZero(String yaml) {
        return yaml.replaceAll("(?m)^(\\s*(?:listen|http|input):\\s*(?:udp://)?)[^\\s#/]+:\\d+", "$1127.0.0.1:0");
    }

    /** The first match of {@code pattern} in the file {@code log} so far. */
    static Optional<Matcher> match(Pattern pattern, Path log) throws IOException {
        if (!Files.exists(log)) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
        return m.find() ? Optional.of(m) : Optional.empty();
    }

    /** The executable {@code name} on this JVM's PATH, or in /usr/sbin or /sbin. */
    static Optional<Path> find(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name).toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    static Path which(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException(name + ": not found on PATH"));
    }
}
