package io.streamtee.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_DEBUG;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.av_log_get_level;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.avutil.setLogCallback;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FFmpeg's error codes and its own log messages, in one place for every user of FFmpeg in streamtee (the camera's
 * encoder, the recorder's MP4 remux, the video decoder, the RTSP client).
 */
public final class Ffmpeg {
    /** The logger of FFmpeg's messages on threads that named none ({@link #logAs}). */
    public static final String LOGGER = "ffmpeg";
    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(LOGGER);
    private static final ThreadLocal<Logger> THREAD_LOG = new ThreadLocal<>();
    private static final ThreadLocal<String> LAST_ERROR = new ThreadLocal<>();
    /** {@code scheme://user:password@}: the password is masked in every message (the RTSP client prints its URL). */
    private static final Pattern PASSWORD = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@]*:)[^/\\s@]*@");
    private static final LineBudget BUDGET = new LineBudget();
    private static volatile boolean quiet;
    /** Held so that the callback is never collected while FFmpeg may call it. */
    private static LogCallback callback;

    private Ffmpeg() {
    }

    /**
     * Sends FFmpeg's own log messages to SLF4J instead of stderr, once per process: to the logger the calling thread
     * named ({@link #logAs}), else to {@value #LOGGER}; FFmpeg's errors and warnings at WARN (at most 20 lines in 10 s,
     * the rest at DEBUG and counted in one line), info at INFO, verbose and debug at DEBUG; every
     * {@code user:password@} in them masked. FFmpeg's own level is
     * lowered to errors (a stream's routine warnings would flood the log), or to debug when the {@value #LOGGER}
     * logger has DEBUG on at the first call; a level already lower is kept, and so is one set after the first call.
     */
    public static void quiet() {
        if (quiet) {
            return;
        }
        synchronized (Ffmpeg.class) {
            if (!quiet) {
                int level = DEFAULT_LOG.isDebugEnabled() ? AV_LOG_DEBUG : AV_LOG_ERROR;
                if (av_log_get_level() > level) {
                    av_log_set_level(level);
                }
                callback = new LogCallback() {
                    @Override
                    public void call(int avLevel, BytePointer line) {
                        log(avLevel, line.getString(StandardCharsets.UTF_8));
                    }
                };
                callback.retainReference();
                setLogCallback(callback);
                quiet = true;
            }
        }
    }

    /**
     * Names the logger of FFmpeg's messages on the calling thread, all of them at DEBUG: for a service that says what
     * went wrong in a line of its own (an RTSP input: once per change, where FFmpeg would print one at every attempt),
     * with {@link #lastError} to take FFmpeg's words into it. Null: the default again.
     */
    public static void logAs(Logger logger) {
        if (logger == null) {
            THREAD_LOG.remove();
        } else {
            THREAD_LOG.set(logger);
        }
        LAST_ERROR.remove();
    }

    /** The last error message FFmpeg printed on this thread since the last call (masked), or null; forgets it. */
    public static String lastError() {
        String e = LAST_ERROR.get();
        LAST_ERROR.remove();
        return e;
    }

    /** One FFmpeg message, to SLF4J (see {@link #quiet}). */
    static void log(int avLevel, String line) {
        String text = mask(line.strip());
        if (text.isEmpty()) {
            return;
        }
        Logger log = THREAD_LOG.get();
        if (log != null) {
            if (avLevel <= AV_LOG_ERROR) {
                LAST_ERROR.set(text);
            }
            log.debug("{}", text);
            return;
        }
        log = DEFAULT_LOG;
        if (avLevel <= AV_LOG_WARNING) {
            // FFmpeg's errors are about the data (a damaged frame from a decoder's own threads, which no logAs
            // reaches), and whoever called FFmpeg reports and counts the failure in its own words: a warning here,
            // and at most LINES_PER_WINDOW of them per window, so a lossy camera cannot fill the log
            long suppressed = BUDGET.take(System.nanoTime());
            if (suppressed > 0) {
                log.warn("{} more of FFmpeg's lines in the last {} s not shown (logger {} at DEBUG shows them all)",
                        suppressed, LineBudget.WINDOW_NANOS / 1_000_000_000L, LOGGER);
            }
            if (suppressed >= 0) {
                log.warn("{}", text);
            } else {
                log.debug("{}", text);
            }
        } else if (avLevel <= AV_LOG_INFO) {
            log.info("{}", text);
        } else if (avLevel <= AV_LOG_DEBUG) {
            log.debug("{}", text);
        } else {
            log.trace("{}", text);
        }
    }

    /**
     * How many of FFmpeg's warnings and errors the default logger shows: {@link #LINES_PER_WINDOW} per window of
     * {@link #WINDOW_NANOS}; the rest are counted and said in one line when the next window opens. Thread-safe.
     */
    static final class LineBudget {
        static final int LINES_PER_WINDOW = 20;
        static final long WINDOW_NANOS = 10_000_000_000L;
        private long windowStart;
        private boolean started;
        private int used;
        private long suppressed;

        /**
         * Takes one line at {@code nowNanos}: -1 when it is over the budget (counted, not shown), else how many were
         * not shown in the window that just ended (0 mostly), to be said before it.
         */
        synchronized long take(long nowNanos) {
            long said = 0;
            if (!started || nowNanos - windowStart >= WINDOW_NANOS) {
                started = true;
                windowStart = nowNanos;
                used = 0;
                said = suppressed;
                suppressed = 0;
            }
            if (used >= LINES_PER_WINDOW) {
                suppressed++;
                return -1;
            }
            used++;
            return said;
        }
    }

    /** A message with the password of every URL in it masked ({@code rtsp://user:***@host/...}). */
    static String mask(String text) {
        return text.indexOf('@') < 0 ? text : PASSWORD.matcher(text).replaceAll("$1***@");
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
