package io.streamtee.bridge.srt;

import io.streamtee.config.Endpoint;
import io.streamtee.net.Backoff;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * What {@link SrtInput} and {@link SrtOutput} share: one SRT connection at a time in the endpoint's mode (a listener
 * binds, waits for one caller, and stops listening while it serves it; a caller calls; rendezvous calls from the
 * same port), the options from the URL, the counters (connections, troubles, refusals) and libsrt's statistics
 * summed over every connection of the link's life.
 *
 * <p>Refusals for a wrong (or missing) passphrase are counted under {@code refused.passphrase} in both roles. A
 * caller reads libsrt's reject reason ({@code srt_getrejectreason}: {@code SRT_REJ_BADSECRET} or
 * {@code SRT_REJ_UNSECURE}). A listener has no such call: libsrt refuses the caller inside the handshake and never
 * hands the listener a socket. The one place it says so is its log: while listening, the link taps libsrt's log
 * lines ({@link LibsrtLog}) and counts libsrt's "listen ret: 1010|1011" line about a handshake of this listening
 * socket ({@code srt_listen_callback} was considered and left: it runs before the passphrase is checked, so it sees
 * every caller, refused or not, and learns nothing of the refusal).
 */
final class SrtLink {
    /** Why a session ended: counter key ({@code errors.<key>}), a line for a person, how soon to try again. */
    enum Trouble {
        TIMEOUT("timeout", "the peer sent nothing", backoff(500, 10_000)),
        NO_ANSWER("no_answer", "no SRT answer to the call (nothing listens there, or it does not speak SRT)",
                backoff(1_000, 30_000)),
        REFUSED("refused", "the connection was refused (nothing listens there, or another passphrase)",
                backoff(1_000, 30_000)),
        LOST("lost", "the peer went away", backoff(200, 5_000)),
        OTHER("other", "error", backoff(1_000, 30_000));

        final String key;
        final String text;
        final Backoff backoff;

        Trouble(String key, String text, Backoff backoff) {
            this.key = key;
            this.text = text;
            this.backoff = backoff;
        }

        private static Backoff backoff(long initialMillis, long maxMillis) {
            return new Backoff(Duration.ofMillis(initialMillis), Duration.ofMillis(maxMillis));
        }
    }

    /** SRT's live-mode payload: 7 MPEG-TS packets. */
    static final int PAYLOAD = 1316;
    /**
     * libsrt's last line about a handshake it refused for the passphrase: {@code listen ret: 1010 - ERROR:BADSECRET}
     * ({@code SRT_REJC_INTERNAL} 1000 + {@code SRT_REJ_BADSECRET}) or {@code 1011 - ERROR:UNSECURE}.
     */
    private static final Pattern PASSPHRASE_REJECTION = Pattern.compile(
            "listen ret: (" + (1000 + Libsrt.SRT_REJ_BADSECRET) + "|" + (1000 + Libsrt.SRT_REJ_UNSECURE) + ")\\b.*");

    final Libsrt srt;
    final String where;
    final Endpoint endpoint;
    final String mode;
    private final int localPort;
    private final long timeoutMillis;
    private final Logger log;
    final LongAdder connects = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder messages = new LongAdder();
    final LongAdder bytes = new LongAdder();
    private final LongAdder refusedPassphrase = new LongAdder();
    private final Map<Trouble, LongAdder> errors = new EnumMap<>(Trouble.class);
    /** The statistics of the connections that ended, summed. */
    private final AtomicReference<SrtStats> past = new AtomicReference<>(SrtStats.ZERO);
    private volatile SrtSocket current;
    private volatile SrtStats lastStats;
    private volatile int listeningSocket = -1;
    /** What the link does now: idle, listening, calling, connected (for tests and logs). */
    private volatile String phase = "idle";
    private volatile boolean refusedLogged;
    private final Consumer<LibsrtLog.Line> tap = this::libsrtSaid;

    SrtLink(Libsrt srt, String where, Endpoint endpoint, int localPort, long timeoutMillis, Logger log) {
        this.srt = srt;
        this.where = where;
        this.endpoint = endpoint;
        this.mode = endpoint.srtMode();
        this.localPort = localPort > 0 ? localPort : endpoint.address().getPort();
        this.timeoutMillis = timeoutMillis;
        this.log = log;
        for (Trouble t : Trouble.values()) {
            errors.put(t, new LongAdder());
        }
    }

    boolean listener() {
        return mode.equals("listener");
    }

    void count(Trouble t) {
        errors.get(t).increment();
    }

    /** Sets the URL's options on a new socket, before it binds or connects. */
    private SrtSocket newSocket() throws SrtSocket.SrtException {
        SrtSocket s = SrtSocket.create(srt);
        try {
            s.set(Libsrt.SRTO_PAYLOADSIZE, PAYLOAD);
            if (endpoint.srtLatency() != null) {
                s.set(Libsrt.SRTO_LATENCY, (int) endpoint.srtLatency().toMillis());
            }
            if (endpoint.srtPassphrase() != null) {
                s.set(Libsrt.SRTO_PASSPHRASE, endpoint.srtPassphrase());
            }
            if (endpoint.params().containsKey("streamid")) {
                s.set(Libsrt.SRTO_STREAMID, endpoint.params().get("streamid"));
            }
            s.set(Libsrt.SRTO_CONNTIMEO, (int) Math.min(Math.max(timeoutMillis, 1_000), 60_000));
            s.set(Libsrt.SRTO_PEERIDLETIMEO, (int) Math.min(Math.max(timeoutMillis, 1_000), 60_000));
            return s;
        } catch (SrtSocket.SrtException e) {
            s.close();
            throw e;
        }
    }

    /**
     * One connection in the endpoint's mode, or null when {@code stop} said so first. A refusal throws, after
     * counting {@code refused.passphrase} when the passphrase was the reason.
     */
    SrtSocket open(BooleanSupplier stop) throws SrtSocket.SrtException {
        InetSocketAddress address = endpoint.address();
        SrtSocket s = newSocket();
        boolean ok = false;
        phase = listener() ? "idle" : "calling";
        try {
            switch (mode) {
                case "listener" -> {
                    s.bind(address);
                    s.listen();
                    listeningSocket = s.id;
                    LibsrtLog.tap(tap);
                    phase = "listening";
                    try {
                        SrtSocket peer = s.accept(stop, -1);
                        if (peer == null) {
                            return null;
                        }
                        ok = true;
                        return connected(peer);
                    } finally {
                        LibsrtLog.untap(tap);
                        listeningSocket = -1;
                        s.close();
                    }
                }
                case "rendezvous" -> {
                    InetAddress any = address.getAddress() instanceof java.net.Inet6Address
                            ? InetAddress.getByName("::") : InetAddress.getByName("0.0.0.0");
                    InetSocketAddress local = new InetSocketAddress(address.getAddress().isLoopbackAddress()
                            ? address.getAddress() : any, localPort);
                    if (!connect(s, stop, () -> s.rendezvous(local, address, stop))) {
                        return null;
                    }
                }
                default -> {
                    if (!connect(s, stop, () -> s.connect(address, stop))) {
                        return null;
                    }
                }
            }
            ok = true;
            return connected(s);
        } catch (java.net.UnknownHostException e) {
            throw new SrtSocket.SrtException(e.toString(), 0, 0);
        } finally {
            if (!ok) {
                phase = "idle";
                if (!listener()) {
                    s.close();
                }
            }
        }
    }

    private interface Call {
        boolean run() throws SrtSocket.SrtException;
    }

    private boolean connect(SrtSocket s, BooleanSupplier stop, Call call) throws SrtSocket.SrtException {
        try {
            return call.run();
        } catch (SrtSocket.SrtException e) {
            if (passphrase(e)) {
                refusedPassphrase.increment();
            }
            throw e;
        }
    }

    private SrtSocket connected(SrtSocket s) {
        current = s;
        phase = "connected";
        refusedLogged = false;
        return s;
    }

    /**
     * Reads the connection's statistics now (the link's thread calls it every half second or so): once the peer is
     * gone, libsrt may no longer answer, and these are what {@link #ended} keeps.
     */
    void sample(SrtSocket s) {
        SrtStats now = s.stats();
        if (now != null) {
            lastStats = now;
        }
    }

    /** The connection ended: its statistics join the sum; the socket is closed. */
    void ended(SrtSocket s) {
        SrtStats last = s.stats();
        current = null;
        SrtStats seen = lastStats;
        if (last == null || seen != null && seen.packetsSent() + seen.packetsReceived()
                > last.packetsSent() + last.packetsReceived()) {
            last = seen;
        }
        if (last != null) {
            SrtStats l = last;
            past.updateAndGet(p -> p.plus(l));
        }
        lastStats = null;
        phase = "idle";
        s.close();
    }

    String phase() {
        return phase;
    }

    /** Whether the reject reason of {@code e} was the passphrase: wrong on one side, missing on the other. */
    static boolean passphrase(SrtSocket.SrtException e) {
        return e.rejectReason == Libsrt.SRT_REJ_BADSECRET || e.rejectReason == Libsrt.SRT_REJ_UNSECURE;
    }

    /** The trouble a failed connect or transfer means. */
    static Trouble trouble(SrtSocket.SrtException e) {
        if (e.code == Libsrt.SRT_ECONNREJ) {
            return e.rejectReason == Libsrt.SRT_REJ_TIMEOUT ? Trouble.NO_ANSWER : Trouble.REFUSED;
        }
        if (e.code == Libsrt.SRT_ENOSERVER) {
            return Trouble.NO_ANSWER; // the call timed out
        }
        if (e.code == Libsrt.SRT_ECONNLOST || e.code == Libsrt.SRT_ENOCONN) {
            return Trouble.LOST;
        }
        return Trouble.OTHER;
    }

    /** A libsrt log line: while listening, a refusal for the passphrase by our listener counts. */
    private void libsrtSaid(LibsrtLog.Line line) {
        int listening = listeningSocket;
        if (listening >= 0 && line.agent() == listening && PASSPHRASE_REJECTION.matcher(line.text()).matches()) {
            refusedPassphrase.increment();
            if (!refusedLogged) {
                refusedLogged = true;
                log.warn("{}: refused a caller with another passphrase (or none); still listening", where);
            }
        }
    }

    /** The statistics now: the sum over ended connections plus the current one. */
    SrtStats stats() {
        SrtSocket s = current;
        SrtStats now = s == null ? null : s.stats();
        if (now != null) {
            lastStats = now;
            return past.get().plus(now);
        }
        return past.get();
    }

    /** The current connection's gauges, or the last connection's while none is up. */
    Map<String, Double> gauges() {
        SrtSocket s = current;
        SrtStats now = s == null ? null : s.stats();
        if (now == null) {
            now = lastStats;
        }
        return (now == null ? SrtStats.ZERO : now).gauges();
    }

    Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("connects", connects.sum());
        m.put("reconnects", reconnects.sum());
        m.put("messages", messages.sum());
        m.put("bytes", bytes.sum());
        for (Map.Entry<Trouble, LongAdder> e : errors.entrySet()) {
            m.put("errors." + e.getKey().key, e.getValue().sum());
        }
        m.put("refused.passphrase", refusedPassphrase.sum());
        m.putAll(stats().counters());
        return m;
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    static long millisToNanos(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
