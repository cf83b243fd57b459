package io.streamtee.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load client of {@code bench/view-fanout.sh}: WebSocket viewers of one {@code streamtee view}, added in steps
 * (by default 0, 1, 10 then 100 viewers, the last step with one stalled viewer), with the viewer server's CPU
 * measured over each step, then a check that every viewer but the stalled one got every frame in order. JDK only
 * (java.net.http), so the script runs it as a single source file: {@code java ViewLoad.java ARGS}. Loopback only,
 * bounded in time; Linux only (it reads /proc).
 *
 * <pre>
 * --url URL          the viewer's page, http://127.0.0.1:PORT/ (its /ws and /healthz are used)
 * --server-pid PID   the viewer server's process, for its CPU and RSS
 * --sender-pid PID   the camera's process, for its CPU (optional)
 * --steps LIST       viewers in each step, e.g. 0,1,10,100 (default); the last step holds the stalled viewer
 * --stalled N        stalled viewers in the last step (default 1): each reads nothing (see {@link Stalled})
 * --seconds S        the steps' total time (default 30): each step but the last S/8 (at least 2 s), the last
 *                    the rest
 * --clk-tck N        the kernel's clock ticks per second (getconf CLK_TCK; default 100)
 * --quiet-file PATH  written when the last step's window ends: the script then stops the camera, and the client
 *                    waits for the stream to go quiet (2 s without a frame, at most 20 s) before it checks
 * </pre>
 *
 * A viewer passes when its first message is a keyframe, each PTS is the previous plus one frame interval (the most
 * common difference over all viewers; a stream without B-frames), it ends on the last frame any viewer got, and it
 * got at least as many frames as the server published after it joined ({@code /healthz} frames). Prints a Markdown
 * report on standard output; exits 1 when a viewer failed or the stalled one was neither skipped nor cut off.
 */
public final class ViewLoad {
    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":(-?\\d+)");

    /** One viewer that reads every message: its PTS list and bytes. */
    static final class Viewer implements WebSocket.Listener {
        /** The server's frame count read once it counted this viewer. */
        volatile long joinedAtFrames;
        private final byte[] header = new byte[20];
        private int headerFill;
        private long[] pts = new long[1024];
        private int count;
        private boolean firstKeyframe;
        private long bytes;
        volatile long lastNanos;
        WebSocket socket;

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(Long.MAX_VALUE);
        }

        @Override
        public synchronized CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            bytes += data.remaining();
            if (headerFill < header.length) {
                int n = Math.min(header.length - headerFill, data.remaining());
                data.get(header, headerFill, n);
                headerFill += n;
            }
            if (last) {
                ByteBuffer h = ByteBuffer.wrap(header);
                if (count == 0) {
                    firstKeyframe = (h.get(1) & 1) != 0;
                }
                if (count == pts.length) {
                    pts = Arrays.copyOf(pts, 2 * count);
                }
                pts[count++] = h.getLong(4);
                headerFill = 0;
                lastNanos = System.nanoTime();
            }
            return null;
        }

        synchronized long[] pts() {
            return Arrays.copyOf(pts, count);
        }

        synchronized boolean firstKeyframe() {
            return firstKeyframe;
        }

        synchronized long bytes() {
            return bytes;
        }
    }

    /**
     * A viewer that reads nothing: a TCP socket with a 4 KiB receive buffer that sends the WebSocket upgrade and
     * never reads a byte, so the server's sends to it back up in TCP within a second or so (java.net.http's WebSocket
     * also stops reading when asked for nothing, but only after the kernel's buffers, megabytes on loopback, are
     * full: many seconds at 4 Mbit/s).
     */
    static final class Stalled implements AutoCloseable {
        private final Socket socket = new Socket();

        Stalled(URI base) throws IOException {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            OutputStream o = socket.getOutputStream();
            o.write(("GET " + base.resolve("ws").getRawPath() + " HTTP/1.1\r\nHost: " + base.getHost() + ":"
                    + base.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            o.flush(); // and never read
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** CPU ticks (utime + stime) of a process: fields 14 and 15 of /proc/PID/stat. */
    static long ticks(String pid) throws IOException {
        String s = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long rssKb(String pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private final Map<String, String> args;
    private final URI base;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String serverPid;
    private final String senderPid;
    private final double tck;
    private final List<Viewer> viewers = new ArrayList<>();
    private final List<Stalled> stalled = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();

    private ViewLoad(Map<String, String> args) {
        this.args = args;
        this.base = URI.create(args.get("url"));
        this.serverPid = args.get("server-pid");
        this.senderPid = args.get("sender-pid");
        this.tck = Double.parseDouble(args.getOrDefault("clk-tck", "100"));
    }

    Map<String, Long> health() throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(base.resolve("healthz")).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Long> m = new HashMap<>();
        Matcher x = NUMBER.matcher(body);
        while (x.find()) {
            m.put(x.group(1), Long.parseLong(x.group(2)));
        }
        return m;
    }

    private WebSocket connect(HttpClient client, WebSocket.Listener l) throws Exception {
        URI ws = URI.create(base.toString().replaceFirst("^http", "ws")).resolve("ws");
        return client.newWebSocketBuilder().buildAsync(ws, l).get(10, TimeUnit.SECONDS);
    }

    /**
     * Adds viewers until there are {@code n} in all (stalled ones first). After each connect it waits until the
     * server counts the viewer, then notes the server's frame count: every frame published after that must reach it.
     */
    private void grow(int n, int stalledWanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (viewers.size() + stalled.size() < n) {
            int expected = viewers.size() + stalled.size() + 1;
            Viewer v = null;
            if (stalled.size() < stalledWanted) {
                stalled.add(new Stalled(base));
            } else {
                v = new Viewer();
                v.socket = connect(http, v);
            }
            Map<String, Long> h;
            do {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("connecting " + n + " viewers took more than 60 s");
                }
                h = health();
            } while (h.getOrDefault("viewers", 0L) + h.getOrDefault("cutOff", 0L) < expected);
            if (v != null) {
                v.joinedAtFrames = h.get("frames");
                viewers.add(v);
            }
        }
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v);
    }

    void run() throws Exception {
        int[] steps = Arrays.stream(args.getOrDefault("steps", "0,1,10,100").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int stalledCount = Integer.parseInt(args.getOrDefault("stalled", "1"));
        double total = Double.parseDouble(args.getOrDefault("seconds", "30"));
        // the last step gets most of the time: its stalled viewer needs ~15 s on loopback to be cut off
        double otherLength = steps.length == 1 ? 0 : Math.max(2, total / 8);
        double lastLength = Math.max(2, total - otherLength * (steps.length - 1));
        long clientStart = ticks("self");

        out.append("| viewers | server CPU (% of one core) | per viewer over the step before | server RSS | client"
                + " CPU | sender CPU | window |\n|---|---|---|---|---|---|---|\n");
        double previousCpu = Double.NaN;
        int previousViewers = 0;
        double cpu0 = Double.NaN;
        double lastCpu = Double.NaN;
        long stalledJoinedNanos = 0;
        double firstSkipSeconds = -1;
        double cutOffSeconds = -1;
        for (int i = 0; i < steps.length; i++) {
            boolean lastStep = i == steps.length - 1;
            double length = lastStep ? lastLength : otherLength;
            long stepStart = System.nanoTime();
            grow(steps[i], lastStep ? stalledCount : 0);
            if (lastStep && !stalled.isEmpty()) {
                stalledJoinedNanos = stepStart;
            }
            // settle: a third of the step (at least 1 s) after the viewers are in, then measure the rest
            double settle = Math.max(1, length / 3);
            long windowStart = Math.max(stepStart + (long) (settle * 1e9), System.nanoTime() + 1_000_000_000L);
            long windowEnd = stepStart + (long) (length * 1e9);
            while (System.nanoTime() < windowStart) {
                Thread.sleep(100);
            }
            long t0 = System.nanoTime();
            long s0 = ticks(serverPid);
            long c0 = ticks("self");
            long p0 = senderPid == null ? 0 : ticks(senderPid);
            while (System.nanoTime() < windowEnd) {
                Thread.sleep(Math.min(250, Math.max(1, (windowEnd - System.nanoTime()) / 1_000_000)));
                if (lastStep && !stalled.isEmpty() && (firstSkipSeconds < 0 || cutOffSeconds < 0)) {
                    Map<String, Long> h = health();
                    double since = (System.nanoTime() - stalledJoinedNanos) / 1e9;
                    if (firstSkipSeconds < 0 && h.getOrDefault("skips", 0L) > 0) {
                        firstSkipSeconds = since;
                    }
                    if (cutOffSeconds < 0 && h.getOrDefault("cutOff", 0L) > 0) {
                        cutOffSeconds = since;
                    }
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double server = 100 * (ticks(serverPid) - s0) / tck / wall;
            double client = 100 * (ticks("self") - c0) / tck / wall;
            double sender = senderPid == null ? Double.NaN : 100 * (ticks(senderPid) - p0) / tck / wall;
            int n = viewers.size() + stalled.size();
            String perViewer = i == 0 || n == previousViewers ? "" : String.format(Locale.ROOT, "%.2f%%",
                    (server - previousCpu) / (n - previousViewers));
            out.append(String.format(Locale.ROOT, "| %d%s | %s | %s | %d MiB | %s | %s | %.1f s |%n", n,
                    lastStep && !stalled.isEmpty() ? " (" + stalled.size() + " stalled)" : "", pct(server),
                    perViewer, rssKb(serverPid) / 1024, pct(client), Double.isNaN(sender) ? "-" : pct(sender),
                    wall));
            if (i == 0) {
                cpu0 = server;
            }
            previousCpu = server;
            previousViewers = n;
            lastCpu = server;
        }
        if (steps.length > 1 && steps[0] == 0) {
            out.append(String.format(Locale.ROOT, "%nCPU per viewer, (last step - no viewers) / %d viewers:"
                    + " %.2f%% of one core%n", previousViewers, (lastCpu - cpu0) / previousViewers));
        }

        // the end of the stream: the script stops the camera; wait until no viewer has had a frame for 2 s
        String quietFile = args.get("quiet-file");
        if (quietFile != null) {
            Files.writeString(Path.of(quietFile), "measured\n");
        }
        long waitEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < waitEnd) {
            long newest = viewers.stream().mapToLong(v -> v.lastNanos).max().orElse(0);
            if (System.nanoTime() - newest > TimeUnit.SECONDS.toNanos(2)) {
                break;
            }
            Thread.sleep(100);
        }
        Map<String, Long> h = health();
        for (Viewer v : viewers) {
            v.socket.abort();
        }
        for (Stalled s : stalled) {
            s.close();
        }
        double clientTotal = (ticks("self") - clientStart) / tck;

        // the step: the most common PTS difference over all viewers
        Map<Long, Long> deltas = new HashMap<>();
        long lastPts = Long.MIN_VALUE;
        for (Viewer v : viewers) {
            long[] p = v.pts();
            for (int i = 1; i < p.length; i++) {
                deltas.merge(p[i] - p[i - 1], 1L, Long::sum);
            }
            if (p.length > 0) {
                lastPts = Math.max(lastPts, p[p.length - 1]);
            }
        }
        long step = deltas.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(0L);
        int failed = 0;
        int withGaps = 0;
        int withReorders = 0;
        int shortEnded = 0;
        int missing = 0;
        int notKeyframeFirst = 0;
        long frames = 0;
        long bytes = 0;
        StringBuilder details = new StringBuilder();
        for (int k = 0; k < viewers.size(); k++) {
            Viewer v = viewers.get(k);
            long[] p = v.pts();
            int gaps = 0;
            int reorders = 0;
            for (int i = 1; i < p.length; i++) {
                long d = p[i] - p[i - 1];
                if (d <= 0) {
                    reorders++;
                } else if (d != step) {
                    gaps++;
                }
            }
            boolean endsLast = p.length > 0 && p[p.length - 1] == lastPts;
            boolean enough = p.length >= h.get("frames") - v.joinedAtFrames;
            boolean ok = gaps == 0 && reorders == 0 && endsLast && enough && v.firstKeyframe();
            withGaps += gaps > 0 ? 1 : 0;
            withReorders += reorders > 0 ? 1 : 0;
            shortEnded += endsLast ? 0 : 1;
            missing += enough ? 0 : 1;
            notKeyframeFirst += v.firstKeyframe() ? 0 : 1;
            frames += p.length;
            bytes += v.bytes();
            if (!ok) {
                failed++;
                if (details.length() < 4000) {
                    details.append(String.format(Locale.ROOT, "  viewer %d: %d frames, %d gaps, %d reorders or"
                            + " repeats, first keyframe %s, ends on the last frame %s, published since it joined"
                            + " %d%n", k, p.length, gaps, reorders, v.firstKeyframe(), endsLast,
                            h.get("frames") - v.joinedAtFrames));
                }
            }
        }
        out.append(String.format(Locale.ROOT, "%nViewers that read: %d; failed: %d (with gaps %d, with reorders or"
                        + " repeats %d, missing frames published after they joined %d, not ending on the last frame"
                        + " %d, not starting on a keyframe %d); frames received %d in all (%.0f per viewer), PTS step"
                        + " %d (90 kHz), %.2f Mbit/s per viewer on average%n", viewers.size(), failed, withGaps,
                withReorders, missing, shortEnded, notKeyframeFirst, frames,
                viewers.isEmpty() ? 0.0 : (double) frames / viewers.size(), step,
                viewers.isEmpty() || step == 0 ? 0.0
                        : bytes * 8.0 / viewers.size() / (frames / (double) viewers.size() * step / 90_000.0) / 1e6));
        out.append(details);
        out.append(String.format(Locale.ROOT, "Stalled viewers (read nothing): %d; /healthz at the end: viewers %d,"
                        + " frames %d, skips %d, cutOff %d; first skip seen %s, cut off seen %s after the stalled"
                        + " viewer joined%n", stalled.size(), h.get("viewers"), h.get("frames"),
                h.get("skips"), h.get("cutOff"),
                firstSkipSeconds < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", firstSkipSeconds),
                cutOffSeconds < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", cutOffSeconds)));
        out.append(String.format(Locale.ROOT, "Load client CPU over its whole run: %.1f CPU s%n", clientTotal));
        System.out.print(out);
        boolean stalledCounted = stalled.isEmpty() || h.getOrDefault("skips", 0L) > 0
                || h.getOrDefault("cutOff", 0L) > 0;
        boolean tooShort = lastLength < 20; // a skip comes ~9 s, a cut-off ~15 s after the stalled viewer joins
        if (failed > 0 || !stalledCounted && !tooShort || viewers.isEmpty() && steps[steps.length - 1] > 0) {
            System.out.println("FAILED" + (stalledCounted ? "" : ": the stalled viewer was neither skipped nor cut"
                    + " off"));
            System.exit(1);
        }
        if (!stalledCounted) {
            System.out.printf(Locale.ROOT, "OK for the viewers that read; the stalled viewer was neither skipped nor"
                    + " cut off in the last step's %.0f s, too short to tell (it takes about 10 s on loopback)%n",
                    lastLength);
            return;
        }
        System.out.println("OK");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, not " + argv[i]);
            }
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        if (!args.containsKey("url") || !args.containsKey("server-pid")) {
            System.err.println("usage: ViewLoad --url http://127.0.0.1:PORT/ --server-pid PID [--sender-pid PID]"
                    + " [--steps 0,1,10,100] [--stalled 1] [--seconds 30] [--clk-tck 100] [--quiet-file PATH]");
            System.exit(2);
        }
        String host = URI.create(args.get("url")).getHost();
        if (!host.startsWith("127.") && !host.equals("localhost") && !host.equals("[::1]")) {
            System.err.println("--url: loopback only, not " + host);
            System.exit(2);
        }
        new ViewLoad(args).run();
        System.exit(0);
    }
}
