package io.streamtee.bench.soak;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.camera.PatternClip;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak (issue 16): N simulated cameras (the simulator's H.264 MPEG-TS clip, replayed at its PCR rate) through ONE
 * {@code streamtee serve} in a child JVM under the heap bound {@code bin/jvm.sh} gives it for N cameras, each camera
 * recorded, analyzed, viewed by a WebSocket viewer for the whole run, and copied to M UDP outputs that are checked
 * byte for byte and in order against what was sent ({@link Tap}, {@link OutputChecker}).
 *
 * <p>One JSON line per interval (a minute, shorter for short runs): per camera the datagrams sent, received, lost
 * and altered at its outputs, one-way latency percentiles (tap to output), the viewers' frames; serve's heap after a
 * full GC, open files and threads. Then one summary JSON line, also in {@code WORK/summary.json}. The checks (each
 * a line in {@link Result#failures()}): 0 lost and 0 altered at every output; every recorded segment decodes;
 * heap after GC, files and threads of the last interval within a margin of the first ({@link #HEAP_MARGIN_MB} or a
 * quarter, {@link #FD_MARGIN}, {@link #THREAD_MARGIN}); each viewer connected to the end with frames in every interval
 * and at least {@link #VIEWER_SHARE} of the frames sent; no OutOfMemoryError in serve's log; serve exits 0 when
 * stopped. Everything runs on 127.0.0.1; the run is bounded by the config's seconds plus a fixed tail.
 */
public final class Soak {

    static final double HEAP_MARGIN_MB = 16;
    static final int FD_MARGIN = 10;
    static final int THREAD_MARGIN = 10;
    static final double VIEWER_SHARE = 0.9;
    private static final int DATAGRAM = 7 * 188;

    private final SoakConfig config;
    private final PrintStream out;

    /** The outcome: the summary's values (for figures) and the failed checks (empty: passed). */
    public record Result(Map<String, Object> summary, List<String> failures) {
        public boolean passed() {
            return failures.isEmpty();
        }
    }

    Soak(SoakConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    SoakConfig config() {
        return config;
    }

    /** {@code Soak [SECONDS] [--cameras N] [--bitrate BITS] [--size WxH] [--work DIR] [--clip-dir DIR]}. */
    public static void main(String[] args) throws Exception {
        Result r = fromArgs(args).run();
        System.exit(r.passed() ? 0 : 1);
    }

    /**
     * The soak the command line asks for: {@code [SECONDS] [--cameras N] [--bitrate BITS] [--size WxH] [--work DIR]
     * [--clip-dir DIR]}; the repository is found from the working directory up; prints its lines to stdout.
     *
     * @throws IllegalArgumentException with a one-line message naming the option
     */
    public static Soak fromArgs(String[] args) throws IOException {
        Path root = findRoot();
        int seconds = 600;
        Integer cameras = null;
        Long bitrate = null;
        Path work = null;
        Path clipDir = null;
        String size = "1280x720";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--cameras" -> cameras = Integer.parseInt(args[++i]);
                    case "--bitrate" -> bitrate = parseBits(args[++i]);
                    case "--work" -> work = Path.of(args[++i]);
                    case "--clip-dir" -> clipDir = Path.of(args[++i]);
                    case "--size" -> size = args[++i];
                    default -> seconds = Integer.parseInt(a);
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("soak: " + a + ": expected a number (SECONDS, or after the option)");
            }
        }
        if (!size.matches("\\d+x\\d+")) {
            throw new IllegalArgumentException("soak: --size: WIDTHxHEIGHT, not " + size);
        }
        if (work == null) {
            work = Files.createTempDirectory("soak.");
        }
        SoakConfig c = SoakConfig.defaults(root, work, seconds);
        if (cameras != null) {
            c = c.withCameras(cameras);
        }
        if (bitrate != null) {
            c = c.withBitrate(bitrate);
        }
        String[] wh = size.split("x");
        c = c.withSize(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
        if (clipDir != null) {
            c = c.withClip(clipDir.resolve("soak-clip-" + size + "-" + c.bitrate() / 1000 + "k-"
                    + c.clipLength().toSeconds() + "s.ts"));
        }
        System.err.println("soak: files in " + work);
        return new Soak(c, System.out);
    }

    /** The checkout: the working directory or the first one above it that has bin/jvm.sh. */
    static Path findRoot() {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("bin/jvm.sh"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new IllegalArgumentException("soak: run it inside the streamtee checkout (bin/jvm.sh not found)");
        }
        return root;
    }

    static long parseBits(String s) {
        String v = s.strip().toUpperCase(Locale.ROOT);
        long mul = v.endsWith("M") ? 1_000_000L : v.endsWith("K") ? 1_000L : 1L;
        return Long.parseLong(mul == 1 ? v : v.substring(0, v.length() - 1)) * mul;
    }

    /** Runs the soak; bounded (seconds plus at most a few minutes for start, drain and the segment checks). */
    public Result run() throws Exception {
        Files.createDirectories(config.work());
        ensureClip();
        long clipBytes = Files.size(config.clip());
        double clipRate = clipBytes * 8.0 / (config.clipLength().toMillis() / 1000.0);
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8,
                (clipRate / 8 / DATAGRAM * 1.5 + 100) * (config.seconds() + 60));
        List<String> names = new ArrayList<>();
        List<SentLog> sent = new ArrayList<>();
        List<List<OutputChecker>> checkers = new ArrayList<>();
        List<Tap> taps = new ArrayList<>();
        List<LiveViewer> viewers = new ArrayList<>();
        List<Camera> cams = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<Map<String, Object>> lines = new ArrayList<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        ServeProcess serve = null;
        try {
            for (int c = 1; c <= config.cameras(); c++) {
                names.add("cam" + c);
                SentLog log = new SentLog(capacity);
                sent.add(log);
                List<OutputChecker> outs = new ArrayList<>();
                for (int o = 1; o <= config.outputs(); o++) {
                    outs.add(new OutputChecker("cam" + c + "-out" + o, log));
                }
                checkers.add(outs);
            }
            Path yml = writeConfig(names, checkers);
            int bound = config.seconds() + 300;
            serve = new ServeProcess(config.root(), yml, config.work().resolve("serve.log"), bound);
            long serveStart = System.nanoTime();
            String web = awaitStart(serve, names);
            System.err.printf(Locale.ROOT, "soak: serve up in %.1f s%n", (System.nanoTime() - serveStart) / 1e9);
            for (List<OutputChecker> outs : checkers) {
                outs.forEach(OutputChecker::start);
            }
            for (String name : names) {
                viewers.add(new LiveViewer(name, URI.create(web.replace("http:", "ws:") + "cameras/" + name + "/ws")));
            }
            for (int c = 0; c < names.size(); c++) {
                InetSocketAddress input = new InetSocketAddress("127.0.0.1", serve.inputPort(names.get(c)));
                Tap tap = new Tap(names.get(c), input, sent.get(c));
                taps.add(tap);
                if (c > 0) {
                    LockSupport.parkNanos(300_000_000L); // keyframes of the cameras apart
                }
                cams.add(new Camera(CameraConfig.clip(config.clip(), Destination.parse("127.0.0.1:" + tap.port()))
                        .withDuration(Duration.ofSeconds(config.seconds()))).start());
            }
            long start = System.nanoTime();
            long intervalNanos = config.interval().toNanos();
            int intervals = (int) Math.max(1, config.seconds() * 1_000_000_000L / intervalNanos);
            long[] viewerFramesBefore = new long[viewers.size()];
            int[] sentBefore = new int[sent.size()];
            long[] receivedBefore = new long[sent.size()];
            List<Latencies> all = new ArrayList<>();
            boolean viewersEveryInterval = true;
            for (int k = 1; k <= intervals; k++) {
                long due = start + k * intervalNanos;
                while (System.nanoTime() - due < 0) {
                    LockSupport.parkNanos(Math.min(due - System.nanoTime(), 500_000_000L));
                    if (!serve.alive()) {
                        throw new IllegalStateException("serve ended during the run: see " + config.work()
                                .resolve("serve.log"));
                    }
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("interval", k);
                line.put("t_s", Math.round((System.nanoTime() - start) / 1e9));
                Latencies merged = new Latencies();
                for (int c = 0; c < names.size(); c++) {
                    Latencies cam = new Latencies();
                    long received = 0;
                    long lost = 0;
                    long altered = 0;
                    for (OutputChecker o : checkers.get(c)) {
                        cam.addAll(o.takeWindow());
                        received += o.received();
                        lost += o.lost();
                        altered += o.altered();
                    }
                    merged.addAll(cam);
                    int s = sent.get(c).count();
                    long frames = viewers.get(c).frames();
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("sent", s - sentBefore[c]);
                    m.put("received_per_output", (received - receivedBefore[c]) / config.outputs());
                    m.put("lost_total", lost);
                    m.put("altered_total", altered);
                    m.put("p50_ms", round(cam.quantileMs(0.5)));
                    m.put("p99_ms", round(cam.quantileMs(0.99)));
                    m.put("max_ms", round(cam.maxMs()));
                    m.put("viewer_frames", frames - viewerFramesBefore[c]);
                    if (frames == viewerFramesBefore[c]) {
                        viewersEveryInterval = false;
                    }
                    sentBefore[c] = s;
                    receivedBefore[c] = received;
                    viewerFramesBefore[c] = frames;
                    line.put(names.get(c), m);
                }
                all.add(merged);
                line.put("p50_ms", round(merged.quantileMs(0.5)));
                line.put("p99_ms", round(merged.quantileMs(0.99)));
                line.put("max_ms", round(merged.maxMs()));
                ServeProcess.Sample sample = serve.sample();
                line.put("heap_used_after_gc_mb", round(sample.heapUsedMb()));
                line.put("heap_committed_mb", round(sample.heapCommittedMb()));
                line.put("fds", sample.fds());
                line.put("threads", sample.threads());
                lines.add(line);
                emit(line);
            }
            // the end: the cameras stop on their own; every output must have got the tail
            for (int c = 0; c < cams.size(); c++) {
                if (!cams.get(c).awaitDone(Duration.ofSeconds(30)) || cams.get(c).failure() != null) {
                    failures.add(names.get(c) + ": the camera did not end cleanly: " + cams.get(c).failure());
                }
            }
            long drain = System.nanoTime() + 15_000_000_000L;
            while (System.nanoTime() - drain < 0 && !checkers.stream().flatMap(List::stream)
                    .allMatch(OutputChecker::caughtUp)) {
                LockSupport.parkNanos(100_000_000L);
            }
            LockSupport.parkNanos(500_000_000L); // anything late or extra still shows as altered
            long lost = 0;
            long altered = 0;
            long received = 0;
            long sentTotal = 0;
            for (int c = 0; c < names.size(); c++) {
                sentTotal += sent.get(c).count();
                for (OutputChecker o : checkers.get(c)) {
                    o.finish();
                    lost += o.lost();
                    altered += o.altered();
                    received += o.received();
                    if (o.lost() + o.altered() > 0) {
                        failures.add("output " + o.name() + ": " + o.lost() + " lost, " + o.altered() + " altered of "
                                + sent.get(c).count() + " sent");
                    }
                }
                Tap tap = taps.get(c);
                if (tap.overflow() + tap.sendErrors() > 0) {
                    failures.add(names.get(c) + ": the tap could not pass on " + (tap.overflow() + tap.sendErrors())
                            + " datagrams (log full or send errors)");
                }
            }
            Latencies total = new Latencies();
            all.forEach(total::addAll);
            summary.put("cameras", config.cameras());
            summary.put("bitrate_mbit", round(clipRate / 1e6));
            summary.put("outputs_per_camera", config.outputs());
            summary.put("seconds", config.seconds());
            summary.put("interval_s", config.interval().toSeconds());
            summary.put("datagrams_sent", sentTotal);
            summary.put("datagrams_received", received);
            summary.put("lost", lost);
            summary.put("altered", altered);
            summary.put("p50_ms", round(total.quantileMs(0.5)));
            summary.put("p99_ms", round(total.quantileMs(0.99)));
            summary.put("max_ms", round(total.maxMs()));
            Map<String, Object> first = lines.getFirst();
            Map<String, Object> last = lines.getLast();
            double heapFirst = (double) first.get("heap_used_after_gc_mb");
            double heapLast = (double) last.get("heap_used_after_gc_mb");
            int fdsFirst = (int) first.get("fds");
            int fdsLast = (int) last.get("fds");
            int threadsFirst = (int) first.get("threads");
            int threadsLast = (int) last.get("threads");
            summary.put("heap_first_mb", heapFirst);
            summary.put("heap_last_mb", heapLast);
            summary.put("heap_max_mb", lines.stream().mapToDouble(l -> (double) l.get("heap_used_after_gc_mb")).max()
                    .orElse(0));
            summary.put("heap_committed_max_mb", lines.stream().mapToDouble(l -> (double) l.get("heap_committed_mb"))
                    .max().orElse(0));
            summary.put("xmx_mb", serve.maxHeapMb());
            summary.put("fds_first", fdsFirst);
            summary.put("fds_last", fdsLast);
            summary.put("threads_first", threadsFirst);
            summary.put("threads_last", threadsLast);
            if (heapLast > heapFirst + Math.max(HEAP_MARGIN_MB, heapFirst / 4)) {
                failures.add("heap after GC grew from " + heapFirst + " MB (first interval) to " + heapLast + " MB");
            }
            if (fdsLast > fdsFirst + FD_MARGIN) {
                failures.add("open files grew from " + fdsFirst + " to " + fdsLast);
            }
            if (threadsLast > threadsFirst + THREAD_MARGIN) {
                failures.add("threads grew from " + threadsFirst + " to " + threadsLast);
            }
            long framesSent = (long) config.seconds() * SoakConfig.FPS;
            long viewerMin = Long.MAX_VALUE;
            for (LiveViewer v : viewers) {
                viewerMin = Math.min(viewerMin, v.frames());
                summary.put("viewer_frames_" + v.name(), v.frames());
                if (v.ended() != null) {
                    failures.add("viewer of " + v.name() + " " + v.ended());
                }
                if (v.frames() < framesSent * VIEWER_SHARE) {
                    failures.add("viewer of " + v.name() + " got " + v.frames() + " frames of " + framesSent + " sent");
                }
            }
            summary.put("viewer_frames_min", viewerMin);
            summary.put("frames_sent_per_camera", framesSent);
            if (!viewersEveryInterval) {
                failures.add("a viewer got no frame in an interval (see the interval lines)");
            }
            viewers.forEach(LiveViewer::close);
            long stopStart = System.nanoTime();
            int exit = serve.stop();
            System.err.printf(Locale.ROOT, "soak: serve stopped in %.1f s%n", (System.nanoTime() - stopStart) / 1e9);
            summary.put("serve_exit", exit);
            if (exit != 0) {
                failures.add("serve exited with " + exit + " when stopped (see serve.log)");
            }
            boolean oom = serve.outOfMemory();
            summary.put("out_of_memory", oom);
            if (oom) {
                failures.add("OutOfMemoryError in serve's log under " + serve.jvmOptions());
            }
            int segments = 0;
            int decodable = 0;
            long checkStart = System.nanoTime();
            List<Future<SegmentCheck.Result>> checks = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(2)) { // one camera per core
                for (String name : names) {
                    checks.add(pool.submit(() -> SegmentCheck.check(config.work().resolve("data").resolve(name))));
                }
            }
            for (int c = 0; c < names.size(); c++) {
                String name = names.get(c);
                SegmentCheck.Result r = checks.get(c).get();
                segments += r.segments();
                decodable += r.decodable();
                if (r.segments() == 0) {
                    failures.add(name + ": no segment recorded");
                }
                r.failures().forEach(f -> failures.add(name + ": segment not decodable: " + f));
            }
            System.err.printf(Locale.ROOT, "soak: segments checked in %.1f s%n",
                    (System.nanoTime() - checkStart) / 1e9);
            summary.put("segments", segments);
            summary.put("segments_decodable", decodable);
            summary.put("passed", failures.isEmpty());
            summary.put("failures", String.join("; ", failures));
            emit(summary);
            Files.writeString(config.work().resolve("summary.json"), json(summary) + "\n", StandardCharsets.UTF_8);
            return new Result(summary, failures);
        } finally {
            cams.forEach(Camera::close);
            taps.forEach(Tap::close);
            viewers.forEach(LiveViewer::close);
            checkers.stream().flatMap(List::stream).forEach(OutputChecker::close);
            if (serve != null) {
                serve.close();
            }
        }
    }

    private void ensureClip() throws IOException {
        if (Files.exists(config.clip()) && Files.size(config.clip()) > 0) {
            return;
        }
        Files.createDirectories(config.clip().toAbsolutePath().getParent());
        CameraConfig.Pattern p = CameraConfig.Pattern.DEFAULT.withSize(config.width(), config.height())
                .withBitrate(config.bitrate()).withFps(SoakConfig.FPS).withNoise(8);
        Path tmp = config.clip().resolveSibling(config.clip().getFileName() + ".tmp");
        try (OutputStream o = Files.newOutputStream(tmp)) {
            PatternClip.write(p, config.clipLength(), Instant.now(), o);
        }
        Files.move(tmp, config.clip(), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path writeConfig(List<String> names, List<List<OutputChecker>> checkers) throws IOException {
        StringBuilder y = new StringBuilder("# generated by the soak (bench/soak): record, analyze and view on\n")
                .append("web:\n  listen: 127.0.0.1:0\n")
                .append("data: ").append(config.work().resolve("data")).append('\n')
                .append("cameras:\n");
        for (int c = 0; c < names.size(); c++) {
            y.append("  ").append(names.get(c)).append(":\n")
                    .append("    input: udp://127.0.0.1:0\n")
                    .append("    view: {}\n")
                    .append("    outputs:\n");
            for (OutputChecker o : checkers.get(c)) {
                y.append("      - udp://127.0.0.1:").append(o.port()).append('\n');
            }
        }
        Path yml = config.work().resolve("serve.yml");
        Files.writeString(yml, y, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING);
        return yml;
    }

    private static String awaitStart(ServeProcess serve, List<String> names) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            String web = serve.webUrl();
            if (web != null && names.stream().allMatch(n -> serve.inputPort(n) > 0)) {
                return web;
            }
            if (!serve.alive()) {
                throw new IllegalStateException("serve ended at start: " + serve.logText().strip().lines()
                        .reduce((a, b) -> b).orElse("(no log)"));
            }
            LockSupport.parkNanos(200_000_000L);
        }
        throw new IllegalStateException("serve did not report its web URL and input ports within 120 s");
    }

    private void emit(Map<String, Object> line) {
        String s = json(line);
        out.println(s);
        out.flush();
        try {
            Files.writeString(config.work().resolve("soak.jsonl"), s + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("soak: " + e);
        }
    }

    static double round(double v) {
        return Double.isNaN(v) ? -1 : Math.round(v * 100) / 100.0;
    }

    @SuppressWarnings("unchecked")
    static String json(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{");
        String comma = "";
        for (Map.Entry<String, Object> e : m.entrySet()) {
            b.append(comma).append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v instanceof Map<?, ?> inner) {
                b.append(json((Map<String, Object>) inner));
            } else if (v instanceof String s) {
                b.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ")).append('"');
            } else {
                b.append(v);
            }
            comma = ",";
        }
        return b.append('}').toString();
    }
}
