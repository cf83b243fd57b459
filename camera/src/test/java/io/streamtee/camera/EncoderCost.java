package io.streamtee.camera;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;

/** Not a test: {@code java -cp ... io.streamtee.camera.EncoderCost 1280 720 30 20} measures real-time cost. */
public final class EncoderCost {
    public static void main(String[] args) throws Exception {
        int w = Integer.parseInt(args[0]);
        int h = Integer.parseInt(args[1]);
        int fps = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        var pattern = CameraConfig.Pattern.DEFAULT.withSize(w, h).withFps(fps);
        long[] bytes = new long[1];
        var os = ManagementFactory.getOperatingSystemMXBean();
        com.sun.management.OperatingSystemMXBean sun = (com.sun.management.OperatingSystemMXBean) os;
        try (PatternEncoder enc = new PatternEncoder(pattern, (b, o, l) -> bytes[0] += l)) {
            long cpu0 = sun.getProcessCpuTime();
            long t0 = System.nanoTime();
            long frameNanos = 1_000_000_000L / fps;
            for (int i = 0; i < fps * seconds; i++) {
                long due = t0 + i * frameNanos;
                while (System.nanoTime() < due) {
                    java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                }
                enc.encode(Instant.now());
            }
            enc.finish();
            long wall = System.nanoTime() - t0;
            long cpu = sun.getProcessCpuTime() - cpu0;
            System.out.printf("%dx%d@%d %ds: cpu %.1f%% of one core, %.2f Mbit/s%n", w, h, fps, seconds,
                    100.0 * cpu / wall, bytes[0] * 8.0 / seconds / 1e6);
        }
    }
}
