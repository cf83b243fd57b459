package io.streamtee.bridge.srt;

import io.streamtee.config.Endpoint;
import io.streamtee.relay.output.DatagramOutput;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code srt://host:port?mode=caller|listener|rendezvous&passphrase=...&latency=...&streamid=...} as a route output:
 * sends the route's datagrams over SRT (live mode, messages of at most 1316 bytes: a datagram of 7 TS packets is one
 * message, a larger one is cut at 1316-byte boundaries) with libsrt. A caller connects to the receiver; a listener
 * (the default) waits for one. While not connected, datagrams are refused ({@link #offer} returns false: the route
 * counts them dropped); at most {@value #QUEUE} wait to be sent. When the peer goes, the output calls or listens
 * again, with backoff. Counters and gauges as {@link SrtInput}'s.
 *
 * <p>Closing does not cut the stream's tail: what is queued is sent, then the output waits until the receiver has
 * acknowledged every packet ({@code srt_getsndbuffer}) and one latency more (the receiver plays a packet out
 * {@code latency} after it was sent, and drops what it holds when the connection closes), {@value #LINGER_MILLIS} ms
 * at most in all, before it closes the connection.
 */
public final class SrtOutput implements DatagramOutput {
    private static final Logger log = LoggerFactory.getLogger(SrtOutput.class);
    static final int QUEUE = 1024;
    public static final long DEFAULT_TIMEOUT_MILLIS = 5_000;
    /** The longest close waits for the tail to be delivered. */
    static final long LINGER_MILLIS = 3_000;

    private final Stopper stopper = new Stopper();
    private final SrtLink link;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private volatile boolean connected;
    private SrtLink.Trouble logged;

    /** An output for {@code endpoint}; {@link #start()} starts it. Throws {@link Libsrt.LibsrtMissing}. */
    public SrtOutput(String route, Endpoint endpoint, long timeoutMillis) {
        this(route, endpoint, timeoutMillis, 0);
    }

    /** As above; {@code localPort} for rendezvous (0: the endpoint's port, as the far end expects). */
    SrtOutput(String route, Endpoint endpoint, long timeoutMillis, int localPort) {
        this.link = new SrtLink(Libsrt.load(), "route " + route + " output " + endpoint.masked(), endpoint,
                localPort, timeoutMillis, log);
        this.thread = Thread.ofPlatform().name("srt-out-" + route).daemon().unstarted(this::run);
    }

    public SrtOutput start() {
        thread.start();
        return this;
    }

    @Override
    public boolean offer(byte[] datagram) {
        return connected && !stopper.stopped() && queue.offer(datagram);
    }

    /** What the link does now: {@code idle}, {@code listening}, {@code calling} or {@code connected}. */
    String phase() {
        return link.phase();
    }

    @Override
    public Map<String, Long> counters() {
        return link.counters();
    }

    @Override
    public Map<String, Double> gauges() {
        return link.gauges();
    }

    @Override
    public void close() {
        stopper.stopAndJoin(thread, LINGER_MILLIS + 2_000);
    }

    private void run() {
        int failures = 0;
        boolean everConnected = false;
        while (!stopper.stopped()) {
            SrtLink.Trouble trouble;
            String detail = null;
            boolean sent = false;
            SrtSocket s = null;
            try {
                s = link.open(stopper::stopped);
                if (s == null) {
                    break;
                }
                queue.clear();
                connected = true;
                link.connects.increment();
                if (everConnected) {
                    link.reconnects.increment();
                }
                everConnected = true;
                sent = true;
                logged = null;
                log.info("{}: connected{}", link.where, link.connects.sum() > 1 ? " again" : "");
                trouble = send(s);
            } catch (SrtSocket.SrtException e) {
                trouble = SrtLink.trouble(e);
                detail = trouble == SrtLink.Trouble.OTHER ? e.getMessage() : null;
            } catch (RuntimeException e) {
                trouble = SrtLink.Trouble.OTHER;
                detail = e.toString();
                log.debug("{}: session failed", link.where, e);
            } finally {
                connected = false;
                if (s != null) {
                    link.ended(s);
                }
            }
            if (stopper.stopped()) {
                break;
            }
            failures = sent ? 1 : failures + 1;
            link.count(trouble);
            long wait = link.listener() ? 0 : trouble.backoff.delayMillis(failures);
            if (trouble != logged) {
                logged = trouble;
                log.warn("{}: {}{}; {} in {} ms", link.where, trouble.text, detail == null ? "" : " (" + detail + ")",
                        link.listener() ? "listening again" : "trying again", wait);
            }
            stopper.pause(wait);
        }
        queue.clear();
    }

    /**
     * Sends queued datagrams, one message per 1316 bytes at most, until a send fails or the output is closed; closed,
     * sends what is queued and waits for it to be delivered ({@link #linger}).
     */
    private SrtLink.Trouble send(SrtSocket s) {
        long lingerUntil = 0;
        long sampled = System.nanoTime();
        while (true) {
            if (System.nanoTime() - sampled > 500_000_000L) {
                sampled = System.nanoTime();
                link.sample(s);
            }
            boolean stopping = stopper.stopped();
            if (stopping && lingerUntil == 0) {
                connected = false;
                lingerUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
            }
            byte[] d;
            try {
                d = stopping ? queue.poll() : queue.poll(SrtSocket.SLICE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                stopper.stop();
                continue;
            }
            if (d == null) {
                if (stopping) {
                    linger(s, lingerUntil);
                    link.sample(s);
                    return SrtLink.Trouble.LOST;
                }
                continue;
            }
            for (int at = 0; at < d.length; at += SrtLink.PAYLOAD) {
                int n = Math.min(SrtLink.PAYLOAD, d.length - at);
                try {
                    while (!s.send(d, at, n)) {
                        if (stopping && System.nanoTime() - lingerUntil > 0) {
                            return SrtLink.Trouble.LOST;
                        }
                    }
                } catch (SrtSocket.SrtException e) {
                    return SrtLink.Trouble.LOST;
                }
                link.messages.increment();
                link.bytes.add(n);
            }
        }
    }

    /** Waits until the receiver acknowledged every packet and one peer latency more, or until {@code untilNanos}. */
    private static void linger(SrtSocket s, long untilNanos) {
        while (System.nanoTime() - untilNanos < 0 && s.unacknowledged() > 0
                && s.state() == Libsrt.SRTS_CONNECTED) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        int latency = s.getInt(Libsrt.SRTO_PEERLATENCY);
        long playOut = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(latency, 0) + 20L);
        long end = playOut - untilNanos < 0 ? playOut : untilNanos;
        while (System.nanoTime() - end < 0 && s.state() == Libsrt.SRTS_CONNECTED) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
