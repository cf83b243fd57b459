package io.streamtee.bridge;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
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
 * {@code rtsp://user:pass@camera:554/path?transport=tcp|udp&audio=copy|drop}: pulls a camera's stream with
 * libavformat's RTSP client (RTP interleaved in the RTSP connection by default, over UDP with {@code transport=udp}),
 * takes its H.264 or H.265 video as it is (access units and timestamps untouched, no re-encoding) and remuxes it into
 * MPEG-TS datagrams ({@link TsMuxer}) for the route.
 *
 * <p>Audio ({@code audio=copy}, the default): AAC is copied into the MPEG-TS as it is (the muxer adds the ADTS headers
 * MPEG-TS wants). Any other audio is dropped, with a note in the "receiving" line: G.711 (PCMU, PCMA) has no MPEG-TS
 * stream type that players read (libavformat's muxer would write it as private data nobody decodes), so copying it
 * would only cost bandwidth; turning it into AAC is a re-encode, which this input does not do. When no audio is copied
 * ({@code audio=drop}, or a codec not copied) the camera is asked for its video only. Audio packets before the first
 * video packet or without any time are dropped and counted ({@code audio.dropped}); the others' times are kept rising
 * and continuous ({@link AudioTimes}), and the video's continuous across libavformat's RTCP-sync jump
 * ({@link Rejoin}, counted as {@code time_jumps}).
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
    /** FFmpeg's own messages on this input's thread, at DEBUG ({@link Ffmpeg#logAs}). */
    private final Logger ffmpegLog;
    private final String url;
    private final String transport;
    private final boolean copyAudio;
    private final DatagramSink sink;
    private final long timeoutNanos;
    private final Thread thread;
    private final LongAdder connects = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder jumps = new LongAdder();
    private final LongAdder audioPackets = new LongAdder();
    private final LongAdder audioDropped = new LongAdder();
    private final Map<Trouble, LongAdder> errors = new EnumMap<>(Trouble.class);
    /** The trouble last logged, null when the stream flows. */
    private Trouble logged;

    /**
     * @param timeoutMillis how long the camera may stay silent (see {@link #DEFAULT_TIMEOUT_MILLIS})
     */
    RtspInput(String route, Endpoint endpoint, DatagramSink sink, long timeoutMillis) {
        this.where = "route " + route + " input " + endpoint.masked();
        this.ffmpegLog = LoggerFactory.getLogger(Ffmpeg.LOGGER + ".rtsp." + route);
        this.url = cameraUrl(endpoint);
        this.transport = endpoint.transport();
        this.copyAudio = endpoint.audio().equals("copy");
        this.sink = sink;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Trouble t : Trouble.values()) {
            errors.put(t, new LongAdder());
        }
        this.thread = Thread.ofPlatform().name("rtsp-" + route).daemon().unstarted(this::run);
    }

    /**
     * The URL for libavformat: the one given, without the parameters that are streamtee's ({@code transport},
     * {@code audio}).
     */
    static String cameraUrl(Endpoint endpoint) {
        String raw = endpoint.url().strip();
        int query = raw.indexOf('?');
        String base = query < 0 ? raw : raw.substring(0, query);
        List<String> kept = new ArrayList<>();
        for (Map.Entry<String, String> p : endpoint.params().entrySet()) {
            if (!p.getKey().equals("transport") && !p.getKey().equals("audio")) {
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
        m.put("time_jumps", jumps.sum());
        m.put("audio.packets", audioPackets.sum());
        m.put("audio.dropped", audioDropped.sum());
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
        Ffmpeg.logAs(ffmpegLog);
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
        private Video videoTimes;
        boolean streamed;
        String detail;

        /** @return why it ended */
        Trouble run(boolean reconnect) {
            int ret = open(!copyAudio);
            if (ret < 0) {
                return failed(ret);
            }
            if (context.nb_streams() == 0) {
                return Trouble.BAD_SDP; // libavformat skips the SDP lines it cannot read: garbage leaves no stream
            }
            int video = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
            if (video < 0) {
                return Trouble.NO_VIDEO;
            }
            AVCodecParameters par = context.streams(video).codecpar();
            if (par.codec_id() != AV_CODEC_ID_H264 && par.codec_id() != AV_CODEC_ID_HEVC) {
                detail = avcodec_get_name(par.codec_id()).getString();
                return Trouble.CODEC;
            }
            int audio = copyAudio ? copiedAudio() : -1;
            List<String> dropped = new ArrayList<>();
            for (int i = 0; i < context.nb_streams(); i++) {
                AVCodecParameters p = context.streams(i).codecpar();
                if (i != audio && p.codec_type() == AVMEDIA_TYPE_AUDIO) {
                    dropped.add(avcodec_get_name(p.codec_id()).getString());
                }
            }
            String droppedNote = !copyAudio ? "; audio not asked for (audio=drop)" : dropped.isEmpty() ? ""
                    : "; audio (" + String.join(", ", dropped) + ") dropped: only AAC is copied"
                            + " (G.711 has no MPEG-TS stream type players read)";
            if (audio < 0 && !dropped.isEmpty()) {
                // again without the audio: with one stream, libavformat never moves the video's times (see Rejoin)
                avformat_close_input(context);
                context = null;
                ret = open(true);
                if (ret < 0) {
                    return failed(ret);
                }
                video = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
                if (video < 0) {
                    return Trouble.NO_VIDEO;
                }
                par = context.streams(video).codecpar();
            }
            AVStream in = context.streams(video);
            List<TsMuxer.Track> tracks = new ArrayList<>(List.of(new TsMuxer.Track(par, in.time_base())));
            AVStream audioIn = audio < 0 ? null : context.streams(audio);
            String withAudio = "";
            if (audioIn != null) {
                tracks.add(new TsMuxer.Track(audioIn.codecpar(), audioIn.time_base()));
                withAudio = " with AAC " + audioIn.codecpar().sample_rate() + " Hz";
            }
            muxer = new TsMuxer(tracks, sink::accept);
            packet = av_packet_alloc();
            String codec = par.codec_id() == AV_CODEC_ID_H264 ? "H.264" : "H.265";
            Video v = new Video(in, context.nb_streams() > 1);
            videoTimes = v;
            AudioTimes audioTimes = audioIn == null ? null
                    : new AudioTimes(Math.max(1, audioIn.time_base().den() / Math.max(1, audioIn.time_base().num())));
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
                    if (packet.stream_index() == audio) {
                        long[] t = v.written ? audioTimes.next(packet.pts(), packet.dts(), packet.duration()) : null;
                        if (t != null && write(packet, t, audioIn.time_base(), 1)) {
                            audioPackets.increment();
                        } else {
                            audioDropped.increment();
                        }
                        continue;
                    }
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
                        log.info("{}: receiving {} {}x{}{} over {}{}{}", where, codec, par.width(), par.height(),
                                withAudio, transport, reconnect ? " again" : "", droppedNote);
                    }
                    v.take(packet);
                } finally {
                    av_packet_unref(packet);
                }
            }
            return Trouble.LOST;
        }

        /**
         * Opens the camera and reads its streams' parameters; {@code videoOnly}: sets up no other stream.
         *
         * @return libavformat's answer (negative: an error; {@link #context} is null when the opening failed)
         */
        private int open(boolean videoOnly) {
            interrupter.arm(timeoutNanos, false);
            Ffmpeg.lastError(); // forgets one from before
            context = avformat_alloc_context();
            if (context == null || context.isNull()) {
                throw new FfmpegException("no memory for the RTSP client", -12);
            }
            interrupter.install(context.interrupt_callback());
            AVDictionary options = new AVDictionary(null);
            av_dict_set(options, "rtsp_transport", transport, 0);
            av_dict_set(options, "timeout", Long.toString(TimeUnit.NANOSECONDS.toMicros(timeoutNanos)), 0);
            if (videoOnly) {
                av_dict_set(options, "allowed_media_types", "video", 0);
            }
            int ret;
            try {
                ret = avformat_open_input(context, url, (AVInputFormat) null, options);
            } finally {
                av_dict_free(options);
            }
            if (ret < 0) {
                context = null; // freed by avformat_open_input
                return ret;
            }
            return avformat_find_stream_info(context, (PointerPointer<?>) null);
        }

        /** The video stream's access units: their missing times filled in, a jump rejoined, then written. */
        private final class Video {
            private final AVStream in;
            private final MissingTimes times;
            private final Rejoin rejoin;
            /** Whether jumps are looked for: libavformat makes them only in a session of more than one stream. */
            private final boolean rejoining;
            /** Access units held after a jump ({@link Rejoin#LOOKAHEAD}). */
            private final List<AVPacket> afterJump = new ArrayList<>();
            boolean written;

            Video(AVStream in, boolean rejoining) {
                this.in = in;
                this.rejoining = rejoining;
                long step = frameInterval(in);
                this.times = new MissingTimes(step);
                this.rejoin = new Rejoin(step);
            }

            /** Takes one access unit (copied where it must wait). */
            void take(AVPacket p) {
                if (afterJump.isEmpty() && !(rejoining && rejoin.isJump(p.pts()))) {
                    timed(p);
                    return;
                }
                afterJump.add(av_packet_clone(p));
                if (afterJump.size() < Rejoin.LOOKAHEAD) {
                    return;
                }
                long[] pts = afterJump.stream().mapToLong(AVPacket::pts).toArray();
                long offset = rejoin.rejoin(pts);
                jumps.increment();
                log.debug("{}: the video's times jumped (RTCP sync); moved by {} from here", where, offset);
                for (AVPacket h : afterJump) {
                    timed(h);
                    av_packet_free(h);
                }
                afterJump.clear();
            }

            private void timed(AVPacket p) {
                long pts = rejoin.pts(p.pts());
                long dts = rejoin.dts(p.dts());
                if (times.mustHold(pts, dts)) {
                    if (times.hold(pts, dts, (p.flags() & AV_PKT_FLAG_KEY) != 0)) {
                        held.add(av_packet_clone(p));
                    }
                    return;
                }
                if (!held.isEmpty()) {
                    long[][] settled = times.settle(pts, dts);
                    for (int i = 0; i < settled.length; i++) {
                        rejoin.written(settled[i][0]);
                        write(held.get(i), settled[i], in.time_base(), 0);
                    }
                    freeHeld();
                }
                long[] t = times.next(pts, dts);
                rejoin.written(t[0]);
                write(p, t, in.time_base(), 0);
                written = true;
            }

            void free() {
                for (AVPacket h : afterJump) {
                    av_packet_free(h);
                }
                afterJump.clear();
            }
        }

        /**
         * Writes one packet of a track with the times given (in {@code timeBase}); a video packet the muxer refuses is
         * counted as an error.
         *
         * @return whether the muxer took it
         */
        private boolean write(AVPacket p, long[] times, AVRational timeBase, int track) {
            p.pts(times[0]);
            p.dts(times[1]);
            av_packet_rescale_ts(p, timeBase, muxer.streamTimeBase(track));
            int ret = muxer.write(p, track);
            if (ret < 0) {
                if (track == 0) {
                    errors.get(Trouble.OTHER).increment();
                }
                log.debug("{}: a packet of track {} refused by the muxer: {}", where, track, Ffmpeg.describe(ret));
            }
            return ret >= 0;
        }

        /** The audio stream copied: the best one, when it is AAC with its AudioSpecificConfig; else -1. */
        private int copiedAudio() {
            int audio = av_find_best_stream(context, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
            if (audio < 0) {
                return -1;
            }
            AVCodecParameters p = context.streams(audio).codecpar();
            return p.codec_id() == AV_CODEC_ID_AAC && p.extradata_size() > 0 ? audio : -1;
        }

        private void freeHeld() {
            for (AVPacket p : held) {
                av_packet_free(p);
            }
            held.clear();
        }

        private Trouble failed(int code) {
            Trouble t = Trouble.of(code, interrupter.timedOut());
            String said = Ffmpeg.lastError();
            if (t == Trouble.OTHER || t == Trouble.NOT_RTSP) {
                detail = Ffmpeg.describe(code) + (said == null ? "" : ": " + said);
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
            if (videoTimes != null) {
                videoTimes.free();
            }
            if (context != null) {
                avformat_close_input(context);
            }
        }
    }
}
