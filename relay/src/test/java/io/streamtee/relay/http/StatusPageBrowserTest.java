package io.streamtee.relay.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.testing.Browser;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The status page in headless Chromium ({@code src/test/browser/status-page.mjs}, playwright-core) while a stream
 * flows: it lists the outputs, each destination once (one given as a bare host:port), and plots a non-zero bit rate. Leaves {@code target/status-page.png}. Skipped without
 * node, npm or /usr/bin/chromium.
 */
@Timeout(120)
class StatusPageBrowserTest {
    private static final Path BROWSER_DIR = Path.of("src/test/browser");
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
        Browser.assumeReady(BROWSER_DIR);
        UdpReceiver recorder = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver analyzer = use(UdpReceiver.open("127.0.0.1"));
        Map<String, RouteConfig> routes = new LinkedHashMap<>();
        routes.put("frontdoor", RouteConfig.of("udp://127.0.0.1:0", List.of(), List.of(recorder.url(),
                "127.0.0.1:" + analyzer.port()))); // a bare host:port, as the README writes outputs
        Relay relay = use(new Relay(ConfigLoader.check(new RelayConfig(routes, "0", null))).start());
        ControlServer api = use(new ControlServer(relay, "127.0.0.1", 0, null).start());
        Route route = relay.route("frontdoor");
        use(new StreamReader(URI.create("http://127.0.0.1:" + api.port() + "/streams/frontdoor")));
        await().until(() -> route.outputs().size() == 3);
        Thread sender = Thread.ofVirtual().start(() -> camera(route));
        closeables.add(() -> sender.join(5000));

        Path shot = Path.of("target/status-page.png").toAbsolutePath();
        Browser.Run page = Browser.run(List.of("node", BROWSER_DIR.resolve("status-page.mjs").toString(),
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
}
