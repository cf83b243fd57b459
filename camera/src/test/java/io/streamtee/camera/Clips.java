package io.streamtee.camera;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** Test clips made by the pattern encoder itself, as fast as it can (not in real time). */
final class Clips {

    private Clips() {
    }

    static CameraConfig.Pattern small(int fps) {
        return CameraConfig.Pattern.DEFAULT.withSize(320, 240).withFps(fps).withBitrate(400_000).withNoise(2)
                .withVisitor(Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    /** {@code frames} frames of the pattern as MPEG-TS bytes. */
    static byte[] encode(CameraConfig.Pattern pattern, int frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PatternEncoder encoder = new PatternEncoder(pattern, out::write)) {
            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            for (int i = 0; i < frames; i++) {
                encoder.encode(t0.plusNanos(i * 1_000_000_000L / pattern.fps()));
            }
            encoder.finish();
        }
        return out.toByteArray();
    }

    static Path write(Path file, CameraConfig.Pattern pattern, int frames) throws IOException {
        return Files.write(file, encode(pattern, frames));
    }
}
