package io.streamtee.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamtee.testing.Figures;
import io.streamtee.testing.NetNs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every HTTP port of every command, reached from a real non-loopback peer (issue 16): the commands run in one network
 * namespace listening on its 10.x address with a token, curl runs in another; a request without the token, or with a
 * wrong one, is 401 on each port, the right token is served. Skipped when network namespaces cannot be made.
 *
 * <p>The ports are fixed: they exist only inside the namespace this test made, where nothing else can hold them.
 */
class OffLoopbackTokenTest {
    private static final String TOKEN = "off-loopback-token-0123456789";
    private static NetNs ns;
    /** command -> an API path that needs the token. */
    private static final Map<String, String> PORTS = new LinkedHashMap<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        ns = NetNs.create();
        assumeTrue(ns != null, NetNs.refusal());
        String at = ns.serverAddress();
        Files.writeString(dir.resolve("serve.yml"), """
                web:
                  listen: %s:8086
                  token: %s
                cameras:
                  door:
                    input: udp://127.0.0.1:9106
                    record:
                      dir: %s
                """.formatted(at, TOKEN, dir.resolve("serve-rec")));
        Files.createDirectories(dir.resolve("rec"));
        launch("relay", "/api/routes", "relay", "--listen", "udp://127.0.0.1:9101", "--to", "127.0.0.1:9199",
                "--api", at + ":8081", "--api-token", TOKEN);
        launch("playback", "/api/cameras", "playback", "--dir", dir.resolve("rec").toString(), "--http", at + ":8082");
        launch("record", "/api/cameras", "record", "--listen", "udp://127.0.0.1:9103", "--dir",
                dir.resolve("rec2").toString(), "--http", at + ":8083");
        launch("analyze", "/api/events", "analyze", "--listen", "udp://127.0.0.1:9104", "--http", at + ":8084");
        launch("view", "/metrics", "view", "--listen", "udp://127.0.0.1:9105", "--http", at + ":8085");
        launch("serve", "/api/cameras", "serve", "--config", dir.resolve("serve.yml").toString());
    }

    private static final Map<String, Integer> PORT_OF = Map.of("relay", 8081, "playback", 8082, "record", 8083,
            "analyze", 8084, "view", 8085, "serve", 8086);

    private static void launch(String name, String path, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "-C", dir.toString(), "STREAMTEE_API_TOKEN=" + TOKEN,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.streamtee.app.Main"));
        cmd.addAll(List.of(args));
        Process p = ns.start(ns.server(), cmd.toArray(String[]::new));
        Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(System.out); // the command's log, shown with the test's output
            } catch (IOException ended) {
                // stopped
            }
        });
        PORTS.put(name, path);
    }

    @AfterAll
    static void stop() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void everyHttpPortRefusesAMissingOrWrongTokenFromOffLoopback() throws Exception {
        int refused = 0;
        for (Map.Entry<String, String> e : PORTS.entrySet()) {
            String url = "http://" + ns.serverAddress() + ":" + PORT_OF.get(e.getKey()) + e.getValue();
            await(e.getKey() + " listening").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> !status(url, "-H", "Authorization: Bearer " + TOKEN).equals("000"));
            assertThat(status(url)).as("%s without a token", e.getKey()).isEqualTo("401");
            assertThat(status(url, "-H", "Authorization: Bearer wrong-" + TOKEN)).as("%s, wrong token", e.getKey())
                    .isEqualTo("401");
            assertThat(status(url + "?token=wrong")).as("%s, wrong ?token=", e.getKey()).isEqualTo("401");
            refused += 3;
            assertThat(status(url, "-H", "Authorization: Bearer " + TOKEN)).as("%s, the token", e.getKey())
                    .isEqualTo("200");
        }
        // the viewer shows its refusals in /metrics: the three above
        String metrics = ns.run(ns.client(), "curl", "-s", "--max-time", "10", "-H", "Authorization: Bearer " + TOKEN,
                "http://" + ns.serverAddress() + ":8085/metrics").out();
        assertThat(metrics).containsPattern("(?m)^streamtee_http_unauthorized_total 3(\\.0)?$");
        Figures.of("hostile.token-off-loopback-ports").put("ports", PORTS.size()).put("requests_refused", refused)
                .put("view_unauthorized_counted", counted(metrics))
                .record(OffLoopbackTokenTest.class, "everyHttpPortRefusesAMissingOrWrongTokenFromOffLoopback");
    }

    private static long counted(String metrics) {
        Matcher m = Pattern
                .compile("(?m)^streamtee_http_unauthorized_total (\\d+)").matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String status(String url, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "--max-time", "10"));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        return ns.run(ns.client(), cmd.toArray(String[]::new)).out().strip();
    }
}
