package io.streamtee.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing of the human units used in config and flags: sizes ({@code 8MB}, {@code 4MiB}), durations ({@code 10s},
 * {@code 1.5s}, {@code 20ms}) and bit rates ({@code 4M}, {@code 800k}). Errors name the key or flag and the value.
 */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b?|b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m|h|d)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BITRATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmg])?(?:bit/s|bps|b)?",
            Pattern.CASE_INSENSITIVE);

    private Units() {
    }

    /**
     * Bytes from {@code 212992}, {@code 8MB} (10^6) or {@code 8MiB} (2^20); {@code k}, {@code M}, {@code G}.
     *
     * @param key named in the error message
     */
    public static long bytes(String key, String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw ConfigException.at(key, "'" + text + "' is not a size (examples: 212992, 8MB, 4MiB)");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        boolean binary = unit.contains("i");
        long base = binary ? 1024 : 1000;
        long factor = switch (unit.charAt(0)) {
            case 'k' -> base;
            case 'm' -> base * base;
            case 'g' -> base * base * base;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw tooLarge(key, text);
        }
    }

    private static ConfigException tooLarge(String key, String text) {
        return ConfigException.at(key, "'" + text + "' is too large");
    }

    /**
     * A duration from {@code 500ms}, {@code 10s}, {@code 1.5s}, {@code 5m}, {@code 2h}, {@code 7d}, {@code 250us};
     * a bare number is seconds.
     */
    public static Duration duration(String key, String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw ConfigException.at(key, "'" + text + "' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)");
        }
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        long nanosPerUnit = switch (unit) {
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> 1_000_000_000L;
        };
        try {
            if (!m.group(1).contains(".")) {
                return Duration.ofNanos(Math.multiplyExact(Long.parseLong(m.group(1)), nanosPerUnit));
            }
            return Duration.ofNanos(new java.math.BigDecimal(m.group(1))
                    .multiply(java.math.BigDecimal.valueOf(nanosPerUnit)).setScale(0, java.math.RoundingMode.HALF_UP)
                    .longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            throw tooLarge(key, text);
        }
    }

    /** Whether {@code text} is a number with no unit, such as {@code 20} (for flags where that is ambiguous). */
    public static boolean isBareNumber(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.strip());
        return m.matches() && m.group(2) == null;
    }

    /** A bit rate in bit/s from {@code 4M}, {@code 1.5M}, {@code 800k}, {@code 2500000}, {@code 6Mbit/s} (powers of 1000). */
    public static long bitrate(String key, String text) {
        Matcher m = BITRATE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw ConfigException.at(key, "'" + text + "' is not a bit rate (examples: 4M, 800k, 2500000)");
        }
        long factor = m.group(2) == null ? 1 : switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1_000L;
            case "m" -> 1_000_000L;
            default -> 1_000_000_000L;
        };
        try {
            return new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(factor))
                    .setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw tooLarge(key, text);
        }
    }

    /** Formats a byte count for logs: {@code 1.5 MB}. */
    public static String formatBytes(long bytes) {
        return bytes < 1000 ? bytes + " B" : thousands(bytes, "kB", "MB", "GB", "TB", "PB");
    }

    /** Formats a bit rate for logs: {@code 20.1 Mbit/s}. */
    public static String formatBitrate(double bitsPerSecond) {
        return bitsPerSecond < 1000 ? String.format(Locale.ROOT, "%.0f bit/s", bitsPerSecond)
                : thousands(bitsPerSecond, "kbit/s", "Mbit/s", "Gbit/s");
    }

    /** {@code value} (at least 1000) in the largest of {@code units} (each 1000 times the one before) it reaches. */
    private static String thousands(double value, String... units) {
        double v = value;
        int i = -1;
        do {
            v /= 1000;
            i++;
        } while (v >= 1000 && i < units.length - 1);
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    /** {@code 7d}, {@code 10s}, {@code 1.5s}: a duration as the flags take it. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms / 1000.0 + "s";
    }

    /** {@code 12s}, {@code 5m 12s}, {@code 3h 5m}, {@code 2d 3h}: an elapsed time for logs, to the second. */
    public static String formatElapsed(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86_400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
    }
}
