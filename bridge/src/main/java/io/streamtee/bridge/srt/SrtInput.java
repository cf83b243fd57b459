package io.streamtee.bridge.srt;

import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code srt://host:port?mode=listener|caller|rendezvous&passphrase=...&latency=120ms&streamid=...}: receives an
 * MPEG-TS stream over SRT (live mode) with libsrt ({@link Libsrt}) and hands each SRT message (1316 bytes, 7 TS
 * packets: one sender datagram) to the route as one datagram, as it came: no remux. A listener (the default) waits
 * for a caller on the port and, when the caller goes (it closes, or sends nothing for {@code timeoutMillis}), listens
 * again; a caller or rendezvous connects again with backoff.
 *
 * <p>A passphrase turns on AES encryption; libsrt refuses a peer with another passphrase (or none) in the handshake,
 * counted as {@code refused.passphrase} in either role ({@link SrtLink}). libsrt's statistics of the link are in
 * {@link #counters()} ({@code srt.*}: packets, loss, retransmissions, drops, bytes) and {@link #gauges()} (RTT,
 * bandwidth, latency).
 *
 * <p>Runs on a thread of its own; every libsrt call it makes returns within {@value SrtSocket#SLICE_MILLIS} ms, so
 * {@link #close()} never waits longer than that. One log line per change of state; the URL is logged only
 * {@linkplain Endpoint#masked() masked} (no passphrase).
 */
public final class SrtInput implements Input {
    private static final Logger log = LoggerFactory.getLogger(SrtInput.class);
    public static final long DEFAULT_TIMEOUT_MILLIS = 5_000;

    private final Stopper stopper = new Stopper();
    private final SrtLink link;
    private final DatagramSink sink;
    private final Thread thread;
    private SrtLink.Trouble logged;

    /** An input for {@code endpoint}; {@link #start()} starts it. Throws {@link Libsrt.LibsrtMissing}. */
    public SrtInput(String route, Endpoint endpoint, DatagramSink sink, long timeoutMillis) {
        this(route, endpoint, sink, timeoutMillis, 0);
    }

    /** As above; {@code localPort} for rendezvous (0: the endpoint's port, as the far end expects). */
    SrtInput(String route, Endpoint endpoint, DatagramSink sink, long timeoutMillis, int localPort) {
        this.link = new SrtLink(Libsrt.load(), "route " + route + " input " + endpoint.masked(), endpoint, localPort,
                timeoutMillis, log);
        this.sink = sink;
        this.thread = Thread.ofPlatform().name("srt-" + route).daemon().unstarted(this::run);
    }

    public SrtInput start() {
        thread.start();
        return this;
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
        stopper.stopAndJoin(thread, 5_000);
    }

    private void run() {
        int failures = 0;
        boolean everConnected = false;
        byte[] buffer = new byte[1500];
        while (!stopper.stopped()) {
            SrtLink.Trouble trouble;
            String detail = null;
            boolean streamed = false;
            SrtSocket s = null;
            try {
                s = link.open(stopper::stopped);
                if (s == null) {
                    break;
                }
                long before = link.messages.sum();
                trouble = read(s, buffer, everConnected);
                streamed = link.messages.sum() > before;
            } catch (SrtSocket.SrtException e) {
                trouble = SrtLink.trouble(e);
                detail = trouble == SrtLink.Trouble.OTHER ? e.getMessage() : null;
            } catch (RuntimeException e) {
                trouble = SrtLink.Trouble.OTHER;
                detail = e.toString();
                log.debug("{}: session failed", link.where, e);
            } finally {
                if (s != null) {
                    link.ended(s);
                }
            }
            everConnected |= streamed;
            if (stopper.stopped()) {
                break;
            }
            failures = streamed ? 1 : failures + 1;
            link.count(trouble);
            long wait = link.listener() ? 0 : trouble.backoff.delayMillis(failures);
            if (trouble != logged) {
                logged = trouble;
                log.warn("{}: {}{}; {} in {} ms", link.where, trouble.text, detail == null ? "" : " (" + detail + ")",
                        link.listener() ? "listening again" : "trying again", wait);
            }
            stopper.pause(wait);
        }
    }

    /** Reads messages until the peer goes or the input is closed; each message is one datagram for the sink. */
    private SrtLink.Trouble read(SrtSocket s, byte[] buffer, boolean reconnect) {
        boolean first = true;
        long silentSince = System.nanoTime();
        long sampled = System.nanoTime();
        long timeoutNanos = SrtLink.millisToNanos(link.timeoutMillis());
        while (!stopper.stopped()) {
            if (System.nanoTime() - sampled > 500_000_000L) {
                sampled = System.nanoTime();
                link.sample(s);
            }
            int n;
            try {
                n = s.receive(buffer);
            } catch (SrtSocket.SrtException e) {
                link.sample(s);
                return SrtLink.Trouble.LOST;
            }
            if (n == 0) {
                if (System.nanoTime() - silentSince > timeoutNanos) {
                    return first ? SrtLink.Trouble.TIMEOUT : SrtLink.Trouble.LOST;
                }
                continue;
            }
            silentSince = System.nanoTime();
            if (first) {
                first = false;
                link.connects.increment();
                if (reconnect) {
                    link.reconnects.increment();
                }
                logged = null;
                log.info("{}: receiving{}", link.where, reconnect ? " again" : "");
            }
            link.messages.increment();
            link.bytes.add(n);
            sink.accept(List.of(Arrays.copyOf(buffer, n)));
        }
        return SrtLink.Trouble.LOST;
    }
}
