package io.streamtee.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which datagrams a service takes, with no sockets of its own: only well-formed MPEG-TS (whole 188-byte packets, each
 * starting with 0x47) from one source at a time. It locks onto the first source whose datagram starts a stream (the
 * {@code startsStream} test, e.g. a datagram holding a PAT whose CRC checks), or at once onto the configured source
 * (any port of that address); it moves to another source only when the locked one has been silent for
 * {@code switchAfterNanos} and the other one starts a stream. Each lock and switch is logged in one line. Not
 * thread-safe: one receive thread offers.
 */
public final class TsSourceLock {

    private static final Logger LOG = LoggerFactory.getLogger(TsSourceLock.class);
    public static final int PACKET = 188;
    public static final byte SYNC = 0x47;

    /** What to do with a datagram. */
    public enum Verdict {
        ACCEPT, NOT_TS, NO_STREAM_YET, OTHER_SOURCE
    }

    private final String name;
    private final InetAddress fixedSource;
    private final Predicate<ByteBuffer> startsStream;
    private final long switchAfterNanos;
    private InetSocketAddress source;
    private long lastAcceptedNanos;
    private volatile InetSocketAddress current;
    private volatile long switches;

    /**
     * @param name             what logs call the input (its URL)
     * @param fixedSource      the only source address to take (any port), or null to lock onto the first stream
     * @param startsStream     whether a well-formed TS datagram from a new source starts a stream; null takes any
     * @param switchAfterNanos how long the locked source must be silent before another may take over
     */
    public TsSourceLock(String name, InetAddress fixedSource, Predicate<ByteBuffer> startsStream,
            long switchAfterNanos) {
        this.name = name;
        this.fixedSource = fixedSource;
        this.startsStream = startsStream != null ? startsStream : d -> true;
        this.switchAfterNanos = switchAfterNanos;
    }

    /** Whole 188-byte packets, each starting with the sync byte (an empty datagram is not TS). */
    public static boolean isTs(ByteBuffer datagram) {
        int len = datagram.remaining();
        if (len == 0 || len % PACKET != 0) {
            return false;
        }
        int base = datagram.position();
        for (int off = 0; off < len; off += PACKET) {
            if (datagram.get(base + off) != SYNC) {
                return false;
            }
        }
        return true;
    }

    /**
     * Judges a datagram ({@code datagram}'s remaining bytes, left as they are) from {@code from} at {@code nanos}
     * (monotonic).
     */
    public Verdict offer(ByteBuffer datagram, InetSocketAddress from, long nanos) {
        if (!isTs(datagram)) {
            return Verdict.NOT_TS;
        }
        if (fixedSource != null) {
            if (!fixedSource.equals(from.getAddress())) {
                return Verdict.OTHER_SOURCE;
            }
            if (!from.equals(source)) {
                take(from, nanos);
            }
            lastAcceptedNanos = nanos;
            return Verdict.ACCEPT;
        }
        if (from.equals(source)) {
            lastAcceptedNanos = nanos;
            return Verdict.ACCEPT;
        }
        boolean free = source == null || nanos - lastAcceptedNanos >= switchAfterNanos;
        if (!free) {
            return Verdict.OTHER_SOURCE;
        }
        if (!startsStream.test(datagram.duplicate())) {
            return source == null ? Verdict.NO_STREAM_YET : Verdict.OTHER_SOURCE;
        }
        take(from, nanos);
        lastAcceptedNanos = nanos;
        return Verdict.ACCEPT;
    }

    private void take(InetSocketAddress from, long nanos) {
        if (source == null) {
            LOG.info("{}: stream from {}", name, text(from));
        } else {
            switches++;
            LOG.warn("{}: stream now from {} (was {}, silent for {} s)", name, text(from), text(source),
                    String.format(java.util.Locale.ROOT, "%.1f", (nanos - lastAcceptedNanos) / 1e9));
        }
        source = from;
        current = from;
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The source taken now, or null before the first stream. Any thread. */
    public InetSocketAddress source() {
        return current;
    }

    /** How many times the lock moved from one source to another. Any thread. */
    public long switches() {
        return switches;
    }
}
