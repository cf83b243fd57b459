package io.streamtee.camera;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link Camera} needs, as data.
 *
 * @param to where datagrams go
 * @param source what is sent: a synthetic {@link Pattern} or a TS {@link Clip}
 * @param rtp wrap each 7-packet datagram in RTP (RFC 2250, payload type 33)
 * @param duration stop after this much stream time; {@link Duration#ZERO} runs until {@link Camera#close()}
 * @param faults loss and jitter to inject; {@link Faults#NONE} for a clean stream
 */
public record CameraConfig(Destination to, Source source, boolean rtp, Duration duration, Faults faults) {

    public CameraConfig {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(faults, "faults");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("seconds must be >= 0, got " + duration.toMillis() / 1000.0);
        }
    }

    /** A forever-running test pattern camera with default settings, sending plain UDP to {@code to}. */
    public static CameraConfig pattern(Destination to) {
        return new CameraConfig(to, Pattern.DEFAULT, false, Duration.ZERO, Faults.NONE);
    }

    /** A forever-looping clip camera, sending plain UDP to {@code to}. */
    public static CameraConfig clip(Path file, Destination to) {
        return new CameraConfig(to, new Clip(file), false, Duration.ZERO, Faults.NONE);
    }

    public CameraConfig withSource(Source newSource) {
        return new CameraConfig(to, newSource, rtp, duration, faults);
    }

    public CameraConfig withRtp(boolean newRtp) {
        return new CameraConfig(to, source, newRtp, duration, faults);
    }

    public CameraConfig withDuration(Duration newDuration) {
        return new CameraConfig(to, source, rtp, newDuration, faults);
    }

    public CameraConfig withFaults(Faults newFaults) {
        return new CameraConfig(to, source, rtp, duration, newFaults);
    }

    /** What the camera sends. */
    public sealed interface Source permits Pattern, Clip {
    }

    /**
     * A live synthetic H.264 camera: colour bars, the wall clock and frame number burned in, and a visitor (a disc
     * crossing the frame) that appears every {@code visitorEvery} for {@code visitorFor}.
     *
     * @param width picture width in pixels, even
     * @param height picture height in pixels, even
     * @param fps frames per second
     * @param bitrate target video bitrate in bits per second
     * @param gop keyframe interval in frames
     * @param visitorEvery period of the visitor's appearances; {@link Duration#ZERO} for none
     * @param visitorFor how long each appearance lasts
     * @param noise amplitude of the luma noise (sensor grain) added to every frame, 0..32; without it the
     *     pattern compresses to a few hundred kbit/s whatever the bitrate, with the default 4 a 720p stream uses
     *     about the bitrate asked for
     * @param lights scripted lighting changes (brightness steps, night mode); {@link Lights#NONE} for none
     */
    public record Pattern(int width, int height, int fps, long bitrate, int gop, Duration visitorEvery,
            Duration visitorFor, int noise, Lights lights) implements Source {

        public static final Pattern DEFAULT =
                new Pattern(1280, 720, 30, 4_000_000, 60, Duration.ofSeconds(10), Duration.ofSeconds(4), 4);

        /** A pattern without lighting changes. */
        public Pattern(int width, int height, int fps, long bitrate, int gop, Duration visitorEvery,
                Duration visitorFor, int noise) {
            this(width, height, fps, bitrate, gop, visitorEvery, visitorFor, noise, Lights.NONE);
        }

        public Pattern {
            if (width < 16 || height < 16 || width > 7680 || height > 4320 || width % 2 != 0 || height % 2 != 0) {
                throw new IllegalArgumentException(
                        "size must be even, between 16x16 and 7680x4320, got " + width + "x" + height);
            }
            if (fps < 1 || fps > 120) {
                throw new IllegalArgumentException("fps must be 1..120, got " + fps);
            }
            if (bitrate < 10_000 || bitrate > 200_000_000) {
                throw new IllegalArgumentException("bitrate must be 10k..200M bit/s, got " + bitrate);
            }
            if (gop < 1) {
                throw new IllegalArgumentException("gop must be >= 1 frame, got " + gop);
            }
            Objects.requireNonNull(visitorEvery, "visitorEvery");
            Objects.requireNonNull(visitorFor, "visitorFor");
            if (visitorEvery.isNegative() || visitorFor.isNegative()) {
                throw new IllegalArgumentException("visitor-every and --visitor-for must be >= 0");
            }
            if (noise < 0 || noise > 32) {
                throw new IllegalArgumentException("noise must be 0..32, got " + noise);
            }
            if (visitorFor.compareTo(visitorEvery) > 0) {
                throw new IllegalArgumentException("visitor-for (" + visitorFor.toMillis() / 1000.0
                        + " s) must not exceed visitor-every (" + visitorEvery.toMillis() / 1000.0 + " s)");
            }
            Objects.requireNonNull(lights, "lights");
            atLeastOneFrame("light-step-every", lights.stepEvery(), fps);
            atLeastOneFrame("night-every", lights.nightEvery(), fps);
            atLeastOneFrame("night-for", lights.nightFor(), fps);
        }

        private static void atLeastOneFrame(String name, Duration d, int fps) {
            if (!d.isZero() && Math.round(d.toNanos() * fps / 1e9) < 1) {
                throw new IllegalArgumentException(name + " (" + d.toMillis() / 1000.0
                        + " s) must be 0 or at least one frame (1/" + fps + " s)");
            }
        }

        public Pattern withSize(int newWidth, int newHeight) {
            return new Pattern(newWidth, newHeight, fps, bitrate, gop, visitorEvery, visitorFor, noise, lights);
        }

        /** Sets the frame rate and a GOP of two seconds. */
        public Pattern withFps(int newFps) {
            return new Pattern(width, height, newFps, bitrate, 2 * newFps, visitorEvery, visitorFor, noise, lights);
        }

        public Pattern withBitrate(long newBitrate) {
            return new Pattern(width, height, fps, newBitrate, gop, visitorEvery, visitorFor, noise, lights);
        }

        public Pattern withGop(int newGop) {
            return new Pattern(width, height, fps, bitrate, newGop, visitorEvery, visitorFor, noise, lights);
        }

        public Pattern withVisitor(Duration every, Duration lasting) {
            return new Pattern(width, height, fps, bitrate, gop, every, lasting, noise, lights);
        }

        public Pattern withNoise(int newNoise) {
            return new Pattern(width, height, fps, bitrate, gop, visitorEvery, visitorFor, newNoise, lights);
        }

        public Pattern withLights(Lights newLights) {
            return new Pattern(width, height, fps, bitrate, gop, visitorEvery, visitorFor, noise, newLights);
        }
    }

    /**
     * Scripted lighting changes of a {@link Pattern}, as {@link Lighting} describes them per frame.
     *
     * <p>Brightness steps: every {@code stepEvery} (the first after one period) the whole scene gets {@code step}
     * luma levels brighter, then at the next step as much darker again, and so on (lights switched on and off);
     * a negative {@code step} starts with darker. Night mode: every {@code nightEvery} (the first after one
     * period) the camera switches to grey night mode for {@code nightFor}, then back to day.
     *
     * @param stepEvery period of the brightness steps; {@link Duration#ZERO} for none
     * @param step luma levels of each step, -100..100, not 0
     * @param nightEvery period of the night spells; {@link Duration#ZERO} for none
     * @param nightFor how long each night spell lasts, at most {@code nightEvery}, more than 0 when it is
     */
    public record Lights(Duration stepEvery, int step, Duration nightEvery, Duration nightFor) {

        public static final Lights NONE = new Lights(Duration.ZERO, 40, Duration.ZERO, Duration.ZERO);

        public Lights {
            Objects.requireNonNull(stepEvery, "stepEvery");
            Objects.requireNonNull(nightEvery, "nightEvery");
            Objects.requireNonNull(nightFor, "nightFor");
            if (stepEvery.isNegative() || nightEvery.isNegative() || nightFor.isNegative()) {
                throw new IllegalArgumentException("light-step-every, --night-every and --night-for must be >= 0");
            }
            if (step < -100 || step > 100 || step == 0) {
                throw new IllegalArgumentException("light-step must be -100..100 and not 0, got " + step);
            }
            if (!nightEvery.isZero() && nightFor.isZero()) {
                throw new IllegalArgumentException("night-for must be more than 0 with --night-every");
            }
            if (nightFor.compareTo(nightEvery) > 0) {
                throw new IllegalArgumentException("night-for (" + nightFor.toMillis() / 1000.0
                        + " s) must not exceed --night-every (" + nightEvery.toMillis() / 1000.0 + " s)");
            }
        }
    }

    /**
     * A TS file played at the rate its PCR implies, looped seamlessly: continuity counters continue, PCR, PTS and
     * DTS keep increasing, and the first packet with an adaptation field of each PID in every new pass carries
     * the discontinuity indicator so analyzers can see the splice.
     *
     * @param file the TS file
     */
    public record Clip(Path file) implements Source {
        public Clip {
            Objects.requireNonNull(file, "file");
        }
    }

    /**
     * Faults to inject on the way out, for tests.
     *
     * @param loss fraction of datagrams dropped at random, 0..1
     * @param jitter each datagram is delayed by a uniform random 0..jitter
     * @param reorder let jittered datagrams overtake each other; when false the order is kept
     * @param seed the random seed, so a run can be repeated
     */
    public record Faults(double loss, Duration jitter, boolean reorder, long seed) {

        public static final Faults NONE = new Faults(0, Duration.ZERO, false, 1);

        public Faults {
            if (!(loss >= 0 && loss <= 1)) {
                throw new IllegalArgumentException("loss must be a fraction 0..1, got " + loss);
            }
            Objects.requireNonNull(jitter, "jitter");
            if (jitter.isNegative()) {
                throw new IllegalArgumentException("jitter must be >= 0, got " + jitter);
            }
        }

        boolean any() {
            return loss > 0 || !jitter.isZero();
        }
    }
}
