package io.streamtee.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.av_log_get_level;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * FFmpeg's error codes and log level, in one place for every user of FFmpeg in streamtee (the camera's encoder, the
 * recorder's MP4 remux, the video decoder).
 */
public final class Ffmpeg {
    private static volatile boolean quiet;

    private Ffmpeg() {
    }

    /**
     * Lowers FFmpeg's own logging (to stderr) to errors, once per process, so that a stream's routine warnings do not
     * flood the console. A level already lower is kept, and so is one raised after the first call.
     */
    public static void quiet() {
        if (quiet) {
            return;
        }
        synchronized (Ffmpeg.class) {
            if (!quiet) {
                if (av_log_get_level() > AV_LOG_ERROR) {
                    av_log_set_level(AV_LOG_ERROR);
                }
                quiet = true;
            }
        }
    }

    /** FFmpeg's text for an error code, e.g. "Invalid data found when processing input". */
    public static String describe(int code) {
        byte[] text = new byte[256];
        if (av_strerror(code, text, text.length) < 0) {
            return "unknown error";
        }
        int end = 0;
        while (end < text.length && text[end] != 0) {
            end++;
        }
        return new String(text, 0, end, StandardCharsets.US_ASCII).trim();
    }

    /** The one-line message for a failed call: {@code "<what>: <FFmpeg's reason> (FFmpeg error <code>)"}. */
    public static String message(int code, String what) {
        return what + ": " + describe(code) + " (FFmpeg error " + code + ")";
    }

    /**
     * Checks an FFmpeg return value.
     *
     * @param what what was being done, for the message ("open decoder h264")
     * @return {@code ret} when it is not an error (0 or more)
     * @throws FfmpegException when {@code ret} is negative
     */
    public static int check(int ret, String what) {
        if (ret < 0) {
            throw new FfmpegException(message(ret, what), ret);
        }
        return ret;
    }

    /**
     * Checks an FFmpeg return value where a failure is an I/O failure (reading or writing a file or stream).
     *
     * @return {@code ret} when it is not an error (0 or more)
     * @throws IOException with {@link #message} when {@code ret} is negative
     */
    public static int checkIo(int ret, String what) throws IOException {
        if (ret < 0) {
            throw new IOException(message(ret, what));
        }
        return ret;
    }
}
