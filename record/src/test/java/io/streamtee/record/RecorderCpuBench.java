package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.UdpSender;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder's CPU per 8 Mbit/s stream: a synthetic 8 Mbit/s stream sent in real time for 10 s, the recorder
 * thread's CPU time measured with ThreadMXBean. Not part of the suite: {@code -Dstreamtee.bench=true}.
 */
@EnabledIfSystemProperty(named = "streamtee.bench", matches = "true")
class RecorderCpuBench {

    @TempDir
    Path dir;

    @Test
    void cpuPerEightMbitStream() throws Exception {
        double seconds = 10;
        TestStream stream = new TestStream().seconds(seconds).frameBytes(39_000);
        byte[] ts = stream.bytes();
        List<byte[]> datagrams = TestStream.datagrams(ts);
        double bitsPerSecond = ts.length * 8 / seconds;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Recorder recorder = new Recorder(Recordings.config(dir).withSegment(Duration.ofSeconds(10))).start();
                UdpSender sender = UdpSender.to(recorder.localAddress())) {
            long tid = recorder.thread().threadId();
            long cpu0 = mx.getThreadCpuTime(tid);
            long start = System.nanoTime();
            long nanosPerDatagram = (long) (seconds * 1e9 / datagrams.size());
            for (int i = 0; i < datagrams.size(); i++) {
                long due = start + i * nanosPerDatagram;
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
                sender.send(datagrams.get(i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().datagrams() == datagrams.size());
            long wall = System.nanoTime() - start;
            long cpu = mx.getThreadCpuTime(tid) - cpu0;
            System.out.printf("recorder: %.1f Mbit/s for %.1f s: %d ms CPU = %.2f%% of one core (%.1f us/datagram)%n",
                    bitsPerSecond / 1e6, wall / 1e9, cpu / 1_000_000, 100.0 * cpu / wall,
                    cpu / 1000.0 / datagrams.size());
            assertThat(recorder.stats().continuityErrors()).isZero();
        }
    }

    @Test
    void cpuWhileARealCameraSendsEightMbit() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Recorder recorder = new Recorder(Recordings.config(dir).withCamera("real")).start()) {
            io.streamtee.camera.CameraConfig config = io.streamtee.camera.CameraConfig.pattern(
                            io.streamtee.camera.Destination.of(recorder.localAddress()))
                    .withSource(io.streamtee.camera.CameraConfig.Pattern.DEFAULT.withBitrate(8_000_000))
                    .withDuration(Duration.ofSeconds(10));
            long tid = recorder.thread().threadId();
            long cpu0 = mx.getThreadCpuTime(tid);
            long start = System.nanoTime();
            io.streamtee.camera.CameraStats sent;
            try (io.streamtee.camera.Camera camera = new io.streamtee.camera.Camera(config).start()) {
                assertThat(camera.awaitDone(Duration.ofSeconds(60))).isTrue();
                sent = camera.stats();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().datagrams() == sent.datagramsSent());
            long wall = System.nanoTime() - start;
            long cpu = mx.getThreadCpuTime(tid) - cpu0;
            System.out.printf("recorder, real camera: %.1f Mbit/s for %.1f s: %d ms CPU = %.2f%% of one core "
                            + "(%.1f us/datagram)%n", sent.bytesSent() * 8 / (wall / 1e9) / 1e6, wall / 1e9,
                    cpu / 1_000_000, 100.0 * cpu / wall, cpu / 1000.0 / sent.datagramsSent());
        }
    }
}
