package io.streamtee.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' start-up cache: {@link AotTraining} in a JVM of its own (it stops the relay with a SIGTERM to itself)
 * passes its datagrams through the relay and exits 0, and on JDK 25+ a JVM given {@code -XX:AOTCacheOutput} writes a
 * cache from it that a JVM then starts with.
 */
@Timeout(120)
class AotTrainingTest {
    @TempDir
    Path tmp;

    private record Exit(int code, String err) {
    }

    private Exit java(String classPath, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(tmp, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 60 s: " + cmd + "\n" + Files.readString(err));
        }
        return new Exit(p.exitValue(), Files.readString(err));
    }

    @Test
    void passesItsDatagramsThroughTheRelayAndStopsIt() throws Exception {
        Exit run = java(System.getProperty("java.class.path"), "io.streamtee.app.AotTraining");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("route default: udp://127.0.0.1:").doesNotContain("training failed");
    }

    @Test
    void onJdk25TheTrainingRunWritesACacheThatAJvmStartsWith() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "JDK 25's AOT cache");
        // An AOT cache takes jars only, as the launchers give it: this build's class directories as jars.
        String classPath = jarsOnly(System.getProperty("java.class.path"));
        Path cache = tmp.resolve("relay.aot");
        Exit train = java(classPath, "-XX:AOTCacheOutput=" + cache, "io.streamtee.app.AotTraining");
        assertThat(train.code()).as(train.err()).isZero();
        assertThat(cache).isNotEmptyFile();
        Exit run = java(classPath, "-XX:AOTCache=" + cache, "-XX:AOTMode=on", "io.streamtee.app.Main", "--version");
        assertThat(run.code()).as("-XX:AOTMode=on fails when the cache cannot be used: %s", run.err()).isZero();
    }

    /** {@code classPath} with each directory replaced by a jar of its files (in the temp dir). */
    private String jarsOnly(String classPath) throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            Path dir = Path.of(entry);
            if (!Files.isDirectory(dir)) {
                entries.add(entry);
                continue;
            }
            Path jar = tmp.resolve("classes-" + entries.size() + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                    Stream<Path> files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
            entries.add(jar.toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
