package io.streamtee.camera;

import io.streamtee.testing.UdpReceiver;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Not a test: measures a real pattern camera. Run from camera/ after {@code mvn test-compile}:
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(deps) \
 *     io.streamtee.camera.CameraCost 1280x720 30 4M 20
 * </pre>
 * Prints the CPU time of the camera's own threads (paint + encode + mux, and pacing + send) and of the whole
 * process (which also receives and keeps every datagram), as a share of one core; then the received rate against
 * the stream's PCR rate, and the most bytes received in any one-frame window against the largest frame.
 */
public final class CameraCost {

    public static void main(String[] args) throws Exception {
        int[] size = CameraCommand.parseSize(args.length > 0 ? args[0] : "1280x720");
        int fps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        long bitrate = io.streamtee.config.Units.bitrate("bitrate", args.length > 2 ? args[2] : "4M");
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (UdpReceiver capture = UdpReceiver.open("127.0.0.1")) {
            CameraConfig config = CameraConfig.pattern(Destination.of(
                            new InetSocketAddress("127.0.0.1", capture.port())))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(size[0], size[1]).withFps(fps)
                            .withBitrate(bitrate));
            long cameraCpu;
            long processCpu;
            long wall;
            CameraStats stats;
            try (Camera camera = new Camera(config).start()) {
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                camera.awaitDone(Duration.ofSeconds(seconds));
                cameraCpu = 0;
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.getName().startsWith("camera-")) {
                        cameraCpu += threads.getThreadCpuTime(t.threadId());
                    }
                }
                processCpu = os.getProcessCpuTime() - cpu0;
                wall = System.nanoTime() - t0;
                stats = camera.stats();
            }
            System.out.printf("%dx%d@%d %s for %d s: camera threads %.1f%% of one core, whole process %.1f%%;"
                            + " %d frames, %.2f Mbit/s sent%n",
                    size[0], size[1], fps, args.length > 2 ? args[2] : "4M", seconds, 100.0 * cameraCpu / wall,
                    100.0 * processCpu / wall, stats.framesEncoded(), stats.bytesSent() * 8e-6 / seconds);

            List<UdpReceiver.Datagram> datagrams = capture.timed();
            // Skip the first second (JIT warm-up of a fresh JVM) for the rate figure.
            long warm = datagrams.getFirst().receivedNanos() + 1_000_000_000L;
            List<UdpReceiver.Datagram> steady = datagrams.stream().filter(d -> d.receivedNanos() >= warm).toList();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (UdpReceiver.Datagram d : steady) {
                all.write(d.bytes());
            }
            byte[] ts = all.toByteArray();
            double arrival = TsAssertions.slopeBytesPerSecond(steady, 0);
            double stream = TsAssertions.pcrBytesPerSecond(ts);
            long frameNanos = 1_000_000_000L / fps;
            long worst = 0;
            long inWindow = 0;
            int end = 0;
            for (int start = 0; start < steady.size(); start++) {
                while (end < steady.size()
                        && steady.get(end).receivedNanos() - steady.get(start).receivedNanos() < frameNanos) {
                    inWindow += steady.get(end++).bytes().length;
                }
                worst = Math.max(worst, inWindow);
                inWindow -= steady.get(start).bytes().length;
            }
            long largestFrame = TsAssertions.largestFrameBytes(ts);
            System.out.printf("received rate / stream PCR rate = %.4f (%.0f vs %.0f B/s) over %.1f s;"
                            + " most bytes in any %d ms arrival window %d, largest frame %d%n",
                    arrival / stream, arrival, stream,
                    (steady.getLast().receivedNanos() - steady.getFirst().receivedNanos()) / 1e9,
                    frameNanos / 1_000_000, worst, largestFrame);
        }
    }
}
