package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.JsonLinesSink;
import io.streamtee.analyze.health.HealthSettings;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.TrackerSettings;
import io.streamtee.analyze.sink.Sinks;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import io.streamtee.camera.Visit;
import io.streamtee.cli.Cli;
import io.streamtee.config.Endpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code streamtee analyze}: options, one-line errors, and a run against a real camera in-process. */
class AnalyzeCommandTest {
    private static final String CLOCK_MASK = "[[0,0.85],[1,0.85],[1,1],[0,1]]";

    @TempDir
    Path dir;

    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = Cli.run(new AnalyzeCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), args);
        return new Run(code, err.toString());
    }

    private static AnalyzeCommand parsed(String... args) {
        AnalyzeCommand c = new AnalyzeCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void defaults() throws Exception {
        AnalyzerConfig config = parsed().config();
        try {
            assertThat(config.listen().url()).isEqualTo("udp://127.0.0.1:8102");
            assertThat(config.camera()).isEqualTo("camera");
            assertThat(config.motion()).isEqualTo(MotionSettings.defaults());
            assertThat(config.sinks()).singleElement().isInstanceOf(JsonLinesSink.class)
                    .satisfies(s -> assertThat(s.name()).isEqualTo("file:events.jsonl"));
            assertThat(config.zones()).isEmpty();
            assertThat(config.masks()).isEmpty();
        } finally {
            for (var s : config.sinks()) {
                s.close();
            }
        }
        assertThat(new CommandLine(new AnalyzeCommand()).getUsageMessage())
                .contains("(default: " + MotionSettings.defaults().threshold() + ")");
    }

    @Test
    void optionsReachTheConfig() throws Exception {
        AnalyzerConfig config = parsed("--listen", "udp://127.0.0.1:0", "--camera", "porch", "--events", "off",
                "--sink", "syslog+udp://127.0.0.1:514", "--sink", dir.resolve("b.jsonl").toString(),
                "--mask", CLOCK_MASK, "--zone", "door=[[0.6,0.2],[0.9,0.2],[0.9,0.9]]", "--zone",
                "path = [[0,0],[0.5,0],[0.5,0.5]]", "--threshold", "10").config();
        try {
            assertThat(config.camera()).isEqualTo("porch");
            assertThat(config.motion().threshold()).isEqualTo(10);
            assertThat(config.sinks()).extracting(s -> s.name())
                    .containsExactly("syslog+udp://127.0.0.1:514", "file:" + dir.resolve("b.jsonl"));
            assertThat(config.masks()).hasSize(1);
            assertThat(config.zones()).extracting(z -> z.name()).containsExactly("door", "path");
        } finally {
            for (var s : config.sinks()) {
                s.close();
            }
        }
    }

    @Test
    void badOptionsGiveOneLineNamingTheOptionAndExitTwo() {
        String events = dir.resolve("e.jsonl").toString();
        Run sink = run("--events", events, "--sink", "nope://x");
        assertThat(sink.code()).isEqualTo(2);
        assertThat(sink.err()).startsWith("streamtee analyze: --sink: sink 'nope://x': unknown kind")
                .contains("mqtt://").hasLineCount(1);
        Run smtp = run("--events", events, "--sink", "smtp://127.0.0.1:2525");
        assertThat(smtp.code()).isEqualTo(2);
        assertThat(smtp.err()).startsWith("streamtee analyze: --sink: sink 'smtp://127.0.0.1:2525'").hasLineCount(1);
        Run mask = run("--events", events, "--mask", "[[0,0],[1,1]");
        assertThat(mask.code()).isEqualTo(2);
        assertThat(mask.err()).startsWith("streamtee analyze: --mask: ").hasLineCount(1);
        Run zone = run("--events", events, "--zone", "[[0,0],[1,0],[1,1]]");
        assertThat(zone).isEqualTo(new Run(2, "streamtee analyze: --zone: expected NAME=POLYGON, e.g."
                + " door=[[0.6,0.2],[0.9,0.2],[0.9,0.9]], not [[0,0],[1,0],[1,1]]\n"));
        Run zonePolygon = run("--events", events, "--zone", "door=[[0,0],[1,1]]");
        assertThat(zonePolygon.code()).isEqualTo(2);
        assertThat(zonePolygon.err()).startsWith("streamtee analyze: --zone door: ").hasLineCount(1);
        assertThat(run("--events", events, "--threshold", "0"))
                .isEqualTo(new Run(2, "streamtee analyze: --threshold: must be between 1 and 255, not 0\n"));
        assertThat(run("--events", events, "--listen", "nowhere").err()).startsWith("streamtee analyze: --listen:")
                .hasLineCount(1);
        assertThat(run("--events", events, "--listen", "tcp://127.0.0.1:9000")).isEqualTo(new Run(2,
                "streamtee analyze: --listen: no input for tcp:// here (this build takes udp:// only; the bridge"
                        + " module, which brings rtsp:// and srt://, is not on the class path)\n"));
        assertThat(run("--events", events, "--camera", "front door")).isEqualTo(new Run(2,
                "streamtee analyze: --camera: letters, digits, '.', '_' and '-' (up to 64, as the recorder names its"
                        + " cameras), not 'front door'\n"));
        assertThat(Files.exists(dir.resolve("e.jsonl"))).isFalse();
    }

    @Test
    void httpOffOnTheCommandLineOverridesTheFilesAddressEvenABadOne() throws Exception {
        Path file = configFile("""
                analyze:
                  events: off
                  http: 10.0.0.1:8082
                """);
        assertThat(parsed("-c", file.toString(), "--http", "off").httpSettings()).isNull();
        assertThat(run("-c", file.toString(), "--listen", "udp://127.0.0.1:0").err())
                .startsWith("streamtee analyze: " + file + ": analyze.http: 10.0.0.1:8082 is not a loopback address")
                .hasLineCount(1);
    }

    @Test
    void aPortInUseGivesOneLineAndExitOne() {
        AnalyzerConfig other = AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), "other",
                List.of());
        try (Analyzer busy = new Analyzer(other).start()) {
            Run r = run("--listen", "udp://127.0.0.1:" + busy.localAddress().getPort(), "--events",
                    dir.resolve("e.jsonl").toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("streamtee analyze: --listen: ").contains("address already in use")
                    .hasLineCount(1);
        }
    }

    @Test
    void aVisitorBecomesOneMotionStartAndEndInTheEventsFile() throws Exception {
        Path events = dir.resolve("events.jsonl");
        int fps = 20;
        List<Visit> visits;
        AnalyzeCommand command = parsed("--listen", "udp://127.0.0.1:0", "--camera", "porch", "--events",
                events.toString(), "--mask", CLOCK_MASK);
        try (Analyzer analyzer = command.start()) {
            // one visit, from 3 s to 4.5 s; the next would start at 6 s, when the camera stops
            visits = visitsSent(analyzer, fps, 5_900);
        }
        assertThat(visits).hasSize(1);
        List<JsonNode> motion = motion(events);
        assertThat(motion).as("motion events in %s", events).hasSizeGreaterThanOrEqualTo(2);
        assertThat(motion).extracting(e -> e.path("id").asText()).as("one event for the one visit").containsOnly(
                motion.getFirst().path("id").asText());
        assertThat(motion.getFirst().path("id").asText()).startsWith("porch-");
        assertThat(motion.getFirst().path("phase").asText()).isEqualTo("START");
        assertThat(motion.getLast().path("phase").asText()).isEqualTo("END");
    }

    /**
     * Runs a 320x180 camera at {@code fps} into {@code analyzer} for {@code millis}, a visitor from 3 s for 1.5 s
     * every 3 s, waits until the analyzer has every datagram, and returns the camera's visits.
     */
    private static List<Visit> visitsSent(Analyzer analyzer, int fps, long millis) throws Exception {
        CameraConfig camera = CameraConfig.pattern(Destination.of(analyzer.localAddress()))
                .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(fps).withGop(2 * fps)
                        .withBitrate(400_000).withVisitor(Duration.ofSeconds(3), Duration.ofMillis(1500)))
                .withDuration(Duration.ofMillis(millis));
        CameraStats sent;
        List<Visit> visits;
        try (Camera cam = new Camera(camera).start()) {
            assertThat(cam.awaitDone(Duration.ofSeconds(20))).isTrue();
            assertThat(cam.failure()).isNull();
            sent = cam.stats();
            visits = cam.timeline().visits();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> analyzer.stats().datagrams() == sent.datagramsSent());
        return visits;
    }

    private Path configFile(String yaml) throws Exception {
        Path file = dir.resolve("analyze.yml");
        Files.writeString(file, yaml);
        return file;
    }

    private static void closeAll(AnalyzerConfig config) throws Exception {
        for (EventSink s : config.sinks()) {
            s.close();
        }
    }

    @Test
    void aConfigFileGivesTheSettingsFlagsOverrideItsValuesAndAddToItsLists() throws Exception {
        Path file = configFile("""
                analyze:
                  listen: udp://127.0.0.1:0
                  camera: porch
                  events: %s
                  motion: { threshold: 20, minArea: 5, updateEvery: 2s, endGap: 3s }
                  health: { lostAfter: 4s }
                  masks: [ "[[0,0.85],[1,0.85],[1,1],[0,1]]" ]
                  zones: [ { name: door, polygon: [[0.6,0.2],[0.9,0.2],[0.9,0.9]] } ]
                  sinks:
                    - { url: "syslog+udp://127.0.0.1:514", cooldown: 1m }
                    - smtp://127.0.0.1:2525?to=me@example.org&from=cam@example.org
                """.formatted(dir.resolve("file.jsonl")));
        AnalyzerConfig fromFile = parsed("-c", file.toString()).config();
        try {
            assertThat(fromFile.listen().url()).isEqualTo("udp://127.0.0.1:0");
            assertThat(fromFile.camera()).isEqualTo("porch");
            assertThat(fromFile.motion()).isEqualTo(MotionSettings.defaults().withThreshold(20).withMinArea(5));
            assertThat(fromFile.tracker()).isEqualTo(new TrackerSettings(3, Duration.ofSeconds(3),
                    Duration.ofSeconds(2)));
            assertThat(fromFile.health()).isEqualTo(HealthSettings.DEFAULTS.withLostAfter(Duration.ofSeconds(4)));
            assertThat(fromFile.sinks()).extracting(EventSink::name).containsExactly("file:" + dir.resolve(
                    "file.jsonl"), "syslog+udp://127.0.0.1:514", "smtp://127.0.0.1:2525?to=me@example.org");
            assertThat(fromFile.sinks()).extracting(fromFile::cooldown).containsExactly(Duration.ZERO,
                    Duration.ofMinutes(1), Sinks.EMAIL_COOLDOWN);
        } finally {
            closeAll(fromFile);
        }

        AnalyzerConfig merged = parsed("--config", file.toString(), "--camera", "garden", "--listen",
                "udp://127.0.0.1:0?iface=lo", "--events", dir.resolve("flag.jsonl").toString(), "--threshold", "12",
                "--mask", CLOCK_MASK, "--zone", "path=[[0,0],[0.5,0],[0.5,0.5]]", "--sink",
                "mqtt://127.0.0.1:1883?cooldown=30s").config();
        try {
            assertThat(merged.camera()).isEqualTo("garden");
            assertThat(merged.listen().url()).startsWith("udp://127.0.0.1:0");
            assertThat(merged.motion()).as("the flag's threshold, the file's min area")
                    .isEqualTo(MotionSettings.defaults().withThreshold(12).withMinArea(5));
            assertThat(merged.masks()).hasSize(2);
            assertThat(merged.zones()).extracting(z -> z.name()).containsExactly("door", "path");
            assertThat(merged.sinks()).extracting(EventSink::name).containsExactly("file:" + dir.resolve(
                    "flag.jsonl"), "syslog+udp://127.0.0.1:514", "smtp://127.0.0.1:2525?to=me@example.org",
                    "mqtt://127.0.0.1:1883");
            assertThat(merged.sinks()).extracting(merged::cooldown).containsExactly(Duration.ZERO,
                    Duration.ofMinutes(1), Sinks.EMAIL_COOLDOWN, Duration.ofSeconds(30));
        } finally {
            closeAll(merged);
        }
        AnalyzerConfig off = parsed("-c", file.toString(), "--events", "off").config();
        try {
            assertThat(off.sinks()).hasSize(2);
        } finally {
            closeAll(off);
        }
    }

    @Test
    void aBadConfigFileIsOneLineNamingTheFileAndKeyAndExitsTwo() throws Exception {
        Path file = configFile("analyze:\n  zones:\n    - { name: door, polygon: [[0.6,0.2],[0.9,0.2]] }\n");
        assertThat(run("-c", file.toString())).isEqualTo(new Run(2, "streamtee analyze: " + file
                + ": analyze.zones.door.polygon: a polygon needs at least 3 points, not 2\n"));
        Files.writeString(file, "analyze:\n  motion: { treshold: 10 }\n");
        Run unknown = run("-c", file.toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("streamtee analyze: " + file + ": analyze.motion.treshold: unknown key")
                .hasLineCount(1);
        Files.writeString(file, "analyze:\n  zones: { door: [[0.6,0.2],[0.9,0.2],[0.9,0.9]] }\n");
        assertThat(run("-c", file.toString(), "--events", "off", "--zone", "door=[[0,0],[1,0],[1,1]]"))
                .isEqualTo(new Run(2, "streamtee analyze: --zone: 'door' is given twice (the config file has it too)"
                        + "\n"));
        assertThat(run("-c", dir.resolve("none.yml").toString())).isEqualTo(new Run(2, "streamtee analyze: "
                + dir.resolve("none.yml") + ": no such file\n"));
        assertThat(run("--events", "off", "--sink", "mqtt://127.0.0.1:1883?cooldown=soon")).isEqualTo(new Run(2,
                "streamtee analyze: --sink: ?cooldown=: 'soon' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)"
                        + "\n"));
    }

    @Test
    void twoVisitorsWithTheSettingsOfAConfigFileAreTwoEventsInTheRecordAndOneBehindACooldown() throws Exception {
        Path events = dir.resolve("events.jsonl");
        Path cooled = dir.resolve("cooled.jsonl");
        int fps = 20;
        Path file = configFile("""
                analyze:
                  listen: udp://127.0.0.1:0
                  camera: porch
                  events: %s
                  motion: { threshold: 10, endGap: 1s }
                  masks: [ "%s" ]
                  zones:
                    all: [[0,0],[1,0],[1,1],[0,1]]
                  sinks:
                    - { url: "file:%s", cooldown: 1h }
                """.formatted(events, CLOCK_MASK, cooled));
        List<Visit> visits;
        long suppressed;
        try (Analyzer analyzer = parsed("-c", file.toString()).start()) {
            // visits from 3 s to 4.5 s and from 6 s to 7.5 s: 1.5 s apart, more than the 1 s gap
            visits = visitsSent(analyzer, fps, 8_900);
            assertThat(analyzer.sinks()).extracting(q -> q.cooldown()).containsExactly(Duration.ZERO,
                    Duration.ofHours(1));
            analyzer.close();
            suppressed = analyzer.sinks().get(1).suppressed();
            assertThat(analyzer.sinks().get(0).suppressed()).isZero();
        }
        assertThat(visits).hasSize(2);
        List<JsonNode> motion = motion(events);
        List<String> ids = motion.stream().map(e -> e.path("id").asText()).distinct().toList();
        assertThat(ids).as("motion events in %s", events).hasSizeGreaterThanOrEqualTo(2);
        assertThat(ids.getFirst()).startsWith("porch-");
        assertThat(motion.getFirst().path("phase").asText()).isEqualTo("START");
        assertThat(motion.getFirst().path("zones")).extracting(JsonNode::asText).containsExactly("all");
        List<JsonNode> cooledMotion = motion(cooled);
        assertThat(cooledMotion).as("only the first event gets past the cooldown, all its phases")
                .extracting(e -> e.path("id").asText()).containsOnly(ids.getFirst());
        assertThat(cooledMotion).extracting(e -> e.path("phase").asText()).startsWith("START").endsWith("END");
        assertThat(suppressed).isEqualTo(motion.size() - cooledMotion.size()).isPositive();
    }

    private static List<JsonNode> motion(Path file) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> motion = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode e = json.readTree(line);
            if (e.path("kind").asText().equals("MOTION")) {
                motion.add(e);
            }
        }
        return motion;
    }
}
