package io.streamtee.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.ConfigLoader;
import io.streamtee.config.RelayConfig;
import io.streamtee.config.RouteConfig;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.testing.UdpReceiver;
import io.streamtee.relay.testing.UdpSender;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The status page in headless Chromium ({@code src/test/browser/status-page.mjs}, playwright-core) while a stream
 * flows: it lists the outputs and plots a non-zero bit rate. Leaves {@code target/status-page.png}. Skipped without
 * node, npm or /usr/bin/chromium.
 */
@Timeout(120)
class StatusPageBrowserTest {
    private static final Path BROWSER_DIR = Path.of("src/test/browser");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private volatile boolean sending = true;

    @AfterEach
    void closeAll() throws Exception {
        sending = false;
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T use(T t) {
        closeables.add(t);
        return t;
    }

    @Test
    void statusPageListsTheOutputsAndPlotsTheirLiveBitRate() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no /usr/bin/chromium (Debian package chromium)");
        Assumptions.assumeTrue(onPath("node") && onPath("npm"), "node and npm are needed");
        String node = run(List.of("node", "--version"), Path.of("."), 30).output().strip();
        Assumptions.assumeTrue(node.matches("v(2\\d|[3-9]\\d)\\..*"), "playwright-core needs node >= 20, not " + node);
        if (!Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core"))) {
            Run npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), BROWSER_DIR, 300);
            assertThat(npm.exit()).as("npm ci said:%n%s", npm.output()).isZero();
        }
        UdpReceiver recorder = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver analyzer = use(UdpReceiver.open("127.0.0.1"));
        Map<String, RouteConfig> routes = new LinkedHashMap<>();
        routes.put("frontdoor", RouteConfig.of("udp://127.0.0.1:0", List.of(), List.of(recorder.url(), analyzer.url())));
        Relay relay = use(new Relay(ConfigLoader.check(new RelayConfig(routes, "0", null))).start());
        ControlServer api = use(new ControlServer(relay, "127.0.0.1", 0, null).start());
        Route route = relay.route("frontdoor");
        use(new StreamReader(URI.create("http://127.0.0.1:" + api.port() + "/streams/frontdoor")));
        await().until(() -> route.outputs().size() == 3);
        Thread sender = Thread.ofVirtual().start(() -> camera(route));
        closeables.add(() -> sender.join(5000));

        Path shot = Path.of("target/status-page.png").toAbsolutePath();
        Run page = run(List.of("node", BROWSER_DIR.resolve("status-page.mjs").toString(),
                "http://127.0.0.1:" + api.port() + "/", shot.toString(), "3", "6"), Path.of("."), 90);

        assertThat(page.exit()).as("status-page.mjs said:%n%s", page.output()).isZero();
        assertThat(shot).isNotEmptyFile();
    }

    /** About 3 Mbit/s in 1,316-byte datagrams, with a slow swell so the plots have a shape. */
    private void camera(Route route) {
        byte[] d = new byte[1316];
        try (UdpSender s = UdpSender.to(route.localAddress())) {
            long start = System.nanoTime();
            while (sending) {
                double t = (System.nanoTime() - start) / 1e9;
                int perTick = (int) Math.round(3 + 1.5 * Math.sin(t / 2) + (t % 7 < 1 ? 2 : 0));
                for (int i = 0; i < perTick; i++) {
                    s.send(d);
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private record Run(int exit, String output) {
    }

    /** Runs {@code command} in {@code dir} and waits for it. */
    private static Run run(List<String> command, Path dir, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + out);
        }
        return new Run(p.exitValue(), out);
    }
}
