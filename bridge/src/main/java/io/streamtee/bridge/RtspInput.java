package io.streamtee.bridge;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_HEVC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_clone;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.media.Ffmpeg;
import io.streamtee.media.FfmpegException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.PointerPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code rtsp://user:pass@camera:554/path?transport=tcp|udp}: pulls a camera's stream with libavformat's RTSP client
 * (RTP interleaved in the RTSP connection by default, over UDP with {@code transport=udp}), takes its H.264 or H.265
 * video as it is (access units and timestamps untouched, no re-encoding) and remuxes it into MPEG-TS datagrams
 * ({@link TsMuxer}) for the route. Audio is dropped, with one log line.
 *
 * <p>Runs on a thread of its own. When the camera cannot be reached, answers with an error, or its stream stops, the
 * input tries again after a wait that grows with each failure in a row ({@link Trouble} says how fast for each kind:
 * refused credentials are tried again only every 30 s and more); one log line per change of state, never per
 * attempt, and each kind counted in {@link #counters()}. Every blocking call of libavformat is bounded: an interrupt
 * callback ends it when {@link #close()} is called or when the camera sends nothing for {@code timeoutMillis}.
 * The URL is logged only {@linkplain Endpoint#masked() masked}.
 */
final class RtspInput implements Input {
    private static final Logger log = LoggerFactory.getLogger(RtspInput.class);
    /** How long the camera may stay silent (connecting, answering, sending) before the attempt counts as a timeout. */
    static final long DEFAULT_TIMEOUT_MILLIS = 5_000;

    static {
        Ffmpeg.quiet();
    }

    private final Interrupter interrupter = new Interrupter();
    private final String where;
    private final String url;
    private final String transport;
    private final DatagramSink sink;
    private final long timeoutNanos;
    private final Thread thread;
    private final LongAdder connects = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final Map<Trouble, LongAdder> errors = new EnumMap<>(Trouble.class);
    /** The trouble last logged, null when the stream flows. */
    private Trouble logged;

    /**
     * @param timeoutMillis how long the camera may stay silent (see {@link #DEFAULT_TIMEOUT_MILLIS})
     */
    RtspInput(String route, Endpoint endpoint, DatagramSink sink, long timeoutMillis) {
        this.where = "route " + route + " input " + endpoint.masked();
        this.url = cameraUrl(endpoint);
        this.transport = endpoint.transport();
        this.sink = sink;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Trouble t : Trouble.values()) {
            errors.put(t, new LongAdder());
        }
        this.thread = Thread.ofPlatform().name("rtsp-" + route).daemon().unstarted(this::run);
    }

    /** The URL for libavformat: the one given, without the parameters that are streamtee's ({@code transport}). */
    static String cameraUrl(Endpoint endpoint) {
        String raw = endpoint.url().strip();
        int query = raw.indexOf('?');
        String base = query < 0 ? raw : raw.substring(0, query);
        List<String> kept = new ArrayList<>();
        for (Map.Entry<String, String> p : endpoint.params().entrySet()) {
            if (!p.getKey().equals("transport")) {
                kept.add(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)
                        + (p.getValue().isEmpty() ? "" : "=" + URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8)));
            }
        }
        return kept.isEmpty() ? base : base + "?" + String.join("&", kept);
    }

    RtspInput start() {
        interrupter.register();
        thread.start();
        return this;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("connects", connects.sum());
        m.put("reconnects", reconnects.sum());
        for (Map.Entry<Trouble, LongAdder> e : errors.entrySet()) {
            m.put("errors." + e.getKey().key, e.getValue().sum());
        }
        return m;
    }

    /** Stops the input; waits (a few seconds at most) for its thread, which frees what libavformat holds. */
    @Override
    public void close() {
        interrupter.stopAndJoin(thread);
    }

    private void run() {
        int failures = 0;
        boolean everConnected = false;
        while (!interrupter.stopped()) {
            Session s = new Session();
            Trouble trouble;
            String detail;
            try {
                trouble = s.run(everConnected);
                detail = s.detail;
            } catch (RuntimeException e) { // libavformat refused something (FfmpegException), or a bug: never the end
                trouble = Trouble.OTHER;
                detail = e instanceof FfmpegException ? e.getMessage() : e.toString();
                log.debug("{}: session failed", where, e);
            } finally {
                s.close();
            }
            everConnected |= s.streamed;
            if (interrupter.stopped()) {
                break;
            }
            failures = s.streamed ? 1 : failures + 1;
            errors.get(trouble).increment();
            long wait = trouble.backoff.delayMillis(failures);
            if (trouble != logged) {
                logged = trouble;
                log.warn("{}: {}{}; trying again in {} ms{}", where, trouble.text, detail == null ? "" : " (" + detail
                        + ")", wait, trouble.backoff.max().toMillis() > wait ? " and less often after that" : "");
            }
            interrupter.pause(wait);
        }
    }

    /** One frame interval in the stream's time base: from its frame rate, else 1/30 s. */
    static long frameInterval(AVStream stream) {
        AVRational tb = stream.time_base();
        AVRational rate = stream.avg_frame_rate().num() > 0 ? stream.avg_frame_rate() : stream.r_frame_rate();
        long fps100 = rate.num() > 0 && rate.den() > 0 ? 100L * rate.num() / rate.den() : 0;
        if (fps100 < 100 || fps100 > 24_000) {
            rate = new AVRational().num(30).den(1);
        }
        long step = (long) tb.den() * rate.den() / ((long) tb.num() * rate.num());
        return Math.max(1, step);
    }

    /** One connection to the camera: open, check the streams, pass packets on until something ends it. */
    private final class Session implements AutoCloseable {
        private AVFormatContext context;
        private TsMuxer muxer;
        private AVPacket packet;
        /** Packets waiting for their times ({@link MissingTimes}). */
        private final List<AVPacket> held = new ArrayList<>();
        boolean streamed;
        String detail;

        /** @return why it ended */
        Trouble run(boolean reconnect) {
            interrupter.arm(timeoutNanos, false);
            context = avformat_alloc_context();
            if (context == null || context.isNull()) {
                throw new FfmpegException("no memory for the RTSP client", -12);
            }
            interrupter.install(context.interrupt_callback());
            AVDictionary options = new AVDictionary(null);
            av_dict_set(options, "rtsp_transport", transport, 0);
            av_dict_set(options, "timeout", Long.toString(TimeUnit.NANOSECONDS.toMicros(timeoutNanos)), 0);
            int ret;
            try {
                ret = avformat_open_input(context, url, (AVInputFormat) null, options);
            } finally {
                av_dict_free(options);
            }
            if (ret < 0) {
                context = null; // freed by avformat_open_input
                return failed(ret);
            }
            ret = avformat_find_stream_info(context, (PointerPointer<?>) null);
            if (ret < 0) {
                return failed(ret);
            }
            int video = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
            if (video < 0) {
                return Trouble.NO_VIDEO;
            }
            AVStream in = context.streams(video);
            AVCodecParameters par = in.codecpar();
            if (par.codec_id() != AV_CODEC_ID_H264 && par.codec_id() != AV_CODEC_ID_HEVC) {
                detail = avcodec_get_name(par.codec_id()).getString();
                return Trouble.CODEC;
            }
            List<String> dropped = new ArrayList<>();
            for (int i = 0; i < context.nb_streams(); i++) {
                AVCodecParameters p = context.streams(i).codecpar();
                if (i != video && p.codec_type() == AVMEDIA_TYPE_AUDIO) {
                    dropped.add(avcodec_get_name(p.codec_id()).getString());
                }
            }
            muxer = new TsMuxer(par, in.time_base(), sink::accept);
            packet = av_packet_alloc();
            String codec = par.codec_id() == AV_CODEC_ID_H264 ? "H.264" : "H.265";
            MissingTimes times = new MissingTimes(frameInterval(in));
            while (!interrupter.stopped()) {
                interrupter.arm(timeoutNanos, false);
                ret = av_read_frame(context, packet);
                if (ret < 0) {
                    if (!streamed) {
                        return failed(ret);
                    }
                    Trouble t = Trouble.of(ret, interrupter.timedOut());
                    if (t == Trouble.TIMEOUT || t == Trouble.OTHER || t == Trouble.NOT_RTSP) {
                        detail = t == Trouble.TIMEOUT ? "no video for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                                + " ms" : Ffmpeg.describe(ret);
                    }
                    muxer.finish();
                    return Trouble.LOST;
                }
                try {
                    if (packet.stream_index() != video) {
                        continue;
                    }
                    if (!streamed) {
                        streamed = true;
                        connects.increment();
                        if (reconnect) {
                            reconnects.increment();
                        }
                        logged = null;
                        log.info("{}: receiving {} {}x{} over {}{}{}", where, codec, par.width(), par.height(),
                                transport, reconnect ? " again" : "",
                                dropped.isEmpty() ? "" : "; audio (" + String.join(", ", dropped)
                                        + ") dropped: no audio pass-through yet");
                    }
                    long pts = packet.pts();
                    long dts = packet.dts();
                    if (times.mustHold(pts, dts)) {
                        if (times.hold(pts, dts, (packet.flags() & AV_PKT_FLAG_KEY) != 0)) {
                            held.add(av_packet_clone(packet));
                        }
                        continue;
                    }
                    if (!held.isEmpty()) {
                        long[][] settled = times.settle(pts, dts);
                        for (int i = 0; i < settled.length; i++) {
                            write(held.get(i), settled[i], in.time_base());
                        }
                        freeHeld();
                    }
                    write(packet, times.next(pts, dts), in.time_base());
                } finally {
                    av_packet_unref(packet);
                }
            }
            return Trouble.LOST;
        }

        /** Writes one packet with the times given (in {@code timeBase}); a packet the muxer refuses is counted. */
        private void write(AVPacket p, long[] times, AVRational timeBase) {
            p.pts(times[0]);
            p.dts(times[1]);
            av_packet_rescale_ts(p, timeBase, muxer.streamTimeBase());
            int ret = muxer.write(p);
            if (ret < 0) {
                errors.get(Trouble.OTHER).increment();
                log.debug("{}: a packet refused by the muxer: {}", where, Ffmpeg.describe(ret));
            }
        }

        private void freeHeld() {
            for (AVPacket p : held) {
                av_packet_free(p);
            }
            held.clear();
        }

        private Trouble failed(int code) {
            Trouble t = Trouble.of(code, interrupter.timedOut());
            if (t == Trouble.OTHER || t == Trouble.NOT_RTSP) {
                detail = Ffmpeg.describe(code);
            }
            return t;
        }

        @Override
        public void close() {
            if (muxer != null) {
                muxer.close();
            }
            if (packet != null) {
                av_packet_free(packet);
            }
            freeHeld();
            if (context != null) {
                avformat_close_input(context);
            }
        }
    }
}
