package io.streamtee.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What a leak shows in: this JVM's open file descriptors and live threads, for before-and-after checks. */
public final class JvmCounts {

    private JvmCounts() {
    }

    /** Whether {@link #fds()} can count (Linux's {@code /proc/self/fd}). */
    public static boolean canCountFds() {
        return Files.isDirectory(Path.of("/proc/self/fd"));
    }

    /** Open file descriptors of this JVM. */
    public static long fds() throws IOException {
        try (Stream<Path> fd = Files.list(Path.of("/proc/self/fd"))) {
            return fd.count();
        }
    }

    /** Live threads of this JVM. */
    public static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
