package io.streamtee.bridge;

import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_DIRECT;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_READ;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open2;
import static org.bytedeco.ffmpeg.global.avformat.avio_read_partial;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.media.Ffmpeg;
import io.streamtee.net.Backoff;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code srt://host:port?mode=listener|caller|rendezvous&passphrase=...&latency=120ms&streamid=...}: receives an
 * MPEG-TS stream over SRT (live mode) with libavformat's {@code srt} protocol (libsrt, built into bytedeco's FFmpeg)
 * and hands each SRT message (1316 bytes, 7 TS packets: one sender datagram) to the route as one datagram, as it
 * came: no remux. A listener (the default) waits for a caller on the port and, when the caller goes (it closes, or
 * sends nothing for {@code timeoutMillis}), listens again; a caller or rendezvous connects again with backoff.
 *
 * <p>A passphrase turns on AES encryption; libsrt refuses a peer with another passphrase (or none) in the handshake.
 * Seen from a caller, that refusal is counted ({@code errors.refused}); seen from a listener, libsrt refuses the peer
 * before libavformat learns of it, so nothing is delivered, the listener keeps listening, and nothing is counted.
 *
 * <p>Runs on a thread of its own; every blocking call of libavformat is bounded by an interrupt callback that ends
 * it when {@link #close()} is called (or, when connecting or reading, after {@code timeoutMillis} of silence). One
 * log line per change of state; the URL is logged only {@linkplain Endpoint#masked() masked} (no passphrase).
 */
final class SrtInput implements Input {
    private static final Logger log = LoggerFactory.getLogger(SrtInput.class);
    static final long DEFAULT_TIMEOUT_MILLIS = 5_000;
    /** SRT's live-mode payload: 7 MPEG-TS packets. */
    static final int PAYLOAD = 1316;

    static {
        Ffmpeg.quiet();
    }

    /** Why a session ended: counter key ({@code errors.<key>}), a line for a person, how soon to try again. */
    enum Trouble {
        TIMEOUT("timeout", "the peer sent nothing", backoff(500, 10_000)),
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

        static Trouble of(int code, boolean timedOut) {
            if (timedOut || code == AVERROR_EXIT || code == -110 /* ETIMEDOUT */) {
                return TIMEOUT;
            }
            if (code == -111 /* ECONNREFUSED */ || code == -113 /* EHOSTUNREACH */ || code == -101) {
                return REFUSED;
            }
            if (code == AVERROR_EOF || code == -104 /* ECONNRESET */ || code == -32 /* EPIPE */ || code == -5) {
                return LOST;
            }
            return OTHER;
        }
    }

    private final Interrupter interrupter = new Interrupter();
    private final String where;
    private final String url;
    private final Map<String, String> options;
    private final boolean listener;
    private final DatagramSink sink;
    private final long timeoutNanos;
    private final Thread thread;
    private final LongAdder connects = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder messages = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Map<Trouble, LongAdder> errors = new EnumMap<>(Trouble.class);
    private Trouble logged;

    SrtInput(String route, Endpoint endpoint, DatagramSink sink, long timeoutMillis) {
        this.where = "route " + route + " input " + endpoint.masked();
        this.url = libavformatUrl(endpoint);
        this.options = options(endpoint);
        this.listener = endpoint.srtMode().equals("listener");
        this.sink = sink;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Trouble t : Trouble.values()) {
            errors.put(t, new LongAdder());
        }
        this.thread = Thread.ofPlatform().name("srt-" + route).daemon().unstarted(this::run);
    }

    /** The URL for libavformat's {@code srt} protocol: only the host and port; the rest goes in {@link #options}. */
    static String libavformatUrl(Endpoint e) {
        InetAddress a = e.address().getAddress();
        String host = e.isIpv6() ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return "srt://" + host + ":" + e.address().getPort();
    }

    /**
     * The protocol's options: the mode, live transmission with 1316-byte messages, the latency in microseconds, the
     * passphrase and stream id as given. Given as options rather than in the URL, so that libavformat's own error
     * lines (which name the URL) never show the passphrase.
     */
    static Map<String, String> options(Endpoint e) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("mode", e.srtMode());
        q.put("transtype", "live");
        q.put("payload_size", Integer.toString(PAYLOAD));
        if (e.srtLatency() != null) {
            q.put("latency", Long.toString(TimeUnit.NANOSECONDS.toMicros(e.srtLatency().toNanos())));
        }
        if (e.srtPassphrase() != null) {
            q.put("passphrase", e.srtPassphrase());
        }
        if (e.params().containsKey("streamid")) {
            q.put("streamid", e.params().get("streamid"));
        }
        return q;
    }

    SrtInput start() {
        interrupter.register();
        thread.start();
        return this;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("connects", connects.sum());
        m.put("reconnects", reconnects.sum());
        m.put("messages", messages.sum());
        m.put("bytes", bytes.sum());
        for (Map.Entry<Trouble, LongAdder> e : errors.entrySet()) {
            m.put("errors." + e.getKey().key, e.getValue().sum());
        }
        return m;
    }

    @Override
    public void close() {
        interrupter.stopAndJoin(thread);
    }

    private void run() {
        int failures = 0;
        boolean everConnected = false;
        byte[] buffer = new byte[65_536];
        try (BytePointer native_ = new BytePointer(buffer.length)) {
            while (!interrupter.stopped()) {
                boolean[] streamed = {false};
                Trouble trouble;
                String detail = null;
                AVIOContext io = new AVIOContext(null);
                try {
                    int ret = open(io);
                    if (ret < 0) {
                        trouble = Trouble.of(ret, interrupter.timedOut());
                        detail = trouble == Trouble.OTHER ? Ffmpeg.describe(ret) : null;
                    } else {
                        trouble = read(io, native_, buffer, everConnected, streamed);
                    }
                } catch (RuntimeException e) {
                    trouble = Trouble.OTHER;
                    detail = e.toString();
                    log.debug("{}: session failed", where, e);
                } finally {
                    if (!io.isNull()) {
                        avio_closep(io);
                    }
                }
                everConnected |= streamed[0];
                if (interrupter.stopped()) {
                    break;
                }
                failures = streamed[0] ? 1 : failures + 1;
                errors.get(trouble).increment();
                long wait = trouble.backoff.delayMillis(failures);
                if (trouble != logged) {
                    logged = trouble;
                    log.warn("{}: {}{}; {} in {} ms", where, trouble.text, detail == null ? "" : " (" + detail + ")",
                            listener ? "listening again" : "trying again", wait);
                }
                interrupter.pause(wait);
            }
        }
    }

    private int open(AVIOContext io) {
        interrupter.arm(timeoutNanos, listener);
        AVIOInterruptCB cb = new AVIOInterruptCB();
        interrupter.install(cb);
        AVDictionary dict = new AVDictionary(null);
        for (Map.Entry<String, String> o : options.entrySet()) {
            av_dict_set(dict, o.getKey(), o.getValue(), 0);
        }
        try {
            int ret = avio_open2(io, url, AVIO_FLAG_READ | AVIO_FLAG_DIRECT, cb, dict);
            // EIO from connecting: libsrt refused the handshake (another passphrase, a rejected stream id)
            return ret == -5 ? -111 : ret;
        } finally {
            av_dict_free(dict);
            cb.close();
        }
    }

    /** Reads messages until the peer goes or the input is closed; each message is one datagram for the sink. */
    private Trouble read(AVIOContext io, BytePointer native_, byte[] buffer, boolean reconnect, boolean[] streamed) {
        while (!interrupter.stopped()) {
            interrupter.arm(timeoutNanos, false);
            int n = avio_read_partial(io, native_, buffer.length);
            if (n < 0) {
                Trouble t = Trouble.of(n, interrupter.timedOut());
                return t == Trouble.TIMEOUT && streamed[0] || t == Trouble.REFUSED ? Trouble.LOST : t;
            }
            if (n == 0) {
                continue;
            }
            if (!streamed[0]) {
                streamed[0] = true;
                connects.increment();
                if (reconnect) {
                    reconnects.increment();
                }
                logged = null;
                log.info("{}: receiving{}", where, reconnect ? " again" : "");
            }
            native_.get(buffer, 0, n);
            messages.increment();
            bytes.add(n);
            sink.accept(List.of(Arrays.copyOf(buffer, n)));
        }
        return Trouble.LOST;
    }

}
