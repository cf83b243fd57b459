package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.testing.Figures;
import io.streamtee.testing.JvmCounts;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
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
    /** Five seconds of a simulated camera's H.264 in MPEG-TS, as it sent it: real datagrams the services take. */
    private static List<byte[]> stream;

    @BeforeAll
    static void captureACamera() throws Exception {
        try (UdpReceiver tap = UdpReceiver.open("127.0.0.1");
                Camera camera = new Camera(CameraConfig.pattern(Destination.of(tap.address()))
                        .withSource(new CameraConfig.Pattern(320, 240, 25, 800_000, 25, Duration.ofSeconds(2),
                                Duration.ofSeconds(1), 2))
                        .withDuration(Duration.ofSeconds(5)))) {
            camera.start();
            assertThat(camera.awaitDone(Duration.ofSeconds(30))).isTrue();
            camera.finish(Duration.ofSeconds(3));
            long sent = camera.stats().datagramsSent();
            await().atMost(Duration.ofSeconds(5)).until(() -> tap.count() >= sent);
            stream = tap.datagrams();
        }
    }

    @TempDir
    Path tmp;

    private String config(int extraPort, String others) {
        return """
                data: %s
                cameras:
                  steady:
                    input: udp://127.0.0.1:0
                    record: { segment: 1s }
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
            List<byte[]> sent = stream;
            int count = sent.size();
            CountDownLatch halfway = new CountDownLatch(1);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try (UdpSender sender = UdpSender.to(new InetSocketAddress("127.0.0.1", in.getPort()))) {
                    sender.sendPaced(sent.subList(0, count / 2), 16, extra::count);
                    halfway.countDown();
                    sender.sendPaced(sent.subList(count / 2, count), 16, () -> extra.count() - count / 2);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(halfway.await(20, TimeUnit.SECONDS)).isTrue();
            // the second half flows while the file changes under it: one camera out, one in, steady's settings same
            String summary = serve.reload(ServeYaml.parse("t.yml", config(extra.port(), COMING), k -> null));
            assertThat(summary).contains("camera coming added", "camera leaving removed").doesNotContain("steady");
            sending.get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10)).until(() -> extra.count() >= count);
            List<byte[]> got = extra.datagrams();
            assertThat(got).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(got.get(i)).as("datagram %d", i).isEqualTo(sent.get(i));
            }
            // each service took every datagram as MPEG-TS (a datagram it refused would not count as accepted)
            CameraServices steady = serve.camera("steady");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(steady.recorder().inputStats().accepted()).as("recorder").isEqualTo(count);
                assertThat(steady.analyzer().inputStats().accepted()).as("analyzer").isEqualTo(count);
                assertThat(steady.feed().receiver().accepted()).as("viewer").isEqualTo(count);
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
            List<byte[]> sent = stream;
            int count = sent.size();
            try (UdpSender sender = UdpSender.to(new InetSocketAddress("127.0.0.1", in.getPort()))) {
                sender.sendPaced(sent.subList(0, count / 2), 16, extra::count);
                String changed = config(extra.port(), "").replace("record: { segment: 1s }", "record: { segment: 2s }");
                assertThat(serve.reload(ServeYaml.parse("t.yml", changed, k -> null)))
                        .isEqualTo("camera steady: record restarted");
                sender.sendPaced(sent.subList(count / 2, count), 16, () -> extra.count() - count / 2);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> extra.count() >= count);
            assertThat(extra.datagrams()).hasSize(count);
            assertThat(steady.recorder()).isNotSameAs(recorder);
            assertThat(steady.recorder().config().segment()).isEqualTo(Duration.ofSeconds(2));
            assertThat(steady.feed()).as("the viewer kept running").isSameAs(viewer);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(viewer.receiver().accepted()).isEqualTo(count));
            // the new recorder has every datagram from the reload on
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(steady.recorder().inputStats().datagrams()).isEqualTo(count - count / 2));
        }
    }

    @Test
    @Timeout(180) // the storm is 10 s; a loaded machine makes each reload and the checks after slower
    void aStormOfAHundredReloadsInTenSecondsCostsTheSteadyCameraNothingAndLeaksNothing() throws Exception {
        assumeTrue(JvmCounts.canCountFds(),
                "no /proc/self/fd to count open files in");
        try (UdpReceiver extra = UdpReceiver.open("127.0.0.1"); UdpReceiver other = UdpReceiver.open("127.0.0.1");
                Serve serve = new Serve(ServeYaml.parse("t.yml", config(extra.port(), LEAVING), k -> null))
                        .start(null)) {
            // even: a camera (viewer only) added, one (recorder) removed, an output added to the steady camera;
            // odd: all back. The steady camera's services and its first output stay through it all.
            IntFunction<ServeConfig> config = n -> ServeYaml.parse("t.yml", n % 2 == 0
                    ? config(extra.port(), COMING).replace("outputs: [udp://127.0.0.1:" + extra.port() + "]",
                            "outputs: [udp://127.0.0.1:" + extra.port() + ", " + other.url() + "]")
                    : config(extra.port(), LEAVING), k -> null);
            serve.reload(config.apply(0)); // one round first: what starts lazily is there when counting
            serve.reload(config.apply(1));
            CameraServices steady = serve.camera("steady");
            var recorder = steady.recorder();
            var analyzer = steady.analyzer();
            var viewer = steady.feed();
            // and what this test starts lazily itself: the pool the stream is sent from, Awaitility's classes
            CompletableFuture.runAsync(() -> { }).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> serve.route("steady") != null);
            long fdsBefore = JvmCounts.fds();
            int threadsBefore = JvmCounts.threads();

            InetSocketAddress in = serve.route("steady").localAddress();
            List<byte[]> sent = stream;
            int count = sent.size();
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try (UdpSender sender = UdpSender.to(new InetSocketAddress("127.0.0.1", in.getPort()))) {
                    int step = Math.max(1, count / 100); // the camera's 5 s spread over the storm's 10 s
                    for (int i = 0; i < count; i += step) {
                        int from = i;
                        sender.sendPaced(sent.subList(i, Math.min(count, i + step)), 16, () -> extra.count() - from);
                        LockSupport.parkNanos(95_000_000);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            int reloads = 0;
            for (; reloads < 100; reloads++) {
                serve.reload(config.apply(reloads));
                long due = start + (reloads + 1) * 95_000_000L; // 100 in 9.5 s
                LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
            }
            long stormMs = (System.nanoTime() - start) / 1_000_000;
            sending.get(60, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10)).until(() -> extra.count() >= count);
            List<byte[]> got = extra.datagrams();
            assertThat(got).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(got.get(i)).as("datagram %d", i).isEqualTo(sent.get(i));
            }
            assertThat(steady.recorder()).isSameAs(recorder);
            assertThat(steady.analyzer()).isSameAs(analyzer);
            assertThat(steady.feed()).isSameAs(viewer);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(recorder.inputStats().accepted()).as("recorder").isEqualTo(count);
                assertThat(analyzer.inputStats().accepted()).as("analyzer").isEqualTo(count);
                assertThat(viewer.receiver().accepted()).as("viewer").isEqualTo(count);
            });
            assertThat(serve.cameras()).extracting(CameraServices::name).containsExactly("steady", "leaving");
            // 50 cameras came and 50 went, with their sockets, files and threads: all given back (a small margin)
            await().atMost(Duration.ofSeconds(20)).pollInSameThread() // no poll thread of its own to count
                    .until(() -> JvmCounts.fds() <= fdsBefore + 4 && JvmCounts.threads() <= threadsBefore + 4);
            long lostKept = 4L * count - extra.count() - recorder.inputStats().accepted()
                    - analyzer.inputStats().accepted() - viewer.receiver().accepted();
            Figures.of("fault.serve.reload-storm").put("reloads", reloads).put("storm_ms", stormMs)
                    .put("datagrams", count).put("lost_kept_outputs", lostKept)
                    .put("fds_before", fdsBefore).put("fds_after", JvmCounts.fds())
                    .put("threads_before", threadsBefore).put("threads_after", JvmCounts.threads())
                    .record(getClass(),
                            "aStormOfAHundredReloadsInTenSecondsCostsTheSteadyCameraNothingAndLeaksNothing");
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

    private static int freePort() throws Exception {
        try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0)); // a port the OS says is free
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    @Test
    void aCameraRenamedTakesOverItsPort() throws Exception {
        int port = freePort();
        String front = "data: " + tmp.resolve("data") + "\ncameras:\n  front: { input: udp://127.0.0.1:" + port
                + ", analyze: false }\n";
        try (Serve serve = new Serve(ServeYaml.parse("t.yml", front, k -> null)).start(null)) {
            String summary = serve.reload(ServeYaml.parse("t.yml", front.replace("front:", "porch:"), k -> null));
            assertThat(summary).isEqualTo("camera front removed; camera porch added");
            assertThat(serve.cameras()).extracting(CameraServices::name).containsExactly("porch");
            assertThat(serve.route("porch").localAddress().getPort()).isEqualTo(port);
            assertThat(serve.config().cameras().keySet()).containsExactly("porch");
        }
    }

    @Test
    void aChangedCameraWhoseNewInputIsTakenKeepsItsOldOneAndTheRestIsApplied() throws Exception {
        int own = freePort();
        String first = config(9, LEAVING).replaceFirst("udp://127.0.0.1:0", "udp://127.0.0.1:" + own);
        try (java.nio.channels.DatagramChannel taken = java.nio.channels.DatagramChannel.open()
                        .bind(new InetSocketAddress("127.0.0.1", 0));
                Serve serve = new Serve(ServeYaml.parse("t.yml", first, k -> null)).start(null)) {
            int busy = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            InetSocketAddress leavingRecorder = serve.camera("leaving").recorder().localAddress();
            String moved = config(9, COMING).replaceFirst("udp://127.0.0.1:0", "udp://127.0.0.1:" + busy);
            String summary = serve.reload(ServeYaml.parse("t.yml", moved, k -> null));
            assertThat(summary).contains("camera leaving removed", "camera coming added",
                    "camera steady keeps its input udp://127.0.0.1:" + own);
            assertThat(serve.route("steady").localAddress().getPort()).isEqualTo(own);
            assertThat(serve.camera("steady").config().route().input().url()).isEqualTo("udp://127.0.0.1:" + own);
            assertThat(serve.relay().routes()).extracting(r -> r.name()).containsExactlyInAnyOrder("steady", "coming");
            assertThat(serve.config().cameras().keySet()).containsExactly("steady", "coming");
            try (java.nio.channels.DatagramChannel again = java.nio.channels.DatagramChannel.open()) {
                again.bind(leavingRecorder); // the removed camera's recorder let its port go
            }
        }
    }

    @Test
    void aServiceThatCannotRestartIsOffInTheConfigAndTheNextReloadTriesAgain() throws Exception {
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        String one = config(9, "");
        try (Serve serve = new Serve(ServeYaml.parse("t.yml", one, k -> null), c -> {
            if (made.incrementAndGet() == 2) {
                throw new IllegalStateException("cameras.steady.record: the disk is gone");
            }
            return new io.streamtee.record.Recorder(c);
        }).start(null)) {
            String two = one.replace("record: { segment: 1s }", "record: { segment: 2s }");
            assertThat(serve.reload(ServeYaml.parse("t.yml", two, k -> null)))
                    .isEqualTo("camera steady: cameras.steady.record: the disk is gone");
            assertThat(serve.camera("steady").recorder()).isNull();
            assertThat(serve.config().cameras().get("steady").record()).as("what runs").isNull();
            assertThat(serve.camera("steady").feed()).as("the viewer runs on").isNotNull();
            assertThat(serve.reload(ServeYaml.parse("t.yml", two, k -> null)))
                    .isEqualTo("camera steady: record started");
            assertThat(serve.camera("steady").recorder().config().segment()).isEqualTo(Duration.ofSeconds(2));
        }
    }
}
