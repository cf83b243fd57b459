package io.streamtee.analyze;

import io.streamtee.config.ConfigException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Links from an event to its clip on the recorder's playback server ({@code streamtee record --http} or
 * {@code streamtee playback}): {@code <base>/clip.mp4?camera=<camera>&from=<iso>&to=<iso>}, times in UTC to the
 * second ({@code 2026-11-30T12:00:05Z}), as the playback server's {@code from}/{@code to} take them, with
 * {@link #PRE_ROLL} before the start (rounded down) and {@link #POST_ROLL} after the end (rounded up).
 *
 * <p>An event that is still open has no end yet: its link ends {@link #POST_ROLL} after the last moment known to be
 * part of it (the last frame with motion so far; the start for a health problem), never "now", so that a START's
 * link plays the first seconds of the event and the END's link the whole of it.
 */
public final class ClipLinks {
    /** Played before the event's start. */
    public static final Duration PRE_ROLL = Duration.ofSeconds(5);
    /** Played after its end (or after the last moment known while it is open). */
    public static final Duration POST_ROLL = Duration.ofSeconds(5);

    private final String base;

    private ClipLinks(String base) {
        this.base = base;
    }

    /**
     * The playback server's base URL as a user gives it ({@code http://127.0.0.1:8081}, with or without a trailing
     * slash or path).
     *
     * @param key the flag or key, for the message ({@code --playback})
     * @throws ConfigException naming {@code key} when it is not an http(s) URL with a host
     */
    public static ClipLinks parse(String key, String url) {
        String text = url == null ? "" : url.strip();
        URI uri = null;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            // the message below
        }
        if (uri == null || uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http")
                || uri.getScheme().equalsIgnoreCase("https")) || uri.getHost() == null) {
            throw new ConfigException(key + ": expected the playback server's http:// URL, e.g."
                    + " http://127.0.0.1:8081, not '" + text + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigException(key + ": the playback URL takes no ?query or #fragment: " + text);
        }
        return new ClipLinks(text.replaceAll("/+$", ""));
    }

    /** The base URL, without a trailing slash. */
    public String base() {
        return base;
    }

    /**
     * The clip of {@code camera} from {@code startMillis} less the pre-roll to {@code endMillis} plus the post-roll
     * (epoch milliseconds).
     */
    public String clip(String camera, long startMillis, long endMillis) {
        Instant from = Instant.ofEpochMilli(startMillis).minus(PRE_ROLL).truncatedTo(ChronoUnit.SECONDS);
        Instant to = Instant.ofEpochMilli(Math.max(startMillis, endMillis)).plus(POST_ROLL);
        Instant toSecond = to.truncatedTo(ChronoUnit.SECONDS);
        if (toSecond.isBefore(to)) {
            toSecond = toSecond.plusSeconds(1);
        }
        return base + "/clip.mp4?camera=" + URLEncoder.encode(camera, StandardCharsets.UTF_8) + "&from=" + from
                + "&to=" + toSecond;
    }

    @Override
    public String toString() {
        return base;
    }
}
