package io.streamtee.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamtee.testing.Figures;
import io.streamtee.testing.NetNs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token rule with a real non-loopback peer (issue 16): the server runs in one network namespace on a 10.x
 * address, curl in another; a request without the token or with a wrong one is refused with 401 and counted, the
 * right one is served. Skipped when network namespaces cannot be made (not root).
 */
class WebServerOffLoopbackTest {
    private static final String TOKEN = "off-loopback-token-0123456789";
    private static NetNs ns;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        ns = NetNs.create();
        assumeTrue(ns != null, NetNs.refusal());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process server = ns.start(ns.server(), java, "-cp", System.getProperty("java.class.path"),
                OffLoopbackServer.class.getName(), ns.serverAddress(), TOKEN);
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String port = null;
        for (String line; port == null && (line = out.readLine()) != null; ) { // ends when the server dies
            if (line.startsWith("port ")) {
                port = line.substring(5).strip();
            }
        }
        assertThat(port).as("the server in %s printed its port", ns.server()).isNotNull();
        base = "http://" + ns.serverAddress() + ":" + port;
        Thread.ofVirtual().start(() -> drain(out));
    }

    @AfterAll
    static void stop() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void withoutOrWithAWrongTokenAnOffLoopbackRequestIs401AndCounted() throws Exception {
        List<String> refused = new ArrayList<>();
        for (List<String> args : List.of(
                List.of(base + "/api/ok"),
                List.of("-H", "Authorization: Bearer wrong", base + "/api/ok"),
                List.of("-H", "Authorization: Bearer " + TOKEN + "x", base + "/api/ok"),
                List.of("-H", "Authorization: Basic " + TOKEN, base + "/api/ok"),
                List.of(base + "/media/x"),
                List.of(base + "/media/x?token=wrong"),
                List.of(base + "/api/ok?token=" + TOKEN), // the API does not take ?token=
                List.of("-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                        "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", base + "/media/ws"))) {
            assertThat(status(args)).as("%s", args).isEqualTo("401");
            refused.add(String.join(" ", args));
        }
        assertThat(status(List.of("-H", "Authorization: Bearer " + TOKEN, base + "/api/ok"))).isEqualTo("200");
        assertThat(status(List.of(base + "/media/x?token=" + TOKEN))).isEqualTo("200");
        assertThat(status(List.of(base + "/"))).isEqualTo("200"); // the open page
        NetNs.Run count = ns.run(ns.client(), "curl", "-s", "--max-time", "10", "-H", "Authorization: Bearer " + TOKEN,
                base + "/api/unauthorized");
        assertThat(count.out()).isEqualTo("{\"unauthorized\":" + refused.size() + "}");
        Figures.of("hostile.token-off-loopback").put("port", "core WebServer").put("requests_refused", refused.size())
                .put("unauthorized_counted", refused.size()).put("client", ns.clientAddress())
                .record(WebServerOffLoopbackTest.class, "withoutOrWithAWrongTokenAnOffLoopbackRequestIs401AndCounted");
    }

    private static String status(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "--max-time", "10"));
        cmd.addAll(args);
        return ns.run(ns.client(), cmd.toArray(String[]::new)).out().strip();
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // the server's log, read so it never blocks on a full pipe
            }
        } catch (IOException ended) {
            // the server was stopped
        }
    }
}
