package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.Datagrams;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading {@code serve}'s config while a camera streams: cameras added and removed, services of another camera
 * changed, the streaming camera loses nothing, checked datagram by datagram on its extra output and counted at each
 * of its services.
 */
@Timeout(60)
class ServeReloadTest {
    private static final int COUNT = 3000;

    @TempDir
    Path tmp;

    private String config(int extraPort, String others) {
        return """
                data: %s
                cameras:
                  steady:
                    input: udp://127.0.0.1:0
                    record: { segment: 1s }
                    analyze: false
                    outputs: [udp://127.0.0.1:%d]
                %s""".formatted(tmp.resolve("data"), extraPort, others);
    }

    private static final String LEAVING = """
              leaving:
                input: udp://127.0.0.1:0
                analyze: false
            """;
    private static final String COMING = """
              coming:
                input: udp://127.0.0.1:0
                record: false
                analyze: false
            """;

    @Test
    void camerasAddedAndRemovedWhileAnotherStreamsAndItLosesNotOneDatagram() throws Exception {
        try (UdpReceiver extra = UdpReceiver.open("127.0.0.1");
                Serve serve = new Serve(ServeYaml.parse("t.yml", config(extra.port(), LEAVING), k -> null))
                        .start(null)) {
            assertThat(serve.cameras()).extracting(CameraServices::name).containsExactly("steady", "leaving");
            InetSocketAddress in = serve.route("steady").localAddress();
            List<byte[]> sent = Datagrams.fixed(COUNT, 1316, 12);
            CountDownLatch halfway = new CountDownLatch(1);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try (UdpSender sender = UdpSender.to(new InetSocketAddress("127.0.0.1", in.getPort()))) {
                    sender.sendPaced(sent.subList(0, COUNT / 2), 64, extra::count);
                    halfway.countDown();
                    sender.sendPaced(sent.subList(COUNT / 2, COUNT), 64, () -> extra.count() - COUNT / 2);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(halfway.await(20, TimeUnit.SECONDS)).isTrue();
            // the second half flows while the file changes under it: one camera out, one in, steady's settings same
            String summary = serve.reload(ServeYaml.parse("t.yml", config(extra.port(), COMING), k -> null));
            assertThat(summary).contains("camera coming added", "camera leaving removed").doesNotContain("steady");
            sending.get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10)).until(() -> extra.count() >= COUNT);
            List<byte[]> got = extra.datagrams();
            assertThat(got).hasSize(COUNT);
            for (int i = 0; i < COUNT; i++) {
                assertThat(got.get(i)).as("datagram %d", i).isEqualTo(sent.get(i));
            }
            CameraServices steady = serve.camera("steady");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(steady.recorder().inputStats().datagrams()).as("recorder").isEqualTo(COUNT);
                assertThat(steady.feed().receiver().datagrams()).as("viewer").isEqualTo(COUNT);
            });
            assertThat(serve.cameras()).extracting(CameraServices::name).containsExactly("steady", "coming");
            assertThat(serve.route("leaving")).isNull();
            assertThat(serve.route("coming")).isNotNull();
            assertThat(serve.camera("coming").feed()).isNotNull();
            assertThat(serve.camera("coming").recorder()).isNull();
        }
    }

    @Test
    void aChangedServiceRestartsAloneAndTheCamerasOtherCopiesLoseNothing() throws Exception {
        try (UdpReceiver extra = UdpReceiver.open("127.0.0.1");
                Serve serve = new Serve(ServeYaml.parse("t.yml", config(extra.port(), ""), k -> null)).start(null)) {
            CameraServices steady = serve.camera("steady");
            var viewer = steady.feed();
            var recorder = steady.recorder();
            InetSocketAddress in = serve.route("steady").localAddress();
            List<byte[]> sent = Datagrams.fixed(COUNT, 1316, 12);
            try (UdpSender sender = UdpSender.to(new InetSocketAddress("127.0.0.1", in.getPort()))) {
                sender.sendPaced(sent.subList(0, COUNT / 2), 64, extra::count);
                String changed = config(extra.port(), "").replace("record: { segment: 1s }", "record: { segment: 2s }");
                assertThat(serve.reload(ServeYaml.parse("t.yml", changed, k -> null)))
                        .isEqualTo("camera steady: record restarted");
                sender.sendPaced(sent.subList(COUNT / 2, COUNT), 64, () -> extra.count() - COUNT / 2);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> extra.count() >= COUNT);
            assertThat(extra.datagrams()).hasSize(COUNT);
            assertThat(steady.recorder()).isNotSameAs(recorder);
            assertThat(steady.recorder().config().segment()).isEqualTo(Duration.ofSeconds(2));
            assertThat(steady.feed()).as("the viewer kept running").isSameAs(viewer);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(viewer.receiver().datagrams()).isEqualTo(COUNT));
            // the new recorder has every datagram from the reload on
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(steady.recorder().inputStats().datagrams()).isEqualTo(COUNT / 2));
        }
    }

    @Test
    void aCameraWhoseInputIsTakenIsNotAddedAndTheOthersRunOn() throws Exception {
        try (java.nio.channels.DatagramChannel taken = java.nio.channels.DatagramChannel.open()
                        .bind(new InetSocketAddress("127.0.0.1", 0));
                Serve serve = new Serve(ServeYaml.parse("t.yml", config(9, LEAVING), k -> null)).start(null)) {
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            String next = config(9, COMING.replace("udp://127.0.0.1:0", "udp://127.0.0.1:" + port));
            String summary = serve.reload(ServeYaml.parse("t.yml", next, k -> null));
            assertThat(summary).contains("camera coming not added", "camera leaving removed");
            assertThat(serve.cameras()).extracting(CameraServices::name).containsExactly("steady");
            assertThat(serve.relay().routes()).extracting(r -> r.name()).containsExactly("steady");
            assertThat(serve.config().cameras().keySet()).containsExactly("steady");
        }
    }
}
