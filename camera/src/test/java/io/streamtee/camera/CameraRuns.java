package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.UdpReceiver;
import java.time.Duration;

/** A camera run to its end into a loopback capture: the opening of the loopback camera tests. */
final class CameraRuns {

    private CameraRuns() {
    }

    /**
     * Runs the camera of {@code config} until it is done (30 s at most), checks that it did not fail, and waits (10 s
     * at most) until {@code capture} holds every datagram it sent; returns its stats.
     */
    static CameraStats runToEnd(CameraConfig config, UdpReceiver capture) throws Exception {
        try (Camera camera = new Camera(config).start()) {
            return runToEnd(config, capture, camera);
        }
    }

    /** Like {@link #runToEnd(CameraConfig, UdpReceiver)}, for a camera of {@code config} the caller started. */
    static CameraStats runToEnd(CameraConfig config, UdpReceiver capture, Camera camera) throws Exception {
        assertThat(camera.awaitDone(Duration.ofSeconds(30))).isTrue();
        assertThat(camera.failure()).isNull();
        CameraStats stats = camera.stats();
        await().atMost(Duration.ofSeconds(10)).until(() -> capture.count() == stats.datagramsSent());
        return stats;
    }
}
