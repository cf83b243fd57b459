package io.streamtee.config;

import java.util.regex.Pattern;

/**
 * What a camera may be called: 1 to 64 letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or
 * digit. The recorder names a directory after it and playback finds it by it, so every service that speaks of a
 * camera (the analyzer's clip links) takes the same names.
 */
public final class CameraName {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private CameraName() {
    }

    /**
     * {@code name} as an error message may quote it: control characters as {@code \\uXXXX}, cut after 64 characters
     * with {@code ...}, so that a hostile name (CR/LF, NUL, megabytes) cannot break the one-line rule.
     */
    public static String shown(String name) {
        if (name == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (; i < name.length() && b.length() < 64; i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return i < name.length() ? b + "..." : b.toString();
    }

    /** Whether {@code name} is a camera name. */
    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
