package io.streamtee.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.Figures;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamtee serve} killed with SIGKILL while a camera streams, and started again on the same config: the
 * recorder repairs the segment the kill cut, the index and the files agree, every segment decodes, the analyzer's
 * events flow again and none is written twice. The camera keeps sending throughout (what it sends while nothing
 * listens is lost: the faulty part's own loss).
 */
@Timeout(240)
class ServeKillTest {
    private static final Pattern ROUTE = Pattern.compile("route cam: udp://127\\.0\\.0\\.1:(\\d+) -> ");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void kill() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(20, TimeUnit.SECONDS); // gone before the temporary directory is deleted
        }
    }

    private Process serve(Path config, Path log) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", productClassPath(),
                "io.streamtee.app.Main", "serve", "-c", config.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /**
     * This JVM's class path without test classes: serve runs as it does for real, whatever this test runs in. (With
     * them, a build that stops before the kafka module's test jar is packaged puts that module's test classes here,
     * with its {@code logback-test.xml}: serve's log went to stdout, and the log this test reads stayed empty.)
     */
    private static String productClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("test-classes") && !e.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String config(Path data, int port) {
        return "web: { listen: 127.0.0.1:0 }\ndata: " + data + "\ncameras:\n  cam:\n    input: udp://127.0.0.1:" + port
                + "\n    record: { segment: 2s }\n";
    }

    @Test
    void aKilledServeRepairsItsRecordingAndResumesWithoutDuplicateEvents() throws Exception {
        FfmpegJudge.assumeInstalled();
        Path data = tmp.resolve("data");
        Path cam = data.resolve("cam");
        Path events = data.resolve("cam-events.jsonl");
        Path config = tmp.resolve("serve.yml");
        Files.writeString(config, config(data, 0));
        Path log1 = tmp.resolve("serve-1.txt");
        Process first = serve(config, log1);
        int[] port = {0};
        // a JVM's start on a loaded machine: 90 s at most (a start is not what this test measures)
        awaitServe(first, log1, Duration.ofSeconds(90), Duration.ofMillis(100), () -> {
            Matcher m = ROUTE.matcher(Files.readString(log1));
            return m.find() && (port[0] = Integer.parseInt(m.group(1))) > 0;
        });

        CameraConfig camera = CameraConfig.pattern(Destination.of(new InetSocketAddress("127.0.0.1", port[0])))
                .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(20).withGop(20)
                        .withBitrate(400_000).withVisitor(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .withDuration(Duration.ofSeconds(240)); // ended by the test: as long as the test may take
        try (Camera sender = new Camera(camera).start()) {
            // recording and analyzing: closed segments in the index, a motion event in the file
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> closedSegments(cam) >= 2 && motionStarts(events) >= 1);
            // killed while a segment is half written: some of it on disk, the rest in the recorder's buffer; early
            // in the segment (its first bytes are forced after 0.5 s, it ends after 2 s), so that a slow kill still
            // cuts this one and not the next, still empty, one
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> openRowBytesOnDisk(cam, 1200) > 0);

            first.destroyForcibly(); // SIGKILL: no shutdown hook, no closing of anything
            assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).isEqualTo(137);
            Set<Path> before = segmentFiles(cam);
            long eventsBefore = lines(events).size();
            long openAtKill = openRows(cam);

            // started again on the port it had (the camera keeps sending there)
            Files.writeString(config, config(data, port[0]));
            Path log2 = tmp.resolve("serve-2.txt");
            long restartWall = System.currentTimeMillis();
            long t0 = System.nanoTime();
            Process second = serve(config, log2);
            long[] recordedAt = {0};
            long[] servingAt = {0};
            awaitServe(second, log2, Duration.ofSeconds(90), Duration.ofMillis(20), () -> {
                if (!second.isAlive()) {
                    // the port was free for the time the JVM took to start: another program on this machine may
                    // have been given it meanwhile, which this test cannot prevent
                    assumeFalse(Files.readString(log2).contains("address already in use"),
                            "port " + port[0] + " taken by another program while serve was down: "
                                    + Files.readString(log2));
                }
                if (servingAt[0] == 0 && Files.readString(log2).contains("serve: web on")) {
                    servingAt[0] = System.nanoTime();
                }
                if (recordedAt[0] == 0
                        && segmentFiles(cam).stream().anyMatch(f -> !before.contains(f) && size(f) > 0)) {
                    recordedAt[0] = System.nanoTime();
                }
                return recordedAt[0] != 0 && servingAt[0] != 0;
            });
            long recoveryMs = (recordedAt[0] - t0) / 1_000_000;
            long servingMs = (servingAt[0] - t0) / 1_000_000;
            long[] eventAt = {0};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                boolean again = parse(events).stream().anyMatch(e -> e.path("kind").asText().equals("MOTION")
                        && e.path("phase").asText().equals("START") && e.path("startMillis").asLong() >= restartWall);
                if (again) {
                    eventAt[0] = System.nanoTime();
                }
                return again;
            });
            long eventsMs = (eventAt[0] - t0) / 1_000_000;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> closedSegments(cam) >= before.size() + 2);

            second.destroy(); // SIGTERM: a clean stop closes the last segment and event
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(Files.readString(log2)).isZero();
            assertThat(Files.readString(log2)).contains("repaired segment");

            // the index and the files agree: every row closed, its file there with the bytes it says, no file unindexed
            Map<String, long[]> rows = rows(cam);
            assertThat(rows.values()).allSatisfy(r -> assertThat(r[0]).as("status closed").isEqualTo(1));
            assertThat(repairedRows(cam)).as("the segment the kill cut").isEqualTo(openAtKill).isEqualTo(1);
            Set<String> files = new HashSet<>();
            for (Path f : segmentFiles(cam)) {
                files.add(cam.relativize(f).toString());
                assertThat(FfmpegJudge.frames(f)).as("frames in %s", f).isPositive();
            }
            assertThat(files).isEqualTo(rows.keySet());
            rows.forEach((path, r) -> assertThat(size(cam.resolve(path))).as(path).isEqualTo(r[1]));

            // no event twice: an id's START and END at most once each, no two STARTs of one kind at one time
            List<JsonNode> all = parse(events);
            Map<String, Integer> phases = new HashMap<>();
            Set<String> starts = new HashSet<>();
            for (JsonNode e : all) {
                String id = e.path("id").asText();
                String phase = e.path("phase").asText();
                if (!phase.equals("UPDATE")) {
                    assertThat(phases.merge(id + "/" + phase, 1, Integer::sum)).as("%s %s", id, phase).isEqualTo(1);
                }
                if (phase.equals("START")) {
                    assertThat(starts.add(e.path("kind").asText() + "/" + e.path("startMillis").asLong()))
                            .as("a second START at the time of %s", id).isTrue();
                }
            }
            long startedBefore = all.stream().limit(eventsBefore)
                    .filter(e -> e.path("phase").asText().equals("START")).count();
            long endedBefore = all.stream().limit(eventsBefore).filter(e -> e.path("phase").asText().equals("END"))
                    .map(e -> e.path("id").asText()).distinct().count();
            Figures.of("fault.serve.sigkill").put("recovery_ms", recoveryMs).put("serving_ms", servingMs)
                    .put("events_resume_ms", eventsMs)
                    .put("segments_repaired", repairedRows(cam)).put("segments", rows.size())
                    .put("segments_undecodable", 0).put("events", all.size()).put("duplicate_events", 0)
                    .put("events_cut_open", startedBefore - endedBefore)
                    .put("camera_datagrams_sent", sender.stats().datagramsSent())
                    .record(getClass(), "aKilledServeRepairsItsRecordingAndResumesWithoutDuplicateEvents");
        }
    }

    /**
     * Waits until {@code done}; fails at once when {@code serve} ends first, and on timeout, either way with its log.
     */
    private static void awaitServe(Process serve, Path log, Duration atMost, Duration poll, Callable<Boolean> done)
            throws IOException {
        try {
            await().atMost(atMost).pollInterval(poll).until(() -> {
                if (done.call()) {
                    return true;
                }
                if (!serve.isAlive()) {
                    throw new AssertionError("serve ended (exit " + serve.exitValue() + ") before it served: "
                            + Files.readString(log));
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; serve's log: " + Files.readString(log), e);
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return -1;
        }
    }

    private static Set<Path> segmentFiles(Path cam) throws IOException {
        if (!Files.isDirectory(cam)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.walk(cam)) {
            return new HashSet<>(files.filter(f -> f.toString().endsWith(".ts")).toList());
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    /** The events written so far; a line being written (not yet whole) is left out. */
    private static List<JsonNode> parse(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines(file)) {
            try {
                out.add(JSON.readTree(line));
            } catch (IOException partial) {
                // the writer's next flush completes it
            }
        }
        return out;
    }

    private static long motionStarts(Path events) throws IOException {
        return parse(events).stream().filter(e -> e.path("kind").asText().equals("MOTION")
                && e.path("phase").asText().equals("START")).count();
    }

    private static long count(Path cam, String where) throws SQLException {
        if (!Files.exists(cam.resolve("index.db"))) {
            return 0;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + cam.resolve("index.db"));
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM segments WHERE " + where)) {
            return r.next() ? r.getLong(1) : 0;
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no such table")) {
                return 0;
            }
            throw e;
        }
    }

    private static long closedSegments(Path cam) throws SQLException {
        return count(cam, "status = 'closed'");
    }

    private static long openRows(Path cam) throws SQLException {
        return count(cam, "status <> 'closed'");
    }

    private static long repairedRows(Path cam) throws SQLException {
        return count(cam, "repaired = 1");
    }

    /**
     * Bytes on disk of the segment the index says is being written, 0 when none or when it began more than
     * {@code youngerThanMillis} ago.
     */
    private static long openRowBytesOnDisk(Path cam, long youngerThanMillis) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + cam.resolve("index.db"));
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT path, start_ms FROM segments WHERE status = 'open'")) {
            long bytes = 0;
            while (r.next()) {
                if (System.currentTimeMillis() - r.getLong(2) < youngerThanMillis) {
                    bytes += Math.max(0, size(cam.resolve(r.getString(1))));
                }
            }
            return bytes;
        }
    }

    /** Each row's path -> {1 when closed, bytes}. */
    private static Map<String, long[]> rows(Path cam) throws SQLException {
        Map<String, long[]> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + cam.resolve("index.db"));
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT path, status, bytes FROM segments")) {
            while (r.next()) {
                out.put(r.getString(1), new long[] {r.getString(2).equals("closed") ? 1 : 0, r.getLong(3)});
            }
        }
        return out;
    }
}
