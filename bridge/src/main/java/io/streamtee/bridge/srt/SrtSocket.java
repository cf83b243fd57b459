package io.streamtee.bridge.srt;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * One libsrt socket ({@code SRTSOCKET}), in live mode. Connecting and accepting are non-blocking and waited for with
 * {@code srt_epoll_uwait} in slices of {@value #SLICE_MILLIS} ms, so that {@code stop} (checked between slices) ends
 * the wait; once connected, the socket blocks with {@code SRTO_RCVTIMEO}/{@code SRTO_SNDTIMEO} of the same slice, so
 * {@link #receive} and {@link #send} return within it. Used by one thread, but {@link #stats()} may be called from any.
 * {@link #close()} is idempotent.
 */
final class SrtSocket implements AutoCloseable {
    static final int SLICE_MILLIS = 100;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** A libsrt call failed: libsrt's error code ({@code SRT_ERRNO}), its words, the reject reason when refused. */
    static final class SrtException extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;
        final int rejectReason;

        SrtException(String message, int code, int rejectReason) {
            super(message);
            this.code = code;
            this.rejectReason = rejectReason;
        }
    }

    private final Libsrt srt;
    final int id;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private volatile boolean closed;

    private SrtSocket(Libsrt srt, int id) {
        this.srt = srt;
        this.id = id;
        this.buffer = arena.allocate(1500);
    }

    /** A new socket, live mode ({@code SRTO_TRANSTYPE} first: it resets the other options), non-blocking. */
    static SrtSocket create(Libsrt srt) throws SrtException {
        int id = srt.call(srt.createSocket);
        if (id == Libsrt.INVALID_SOCK) {
            throw new SrtException("srt_create_socket: " + srt.lastErrorText(), srt.lastError(), 0);
        }
        SrtSocket s = new SrtSocket(srt, id);
        s.set(Libsrt.SRTO_TRANSTYPE, Libsrt.SRTT_LIVE);
        s.set(Libsrt.SRTO_RCVSYN, 0);
        s.set(Libsrt.SRTO_SNDSYN, 0);
        return s;
    }

    private SrtException error(String what) {
        int code = srt.lastError();
        return new SrtException(what + ": " + srt.lastErrorText(), code, srt.call(srt.getrejectreason, id));
    }

    /** Sets an {@code int} (or {@code bool}, as 0/1) option. */
    void set(int option, int value) throws SrtException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            if (srt.call(srt.setsockflag, id, option, v, 4) == Libsrt.ERROR) {
                throw error("srt_setsockflag(" + option + ")");
            }
        }
    }

    /** Sets a string option (passphrase, stream id): the bytes, no terminating zero. */
    void set(int option, String value) throws SrtException {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, b.length));
            v.copyFrom(MemorySegment.ofArray(b));
            if (srt.call(srt.setsockflag, id, option, v, b.length) == Libsrt.ERROR) {
                throw error("srt_setsockflag(" + option + ")");
            }
        }
    }

    /** An {@code int} option's value, or -1 when libsrt does not say. */
    int getInt(int option) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            return srt.call(srt.getsockflag, id, option, v, len) == Libsrt.ERROR ? -1 : v.get(JAVA_INT, 0);
        }
    }

    /** {@code struct sockaddr_in} or {@code sockaddr_in6} for {@code address}. */
    static MemorySegment sockaddr(Arena a, InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        boolean v6 = address.getAddress() instanceof Inet6Address;
        MemorySegment s = a.allocate(v6 ? 28 : 16);
        s.set(JAVA_SHORT, 0, (short) (v6 ? AF_INET6 : AF_INET));
        s.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) address.getPort());
        MemorySegment.copy(MemorySegment.ofArray(ip), 0, s, v6 ? 8 : 4, ip.length);
        if (v6) {
            s.set(JAVA_INT, 24, ((Inet6Address) address.getAddress()).getScopeId());
        }
        return s;
    }

    void bind(InetSocketAddress local) throws SrtException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = sockaddr(a, local);
            if (srt.call(srt.bind, id, sa, (int) sa.byteSize()) == Libsrt.ERROR) {
                throw error("bind " + local);
            }
        }
    }

    void listen() throws SrtException {
        if (srt.call(srt.listen, id, 1) == Libsrt.ERROR) {
            throw error("listen");
        }
    }

    /**
     * Waits for a caller and accepts it (this socket listening), or returns null when {@code stop} says so or
     * libsrt has nothing within {@code waitMillis} (-1: no limit).
     */
    SrtSocket accept(BooleanSupplier stop, long waitMillis) throws SrtException {
        if (!waitFor(Libsrt.SRT_EPOLL_IN | Libsrt.SRT_EPOLL_ERR, stop, waitMillis)) {
            return null;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(28);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 28);
            int peer = srt.call(srt.accept, id, sa, len);
            if (peer == Libsrt.INVALID_SOCK) {
                int code = srt.lastError();
                if (code == Libsrt.SRT_EASYNCRCV) {
                    return null;
                }
                throw error("accept");
            }
            SrtSocket s = new SrtSocket(srt, peer);
            s.connected();
            return s;
        }
    }

    /** Calls {@code remote} and waits for the handshake; false when {@code stop} said so first. */
    boolean connect(InetSocketAddress remote, BooleanSupplier stop) throws SrtException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = sockaddr(a, remote);
            if (srt.call(srt.connect, id, sa, (int) sa.byteSize()) == Libsrt.ERROR) {
                throw error("connect");
            }
        }
        return handshake(stop);
    }

    /** Rendezvous between {@code local} and {@code remote}; false when {@code stop} said so first. */
    boolean rendezvous(InetSocketAddress local, InetSocketAddress remote, BooleanSupplier stop) throws SrtException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment l = sockaddr(a, local);
            MemorySegment r = sockaddr(a, remote);
            if (srt.call(srt.rendezvous, id, l, (int) l.byteSize(), r, (int) r.byteSize()) == Libsrt.ERROR) {
                throw error("rendezvous");
            }
        }
        return handshake(stop);
    }

    private boolean handshake(BooleanSupplier stop) throws SrtException {
        while (!stop.getAsBoolean()) {
            int state = state();
            if (state == Libsrt.SRTS_CONNECTED) {
                connected();
                return true;
            }
            if (state >= Libsrt.SRTS_BROKEN) {
                int reason = srt.call(srt.getrejectreason, id);
                throw new SrtException(srt.rejectReasonText(reason), Libsrt.SRT_ECONNREJ, reason);
            }
            waitFor(Libsrt.SRT_EPOLL_OUT | Libsrt.SRT_EPOLL_ERR, stop, SLICE_MILLIS);
        }
        return false;
    }

    /** Connected: blocking reads and writes, each bounded by one slice. */
    private void connected() throws SrtException {
        set(Libsrt.SRTO_RCVSYN, 1);
        set(Libsrt.SRTO_SNDSYN, 1);
        set(Libsrt.SRTO_RCVTIMEO, SLICE_MILLIS);
        set(Libsrt.SRTO_SNDTIMEO, SLICE_MILLIS);
    }

    int state() {
        return srt.call(srt.getsockstate, id);
    }

    /**
     * Waits for {@code events} on this socket, in slices, until they come (true), {@code stop} says so or
     * {@code waitMillis} passed (false; -1: no limit).
     */
    private boolean waitFor(int events, BooleanSupplier stop, long waitMillis) throws SrtException {
        long until = waitMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + waitMillis * 1_000_000;
        int eid = srt.call(srt.epollCreate);
        if (eid < 0) {
            throw error("srt_epoll_create");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(JAVA_INT);
            ev.set(JAVA_INT, 0, events);
            if (srt.call(srt.epollAddUsock, eid, id, ev) == Libsrt.ERROR) {
                throw error("srt_epoll_add_usock");
            }
            MemorySegment ready = a.allocate(8);
            while (!stop.getAsBoolean() && System.nanoTime() - until < 0) {
                int n = srt.call(srt.epollUwait, eid, ready, 1, (long) SLICE_MILLIS);
                if (n > 0) {
                    return true;
                }
            }
            return false;
        } finally {
            srt.call(srt.epollRelease, eid);
        }
    }

    /**
     * Receives one message into {@code into}: its length, 0 when nothing came within a slice, or throws when the
     * connection is gone.
     */
    int receive(byte[] into) throws SrtException {
        int n = srt.call(srt.recvmsg, id, buffer, (int) buffer.byteSize());
        if (n == Libsrt.ERROR) {
            int code = srt.lastError();
            if (code == Libsrt.SRT_EASYNCRCV || code == Libsrt.SRT_ETIMEOUT) {
                return 0;
            }
            throw error("recv");
        }
        MemorySegment.copy(buffer, JAVA_BYTE, 0, into, 0, n);
        return n;
    }

    /** Sends {@code length} bytes of {@code from} as one message; false when the send buffer stayed full a slice. */
    boolean send(byte[] from, int offset, int length) throws SrtException {
        MemorySegment.copy(from, offset, buffer, JAVA_BYTE, 0, length);
        int n = srt.call(srt.sendmsg, id, buffer, length, -1, 0);
        if (n == Libsrt.ERROR) {
            int code = srt.lastError();
            if (code == Libsrt.SRT_EASYNCSND || code == Libsrt.SRT_ETIMEOUT) {
                return false;
            }
            throw error("send");
        }
        return true;
    }

    /** Packets sent but not yet acknowledged ({@code srt_getsndbuffer}), or -1. */
    long unacknowledged() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment blocks = a.allocate(JAVA_LONG);
            MemorySegment bytes = a.allocate(JAVA_LONG);
            return srt.call(srt.getsndbuffer, id, blocks, bytes) == Libsrt.ERROR ? -1 : blocks.get(JAVA_LONG, 0);
        }
    }

    /** This connection's statistics, or null when the socket is gone. Any thread. */
    SrtStats stats() {
        if (closed) {
            return null;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(SrtStats.LAYOUT);
            return srt.call(srt.bstats, id, s, 0) == Libsrt.ERROR ? null : SrtStats.read(s);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            srt.call(srt.close, id);
            arena.close();
        }
    }
}
