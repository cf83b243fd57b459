package io.streamtee.camera;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Units;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The test pattern's command-line options, shared by {@code streamtee camera} and {@code streamtee demo} as a
 * picocli mixin. {@link #pattern()} checks them and gives one-line messages naming the option.
 */
public final class PatternOptions {
    @Option(names = "--size", paramLabel = "WxH", defaultValue = "1280x720",
            description = "Pattern picture size (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--fps", paramLabel = "N", defaultValue = "30",
            description = "Pattern frame rate (default: ${DEFAULT-VALUE}).")
    int fps;

    @Option(names = "--bitrate", paramLabel = "RATE", defaultValue = "4M",
            description = "Pattern video bitrate in bit/s, with k/M/G suffixes (default: ${DEFAULT-VALUE}).")
    String bitrate;

    @Option(names = "--gop", paramLabel = "FRAMES",
            description = "Pattern keyframe interval in frames (default: 2 x fps).")
    Integer gop;

    @Option(names = "--noise", paramLabel = "N", defaultValue = "4",
            description = "Pattern sensor noise amplitude, 0..32; 0 gives a clean picture that compresses to a "
                    + "few hundred kbit/s whatever --bitrate says (default: ${DEFAULT-VALUE}).")
    int noise;

    @Option(names = "--visitor-every", paramLabel = "DURATION", defaultValue = "10s",
            description = "A visitor (a disc crossing the picture) appears this often; 0 for never "
                    + "(default: ${DEFAULT-VALUE}).")
    String visitorEvery;

    @Option(names = "--visitor-for", paramLabel = "DURATION", defaultValue = "4s",
            description = "How long each visit lasts (default: ${DEFAULT-VALUE}).")
    String visitorFor;

    @Option(names = "--light-step-every", paramLabel = "DURATION", defaultValue = "0",
            description = "Lighting steps: every DURATION the whole scene gets --light-step luma levels brighter, "
                    + "then as much darker again at the next step, and so on (lights switched on and off); "
                    + "0 for never (default: ${DEFAULT-VALUE}).")
    String lightStepEvery;

    @Option(names = "--light-step", paramLabel = "LEVELS", defaultValue = "40",
            description = "Luma levels of each lighting step, -100..100 and not 0; negative starts with darker "
                    + "(default: ${DEFAULT-VALUE}).")
    int lightStep;

    @Option(names = "--night-every", paramLabel = "DURATION", defaultValue = "0",
            description = "Night mode: every DURATION the camera turns grey (no colour, contrast 3/4) for "
                    + "--night-for, as an IR camera at dusk; 0 for never (default: ${DEFAULT-VALUE}).")
    String nightEvery;

    @Option(names = "--night-for", paramLabel = "DURATION",
            description = "How long each night spell lasts (default: half of --night-every).")
    String nightFor;

    /**
     * The pattern these options describe.
     *
     * @throws ConfigException naming the option and what is wrong with its value
     */
    public CameraConfig.Pattern pattern() {
        int[] wh = CameraCommand.parseSize(size);
        long bits = Units.bitrate("--bitrate", bitrate);
        Duration every = Units.duration("--visitor-every", visitorEvery);
        Duration lasting = Units.duration("--visitor-for", visitorFor);
        Duration stepEvery = Units.duration("--light-step-every", lightStepEvery);
        Duration night = Units.duration("--night-every", nightEvery);
        Duration nightLasting = nightFor == null ? night.dividedBy(2) : Units.duration("--night-for", nightFor);
        try {
            CameraConfig.Lights lights = new CameraConfig.Lights(stepEvery, lightStep, night, nightLasting);
            return new CameraConfig.Pattern(wh[0], wh[1], fps, bits, gop == null ? 2 * fps : gop, every, lasting,
                    noise, lights);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--" + e.getMessage(), e);
        }
    }
}
