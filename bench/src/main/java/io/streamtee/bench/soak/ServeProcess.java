package io.streamtee.bench.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code streamtee serve} in a child JVM, started as the launcher starts it: the JVM options {@code bin/jvm.sh} gives
 * {@code serve} for this config (so its heap bound for N cameras), the app's Main, a log file. Reads its ports from
 * the log, samples its heap after a full GC ({@code jcmd}), its open files and threads ({@code /proc}), and finds an
 * OutOfMemoryError in its log. {@link #close()} stops it with SIGTERM (then SIGKILL after 30 s); idempotent.
 */
final class ServeProcess implements AutoCloseable {

    private static final Pattern WEB = Pattern.compile("serve: web on (http://127\\.0\\.0\\.1:\\d+/)");
    private static final Pattern USED = Pattern.compile("(?:total|committed) (\\d+)K, used (\\d+)K");
    private final Path log;
    private final List<String> jvmOptions;
    private final Process process;
    private Integer exitCode;

    /** One heap and process sample. */
    record Sample(double heapUsedMb, double heapCommittedMb, int fds, int threads) {
    }

    ServeProcess(Path root, Path config, Path log, int boundSeconds) throws IOException {
        this.log = log;
        this.jvmOptions = jvmOptions(root, config);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.streamtee.app.Main", "serve", "-c", config.toString(), "--seconds", String.valueOf(boundSeconds)));
        this.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(config.getParent().toFile()).start();
    }

    /** serve's JVM options from bin/jvm.sh (its jvm_defaults for {@code serve -c CONFIG}), one per line. */
    static List<String> jvmOptions(Path root, Path config) throws IOException {
        return jvmOptions(root, List.of("serve", "-c", config.toString()));
    }

    /** The JVM options bin/jvm.sh's jvm_defaults gives the launcher's arguments {@code args} (command first). */
    static List<String> jvmOptions(Path root, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                "source \"$1\"; JAVA_MAJOR=\"$2\"; shift 2; jvm_defaults \"$@\"; printf '%s\\n' \"${JVM_OPTS[@]}\"",
                "jvm", root.resolve("bin/jvm.sh").toString(), String.valueOf(Runtime.version().feature())));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("bin/jvm.sh: jvm_defaults " + args + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    List<String> jvmOptions() {
        return jvmOptions;
    }

    /** The -Xmx serve runs under, in MB (0 when none is set). */
    long maxHeapMb() {
        return maxHeapMb(jvmOptions);
    }

    /** The last -Xmx of {@code options}, in MB (0 when none). */
    static long maxHeapMb(List<String> options) {
        long mb = 0;
        for (String o : options) {
            if (o.startsWith("-Xmx")) {
                String v = o.substring(4).toLowerCase();
                long n = Long.parseLong(v.replaceAll("[kmg]$", ""));
                mb = v.endsWith("g") ? n * 1024 : v.endsWith("m") ? n : v.endsWith("k") ? n / 1024 : n >> 20;
            }
        }
        return mb;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The web URL once serve logged it, else null. */
    String webUrl() {
        Matcher m = WEB.matcher(logText());
        return m.find() ? m.group(1) : null;
    }

    /** The UDP port serve's route for camera {@code name} listens on, once logged, else -1. */
    int inputPort(String name) {
        Matcher m = Pattern.compile("route " + Pattern.quote(name) + ": udp://127\\.0\\.0\\.1:(\\d+)")
                .matcher(logText());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    boolean outOfMemory() {
        return logText().contains("OutOfMemoryError");
    }

    /** Heap used and committed after a full GC (jcmd GC.run, GC.heap_info), open files, threads. */
    Sample sample() throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        run(jcmd, String.valueOf(pid()), "GC.run");
        String info = run(jcmd, String.valueOf(pid()), "GC.heap_info");
        double used = 0;
        double committed = 0;
        Matcher m = USED.matcher(info);
        while (m.find()) { // the serial collector: the young and the old generation
            committed += Long.parseLong(m.group(1)) / 1024.0;
            used += Long.parseLong(m.group(2)) / 1024.0;
        }
        int fds;
        try (var s = Files.list(Path.of("/proc", String.valueOf(pid()), "fd"))) {
            fds = (int) s.count();
        }
        int threads = 0;
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
            if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.substring(8).strip());
            }
        }
        return new Sample(used, committed, fds, threads);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": no answer in 60 s");
        }
        return out;
    }

    /** Stops serve (SIGTERM, then SIGKILL after 30 s) and returns its exit code. */
    synchronized int stop() throws InterruptedException {
        if (exitCode == null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            exitCode = process.isAlive() ? -1 : process.exitValue();
        }
        return exitCode;
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
