package io.streamtee.view;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.config.Endpoint;
import io.streamtee.media.VideoCodec;
import io.streamtee.media.VideoDecoder;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;

/**
 * What a snapshot costs, the two ways it could be made: on request (decode the cached GOP, as {@link Snapshots}
 * does) or with a decoder kept warm (every frame decoded as it comes). Runs the camera simulator at 1280x720, 30 fps,
 * a keyframe every 4 s, 4 Mbit/s into a {@link LiveInput} for about 25 s, then prints both figures. Not a unit test:
 * run it by hand, on a quiet machine for figures to quote.
 *
 * <pre>java -cp ... io.streamtee.view.SnapshotCost</pre>
 */
public final class SnapshotCost {
    private static final int FPS = 30;
    private static final int GOP = 4 * FPS;

    private SnapshotCost() {
    }

    public static void main(String[] args) throws Exception {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                Snapshots snapshots = new Snapshots("cost", hub)) {
            CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(1280, 720).withFps(FPS).withGop(GOP)
                            .withBitrate(4_000_000).withNoise(4))
                    .withDuration(Duration.ofSeconds(30));
            try (Camera camera = new Camera(config).start()) {
                for (int round = 0; round < 3; round++) {
                    waitFor(() -> hub.cachedFrames() >= GOP - 6); // near the end of a GOP: the most to decode
                    int frames = hub.cachedFrames();
                    long start = System.nanoTime();
                    byte[] jpeg = snapshots.latest();
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    start = System.nanoTime();
                    snapshots.latest();
                    long again = (System.nanoTime() - start) / 1000;
                    System.out.printf("on request: a GOP of %d frames decoded and the newest encoded in %d ms"
                            + " (%d bytes of JPEG); asked again at once (the frames since, or none): %d us%n",
                            frames, ms, jpeg.length, again);
                    waitFor(() -> hub.cachedFrames() < 10);
                }
                // warm: decode every frame of the last full GOP in a row, as a warm decoder would over 4 s
                waitFor(() -> hub.cachedFrames() >= GOP - 1);
                List<Frame> gop = hub.cached();
                try (VideoDecoder decoder = new VideoDecoder()) {
                    long t0 = cpu.getCurrentThreadCpuTime();
                    for (Frame f : gop) {
                        byte[] b = f.message();
                        decoder.decode(VideoCodec.ofStreamType(Pmt.STREAM_TYPE_H264), b, Frame.HEADER,
                                b.length - Frame.HEADER, f.pts(), Timestamps.NONE, f.keyframe(), x -> { });
                    }
                    double perFrame = (cpu.getCurrentThreadCpuTime() - t0) / 1e6 / gop.size();
                    System.out.printf("warm: %.2f ms of CPU per frame: %.0f%% of a core at %d fps, all the time,"
                            + " per camera%n", perFrame, perFrame * FPS / 10, FPS);
                }
            }
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(5);
        }
    }
}
