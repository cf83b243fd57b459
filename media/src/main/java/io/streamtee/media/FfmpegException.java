package io.streamtee.media;

/**
 * An FFmpeg call failed: the message says what was being done and FFmpeg's reason, on one line, e.g.
 * {@code "libopenh264 320x240@30: Invalid argument (FFmpeg error -22)"}. An {@link IllegalStateException}, as the
 * failures of the FFmpeg setup were before this class.
 */
public final class FfmpegException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int code;

    public FfmpegException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** FFmpeg's negative error code ({@code AVERROR}). */
    public int code() {
        return code;
    }
}
