package io.streamtee.playback;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Units;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A point in time as playback URLs take it ({@code from=}, {@code to=}): an ISO-8601 time
 * ({@code 2026-11-24T05:30:00Z}, {@code 2026-11-24T06:30:00+01:00}, or without an offset, which is UTC like the
 * recording file names), epoch seconds or milliseconds, {@code now}, or a duration before now ({@code -10m},
 * {@code -2h}).
 */
final class TimeParam {
    /** Epoch values below this are seconds: as seconds it is the year 5138, as milliseconds 1973. */
    private static final long SECONDS_BELOW = 100_000_000_000L;

    private TimeParam() {
    }

    /**
     * @param name the parameter, for the message
     * @return UTC milliseconds since the epoch
     * @throws ConfigException naming the parameter when {@code text} is not a time
     */
    static long parse(String name, String text, long nowMillis) {
        String t = text.strip();
        if (t.length() > 6 && t.charAt(t.length() - 6) == ' ' && t.charAt(t.length() - 3) == ':') {
            // "...T06:30:00+01:00" in a URL without %2B: the query decoded the + to a space
            t = t.substring(0, t.length() - 6) + "+" + t.substring(t.length() - 5);
        }
        try {
            if (t.equalsIgnoreCase("now")) {
                return nowMillis;
            }
            if (t.startsWith("-")) {
                return nowMillis - Units.duration(name, t.substring(1)).toMillis();
            }
            if (t.chars().allMatch(Character::isDigit) && !t.isEmpty() && t.length() <= 16) {
                long n = Long.parseLong(t);
                return n < SECONDS_BELOW ? n * 1000 : n;
            }
            if (t.endsWith("Z") || t.endsWith("z")) {
                return Instant.parse(t.toUpperCase(java.util.Locale.ROOT)).toEpochMilli();
            }
            if (t.length() > 19 && (t.charAt(t.length() - 6) == '+' || t.charAt(t.length() - 6) == '-')) {
                return OffsetDateTime.parse(t).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeException | ArithmeticException | ConfigException | NumberFormatException e) {
            // ArithmeticException: a valid time beyond what epoch milliseconds hold (years past 292 million)
            throw new ConfigException(name + ": '" + text + "' is not a time (use 2026-11-24T05:30:00Z, epoch seconds"
                    + " or milliseconds, now, or a duration before now such as -10m)", e);
        }
    }
}
