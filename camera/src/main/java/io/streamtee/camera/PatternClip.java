package io.streamtee.camera;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The pattern camera's stream made as fast as the machine allows instead of in real time: the same script, painter,
 * encoder and muxer as a live {@link Camera} (so the same bytes a receiver would get, minus the pacing), for tests
 * that hold an analyzer against the {@link PatternScript}'s truth over minutes of video in seconds.
 *
 * <pre>{@code
 * byte[] ts = PatternClip.render(pattern, Duration.ofSeconds(60), Instant.parse("2026-11-30T12:00:00Z"));
 * }</pre>
 *
 * <p>Frame {@code n} carries the wall clock {@code start + n / fps} in its caption and the PTS
 * {@link PatternScript#pts(long)}.
 */
public final class PatternClip {

    private PatternClip() {
    }

    /**
     * Writes {@code round(duration * fps)} frames of {@code pattern} as MPEG-TS to {@code out}, the encoder's delayed
     * frames included.
     *
     * @return the number of frames written
     * @throws UncheckedIOException when {@code out} fails
     * @throws IllegalStateException when the H.264 encoder cannot be set up
     */
    public static long write(CameraConfig.Pattern pattern, Duration duration, Instant start, OutputStream out) {
        long total = PatternScript.frames(duration, pattern.fps());
        try (PatternEncoder encoder = new PatternEncoder(pattern, (bytes, offset, length) -> {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })) {
            for (long n = 0; n < total; n++) {
                encoder.encode(start.plusNanos(n * 1_000_000_000L / pattern.fps()));
            }
            encoder.finish();
            return encoder.frames();
        }
    }

    /** {@link #write} into memory. */
    public static byte[] render(CameraConfig.Pattern pattern, Duration duration, Instant start) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(pattern, duration, start, out);
        return out.toByteArray();
    }
}
