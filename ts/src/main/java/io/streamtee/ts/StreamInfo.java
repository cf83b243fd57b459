package io.streamtee.ts;

/**
 * What the demux knows about one PID. Video fields are 0 when unknown or not video.
 *
 * @param codec        {@code pat}, {@code pmt}, {@code null}, a {@link Pmt#codecName codec name}, or {@code unknown}
 * @param fps          from the SPS timing info when present, else from the mean DTS step
 * @param gopLength    frames from one keyframe to the next, measured between the last two keyframes
 * @param parameterSets true once both an SPS and a PPS were seen (video only)
 * @param bitrate      bits per second, averaged over the whole stream time seen so far
 */
public record StreamInfo(int pid, int streamType, String codec, int width, int height, double fps, int gopLength,
                         long frames, long keyframes, boolean parameterSets, long packets, long bitrate) {
}
