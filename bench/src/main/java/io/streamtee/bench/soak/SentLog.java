package io.streamtee.bench.soak;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * What one camera sent, by sequence number: a 64-bit digest of each datagram (CRC-32C and CRC-32 of its bytes) and
 * the time it left ({@link System#nanoTime()}). One thread appends ({@link #add}); any thread reads the entries below
 * {@link #count()}, which is published after the entry is written. Bounded: {@link #add} refuses past the capacity.
 */
final class SentLog {

    private final long[] digests;
    private final long[] sentNanos;
    private volatile int count;

    SentLog(int capacity) {
        this.digests = new long[capacity];
        this.sentNanos = new long[capacity];
    }

    /** The digest of the bytes from the buffer's position to its limit (the position is left unchanged). */
    static long digest(ByteBuffer datagram) {
        CRC32C c = new CRC32C();
        CRC32 d = new CRC32();
        c.update(datagram.duplicate());
        d.update(datagram.duplicate());
        return (c.getValue() << 32) ^ d.getValue() ^ ((long) datagram.remaining() << 48);
    }

    /**
     * Notes one datagram about to leave.
     *
     * @return its sequence number, or -1 when the log is full
     */
    int add(long digest, long nanos) {
        int n = count;
        if (n == digests.length) {
            return -1;
        }
        digests[n] = digest;
        sentNanos[n] = nanos;
        count = n + 1;
        return n;
    }

    int count() {
        return count;
    }

    long digest(int seq) {
        return digests[seq];
    }

    long sentNanos(int seq) {
        return sentNanos[seq];
    }
}
