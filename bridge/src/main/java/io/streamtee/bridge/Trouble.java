package io.streamtee.bridge;

import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_HTTP_FORBIDDEN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_HTTP_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_HTTP_UNAUTHORIZED;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA;

import io.streamtee.net.Backoff;
import java.time.Duration;

/**
 * What went wrong with a camera, as one line for a person, a counter key ({@code errors.<key>}) and how soon to try
 * again: soon where the camera may come back (it did not answer, it went away), slowly where only a person can help
 * (credentials refused: no fast retry loop that would lock the account; no such path, a malformed stream description,
 * no video, a codec not supported, not RTSP).
 */
enum Trouble {
    TIMEOUT("timeout", "the camera did not answer", backoff(500, 10_000)),
    REFUSED("refused", "the camera refused the connection (nothing listens on that port)", backoff(500, 10_000)),
    AUTH("auth", "the camera refused the credentials (401); check the user and password in the URL",
            backoff(30_000, 300_000)),
    NOT_FOUND("not_found", "the camera has no such stream (404); check the path in the URL", backoff(10_000, 60_000)),
    BAD_SDP("sdp", "the camera's stream description (SDP) names no stream that can be read", backoff(5_000, 60_000)),
    NO_VIDEO("no_video", "the camera's stream has no video", backoff(10_000, 60_000)),
    CODEC("codec", "the camera's video is not H.264 or H.265", backoff(10_000, 60_000)),
    NOT_RTSP("protocol", "the server does not speak RTSP", backoff(10_000, 60_000)),
    LOST("lost", "the stream stopped", backoff(500, 10_000)),
    OTHER("other", "error", backoff(1_000, 30_000));

    final String key;
    final String text;
    final Backoff backoff;

    Trouble(String key, String text, Backoff backoff) {
        this.key = key;
        this.text = text;
        this.backoff = backoff;
    }

    private static Backoff backoff(long initialMillis, long maxMillis) {
        return new Backoff(Duration.ofMillis(initialMillis), Duration.ofMillis(maxMillis));
    }

    /** What an FFmpeg error code from opening or reading the camera means; {@code timedOut}: our deadline passed. */
    static Trouble of(int code, boolean timedOut) {
        if (timedOut || code == AVERROR_EXIT || code == -110 /* ETIMEDOUT */) {
            return TIMEOUT;
        }
        if (code == AVERROR_HTTP_UNAUTHORIZED || code == AVERROR_HTTP_FORBIDDEN) {
            return AUTH;
        }
        if (code == AVERROR_HTTP_NOT_FOUND) {
            return NOT_FOUND;
        }
        if (code == -111 /* ECONNREFUSED */ || code == -113 /* EHOSTUNREACH */ || code == -101 /* ENETUNREACH */) {
            return REFUSED;
        }
        if (code == AVERROR_INVALIDDATA || code == -5 /* EIO: the answer was not RTSP */) {
            return NOT_RTSP;
        }
        if (code == AVERROR_EOF || code == -104 /* ECONNRESET */ || code == -32 /* EPIPE */) {
            return LOST;
        }
        return OTHER;
    }
}
