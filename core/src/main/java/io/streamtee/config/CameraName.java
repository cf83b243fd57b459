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

    /** Whether {@code name} is a camera name. */
    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
