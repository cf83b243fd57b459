package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.UdpReceiver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loss and jitter injection. */
class FaultsTest {

    private static final long TICK = 1_000_000L;

    @TempDir
    Path dir;

    /** Emits {@code n} numbered datagrams due 1 ms apart through an emitter with these faults. */
    private static List<RecordingSink.Sent> emit(CameraConfig.Faults faults, int n, Emitter.Counters counters) {
        VirtualClock clock = new VirtualClock();
        RecordingSink sink = new RecordingSink(clock);
        Emitter emitter = new Emitter(sink, clock, faults, counters);
        long start = clock.nanoTime();
        byte[] datagram = new byte[1316];
        for (int i = 0; i < n; i++) {
            ByteBuffer.wrap(datagram).putInt(0, i);
            emitter.emit(start + i * TICK, datagram, datagram.length, i);
        }
        emitter.flush();
        return sink.sent;
    }

    private static int number(RecordingSink.Sent s) {
        return ByteBuffer.wrap(s.bytes()).getInt(0);
    }

    @Test
    void dropsTheRequestedFraction() {
        Emitter.Counters counters = new Emitter.Counters();
        List<RecordingSink.Sent> sent = emit(new CameraConfig.Faults(0.1, Duration.ZERO, false, 7), 20_000, counters);
        assertThat(counters.dropped.get()).isBetween(1_800L, 2_200L);
        assertThat(sent.size() + counters.dropped.get()).isEqualTo(20_000);
        for (int i = 1; i < sent.size(); i++) {
            assertThat(number(sent.get(i))).isGreaterThan(number(sent.get(i - 1)));
        }
    }

    @Test
    void jitterDelaysWithinTheBoundAndKeepsOrder() {
        long start = new VirtualClock().nanoTime();
        List<RecordingSink.Sent> sent =
                emit(new CameraConfig.Faults(0, Duration.ofMillis(20), false, 7), 5_000, new Emitter.Counters());
        assertThat(sent).hasSize(5_000);
        long maxDelay = 0;
        for (int i = 0; i < sent.size(); i++) {
            assertThat(number(sent.get(i))).isEqualTo(i);
            long delay = sent.get(i).nanos() - (start + i * TICK);
            assertThat(delay).isBetween(0L, 20 * TICK);
            maxDelay = Math.max(maxDelay, delay);
        }
        assertThat(maxDelay).isGreaterThan(15 * TICK);
    }

    @Test
    void jitterWithReorderLetsDatagramsOvertake() {
        long start = new VirtualClock().nanoTime();
        List<RecordingSink.Sent> sent =
                emit(new CameraConfig.Faults(0, Duration.ofMillis(20), true, 7), 5_000, new Emitter.Counters());
        assertThat(sent).hasSize(5_000);
        int overtaken = 0;
        for (int i = 0; i < sent.size(); i++) {
            if (i > 0 && number(sent.get(i)) < number(sent.get(i - 1))) {
                overtaken++;
            }
            long delay = sent.get(i).nanos() - (start + number(sent.get(i)) * TICK);
            assertThat(delay).isBetween(0L, 20 * TICK);
        }
        assertThat(overtaken).isGreaterThan(100);
        assertThat(sent.stream().map(FaultsTest::number).sorted().distinct().count()).isEqualTo(5_000);
    }

    @Test
    void aCameraWithLossAndJitterStillSendsWholeDatagrams() throws Exception {
        Path clip = Clips.write(dir.resolve("clip.ts"), Clips.small(25), 25);
        try (UdpReceiver capture = UdpReceiver.open("127.0.0.1")) {
            CameraConfig config = CameraConfig.clip(clip, Destination.of(
                            new InetSocketAddress("127.0.0.1", capture.port())))
                    .withDuration(Duration.ofSeconds(2))
                    .withFaults(new CameraConfig.Faults(0.1, Duration.ofMillis(5), false, 3));
            CameraStats stats;
            try (Camera camera = new Camera(config).start()) {
                assertThat(camera.awaitDone(Duration.ofSeconds(30))).isTrue();
                stats = camera.stats();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> capture.count() == stats.datagramsSent());
            assertThat(stats.datagramsDropped()).isPositive();
            double lossRate = stats.datagramsDropped() / (double) (stats.datagramsDropped() + stats.datagramsSent());
            assertThat(lossRate).isBetween(0.02, 0.25);
            TsAssertions.assertDatagramsOfSevenPackets(capture.timed(), 0);
            StreamCheck check = StreamCheck.of(java.nio.file.Files.readAllBytes(capture.writeTo(
                    dir.resolve("cap.ts"), 0)));
            assertThat(check.errors).anyMatch(e -> e.startsWith("CONTINUITY_COUNT_ERROR"));
        }
    }
}
