package io.streamtee.bridge;

import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_DIRECT;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open2;
import static org.bytedeco.ffmpeg.global.avformat.avio_write;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import io.streamtee.config.Endpoint;
import io.streamtee.media.Ffmpeg;
import io.streamtee.relay.output.DatagramOutput;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code srt://host:port?mode=caller|listener|rendezvous&passphrase=...&latency=...&streamid=...} as a route output:
 * sends the route's datagrams over SRT (live mode, messages of at most 1316 bytes: a datagram of 7 TS packets is one
 * message, a larger one is cut at 1316-byte boundaries) with libavformat's {@code srt} protocol. A caller connects
 * to the receiver; a listener (the default) waits for one. While not connected, datagrams are refused
 * ({@link #offer} returns false: the route counts them dropped); at most {@value #QUEUE} wait to be sent.
 * When the peer goes, the output calls or listens again, with backoff. Options as {@link SrtInput#options}, so the
 * passphrase never appears in a URL FFmpeg may print; logs show the {@linkplain Endpoint#masked() masked} URL.
 */
final class SrtOutput implements DatagramOutput {
    private static final Logger log = LoggerFactory.getLogger(SrtOutput.class);
    static final int QUEUE = 1024;
    static final long DEFAULT_TIMEOUT_MILLIS = 5_000;

    static {
        Ffmpeg.quiet();
    }

    private final Interrupter interrupter = new Interrupter();
    private final String where;
    private final String url;
    private final Map<String, String> options;
    private final boolean listener;
    private final long timeoutNanos;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private final LongAdder connects = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder messages = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Map<SrtInput.Trouble, LongAdder> errors = new EnumMap<>(SrtInput.Trouble.class);
    private volatile boolean connected;
    private SrtInput.Trouble logged;

    SrtOutput(String route, Endpoint endpoint, long timeoutMillis) {
        this.where = "route " + route + " output " + endpoint.masked();
        this.url = SrtInput.libavformatUrl(endpoint);
        this.options = SrtInput.options(endpoint);
        this.listener = endpoint.srtMode().equals("listener");
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (SrtInput.Trouble t : SrtInput.Trouble.values()) {
            errors.put(t, new LongAdder());
        }
        this.thread = Thread.ofPlatform().name("srt-out-" + route).daemon().unstarted(this::run);
    }

    SrtOutput start() {
        interrupter.register();
        thread.start();
        return this;
    }

    @Override
    public boolean offer(byte[] datagram) {
        return connected && !interrupter.stopped() && queue.offer(datagram);
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("connects", connects.sum());
        m.put("reconnects", reconnects.sum());
        m.put("messages", messages.sum());
        m.put("bytes", bytes.sum());
        for (Map.Entry<SrtInput.Trouble, LongAdder> e : errors.entrySet()) {
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
        try (BytePointer buffer = new BytePointer(SrtInput.PAYLOAD)) {
            while (!interrupter.stopped()) {
                SrtInput.Trouble trouble;
                String detail = null;
                boolean sent = false;
                AVIOContext io = new AVIOContext(null);
                try {
                    int ret = open(io);
                    if (ret < 0) {
                        trouble = SrtInput.Trouble.of(ret, interrupter.timedOut());
                        detail = trouble == SrtInput.Trouble.OTHER ? Ffmpeg.describe(ret) : null;
                    } else {
                        queue.clear();
                        connected = true;
                        connects.increment();
                        if (everConnected) {
                            reconnects.increment();
                        }
                        everConnected = true;
                        sent = true;
                        logged = null;
                        log.info("{}: connected{}", where, connects.sum() > 1 ? " again" : "");
                        trouble = send(io, buffer);
                    }
                } catch (RuntimeException e) {
                    trouble = SrtInput.Trouble.OTHER;
                    detail = e.toString();
                    log.debug("{}: session failed", where, e);
                } finally {
                    connected = false;
                    if (!io.isNull()) {
                        avio_closep(io);
                    }
                }
                if (interrupter.stopped()) {
                    break;
                }
                failures = sent ? 1 : failures + 1;
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
        queue.clear();
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
            int ret = avio_open2(io, url, AVIO_FLAG_WRITE | AVIO_FLAG_DIRECT, cb, dict);
            return ret == -5 ? -111 : ret; // EIO from connecting: libsrt refused the handshake
        } finally {
            av_dict_free(dict);
            cb.close();
        }
    }

    /** Sends queued datagrams, one message per 1316 bytes at most, until a send fails or the output is closed. */
    private SrtInput.Trouble send(AVIOContext io, BytePointer buffer) {
        interrupter.arm(timeoutNanos, false);
        while (!interrupter.stopped()) {
            byte[] d;
            try {
                d = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupter.stop();
                break;
            }
            if (d == null) {
                continue;
            }
            for (int at = 0; at < d.length; at += SrtInput.PAYLOAD) {
                int n = Math.min(SrtInput.PAYLOAD, d.length - at);
                interrupter.arm(timeoutNanos, false);
                buffer.position(0).put(d, at, n);
                avio_write(io, buffer, n);
                if (io.error() < 0) {
                    SrtInput.Trouble t = SrtInput.Trouble.of(io.error(), interrupter.timedOut());
                    return t == SrtInput.Trouble.TIMEOUT || t == SrtInput.Trouble.REFUSED ? SrtInput.Trouble.LOST : t;
                }
                messages.increment();
                bytes.add(n);
            }
        }
        return SrtInput.Trouble.LOST;
    }

}
