package io.streamtee.record;

import java.io.IOException;
import java.nio.file.AccessDeniedException;

/** What an I/O error means for a person and for the recorder. */
final class IoErrors {
    private IoErrors() {
    }

    /** The disk (or the quota) is full: deleting the oldest segment may let the write succeed. */
    static boolean noSpace(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left on device") || m.contains("Disk quota exceeded");
    }

    /** A short reason for a one-line message: {@code permission denied}, the OS's text, or the error's name. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
