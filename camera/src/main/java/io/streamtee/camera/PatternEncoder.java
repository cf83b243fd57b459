package io.streamtee.camera;

import static io.streamtee.media.Ffmpeg.check;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avcodec.av_grow_packet;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.av_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avformat.avio_flush;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import io.streamtee.media.Ffmpeg;
import io.streamtee.ts.CaptureTime;
import io.streamtee.ts.H264;
import io.streamtee.ts.Nal;
import io.streamtee.ts.Timestamps;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avformat.Write_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Encodes {@link PatternPainter} pictures to H.264 with FFmpeg's libopenh264 (the LGPL build has no libx264) and
 * muxes them to MPEG-TS in memory with FFmpeg's mpegts muxer. The TS bytes of each frame are handed to a
 * {@link TsOutput} as soon as the frame is encoded, followed by {@link TsOutput#frameEnd()}, through a
 * {@link PcrFiller} that keeps the PCRs at most {@link #MAX_PCR_INTERVAL} apart (the muxer puts one PCR on each frame:
 * 50 ms apart at 20 fps, more than TR 101 290 allows); the filler values between two frames' PCRs come from the
 * constant frame interval, so no frame waits for the next one.
 *
 * <p>Every access unit carries its frame's capture instant (the {@code Instant} given to {@link #encode}, the one
 * painted into the picture) as a {@link CaptureTime} SEI NAL unit, inserted before its first slice between the
 * encoder and the muxer, so a viewer can measure glass-to-glass latency.
 *
 * <p>Constant frame rate: frame {@code n} has PTS {@code n / fps}. openh264 is run single-threaded, with frame
 * skipping off, bitrate rate control and no B-frames, which is its cheapest real-time configuration. Not thread
 * safe: one thread calls {@link #encode} and {@link #close}.
 */
final class PatternEncoder implements AutoCloseable {

    /** Receives TS bytes, a whole number of 188-byte packets per call when the muxer flushes. */
    @FunctionalInterface
    interface TsOutput {
        void write(byte[] bytes, int offset, int length);

        /**
         * The bytes written so far complete a frame: nothing more comes until the next picture is captured, so a
         * live sender sends them now. Called once after each frame's bytes; does nothing by default.
         */
        default void frameEnd() {
        }
    }

    static final String CODEC = "libopenh264";
    /** The longest PCR interval written, 35 ms in 27 MHz ticks: under the 40 ms of TR 101 290 2.3. */
    static final long MAX_PCR_INTERVAL = 35 * 27_000L;
    private static final int AVIO_BUFFER = 188 * 7 * 32;

    private final PatternPainter painter;
    private final PcrFiller output;
    private AVCodecContext codec;
    private AVFormatContext format;
    private AVStream stream;
    private AVFrame frame;
    private AVPacket packet;
    private AVIOContext avio;
    private Write_packet_Pointer_BytePointer_int writeCallback;
    private final AVRational codecTimeBase;
    private byte[] copyBuffer = new byte[AVIO_BUFFER];
    private byte[] packetBuffer = new byte[64 * 1024];
    /** Capture time (microseconds since the epoch) of each frame sent to the encoder and not yet out of it, by PTS. */
    private final Map<Long, Long> captureMicros = new HashMap<>();
    private long frames;
    private boolean finished;
    private boolean closed;

    PatternEncoder(CameraConfig.Pattern pattern, TsOutput output) {
        this.output = new PcrFiller(output, MAX_PCR_INTERVAL, Timestamps.PCR_HZ / pattern.fps());
        this.painter = new PatternPainter(new PatternScript(pattern), pattern.noise());
        Ffmpeg.quiet();
        codecTimeBase = new AVRational().num(1).den(pattern.fps());
        try {
            open(pattern);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void open(CameraConfig.Pattern pattern) {
        AVCodec encoder = avcodec_find_encoder_by_name(CODEC);
        if (encoder == null || encoder.isNull()) {
            throw new IllegalStateException("this FFmpeg build has no " + CODEC + " H.264 encoder");
        }
        codec = avcodec_alloc_context3(encoder);
        codec.width(pattern.width());
        codec.height(pattern.height());
        codec.pix_fmt(AV_PIX_FMT_YUV420P);
        codec.time_base(codecTimeBase);
        codec.framerate(new AVRational().num(pattern.fps()).den(1));
        codec.bit_rate(pattern.bitrate());
        codec.rc_max_rate(pattern.bitrate());
        codec.gop_size(pattern.gop());
        codec.max_b_frames(0);
        codec.thread_count(1);

        format = new AVFormatContext(null);
        check(avformat_alloc_output_context2(format, null, "mpegts", null), "mpegts muxer");
        if ((format.oformat().flags() & AVFMT_GLOBALHEADER) != 0) {
            codec.flags(codec.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        AVDictionary codecOptions = new AVDictionary(null);
        av_dict_set(codecOptions, "rc_mode", "bitrate", 0);
        av_dict_set(codecOptions, "allow_skip_frames", "0", 0);
        av_dict_set(codecOptions, "profile", "constrained_baseline", 0);
        try {
            check(avcodec_open2(codec, encoder, codecOptions), CODEC + " " + pattern.width() + "x"
                    + pattern.height() + "@" + pattern.fps());
        } finally {
            av_dict_free(codecOptions);
        }

        stream = avformat_new_stream(format, null);
        stream.time_base(codecTimeBase);
        stream.avg_frame_rate(codec.framerate());
        stream.r_frame_rate(codec.framerate());
        check(avcodec_parameters_from_context(stream.codecpar(), codec), "codec parameters");

        writeCallback = new Write_packet_Pointer_BytePointer_int() {
            @Override
            public int call(Pointer opaque, BytePointer buf, int size) {
                if (copyBuffer.length < size) {
                    copyBuffer = new byte[size];
                }
                buf.get(copyBuffer, 0, size);
                output.write(copyBuffer, 0, size);
                return size;
            }
        };
        BytePointer buffer = new BytePointer(av_malloc(AVIO_BUFFER)).capacity(AVIO_BUFFER);
        avio = avio_alloc_context(buffer, AVIO_BUFFER, 1, null, null, writeCallback, null);
        format.pb(avio);
        // 100 ms between a frame's PCR and its DTS: a small, honest decoder buffer. The muxer adds it to every PTS.
        format.max_delay(PatternScript.MUX_DELAY_MICROS);
        AVDictionary muxOptions = new AVDictionary(null);
        av_dict_set(muxOptions, "mpegts_service_id", "1", 0);
        av_dict_set(muxOptions, "mpegts_flags", "resend_headers", 0);
        av_dict_set(muxOptions, "pcr_period", "20", 0);
        // PES_packet_length on every video PES that fits (FFmpeg writes 0, unbounded, by default): a receiver then
        // knows a frame is complete with its last byte instead of when the next frame begins (ts.AccessUnitAssembler)
        av_dict_set(muxOptions, "omit_video_pes_length", "0", 0);
        try {
            check(avformat_write_header(format, muxOptions), "mpegts header");
        } finally {
            av_dict_free(muxOptions);
        }

        frame = av_frame_alloc();
        frame.format(AV_PIX_FMT_YUV420P);
        frame.width(pattern.width());
        frame.height(pattern.height());
        check(av_frame_get_buffer(frame, 0), "frame buffer");
        packet = av_packet_alloc();
    }

    /** Frames encoded so far. */
    long frames() {
        return frames;
    }

    PatternPainter painter() {
        return painter;
    }

    /** Paints, encodes and muxes the next frame, stamped with {@code now}. */
    void encode(Instant now) {
        painter.paint(frames, now);
        check(av_frame_make_writable(frame), "frame writable");
        copyPlane(painter.y, painter.width, painter.height, frame.data(0), frame.linesize(0));
        copyPlane(painter.u, painter.chromaWidth, painter.chromaHeight, frame.data(1), frame.linesize(1));
        copyPlane(painter.v, painter.chromaWidth, painter.chromaHeight, frame.data(2), frame.linesize(2));
        frame.pts(frames);
        captureMicros.put(frames, CaptureTime.micros(now));
        frame.pict_type(AV_PICTURE_TYPE_NONE);
        check(avcodec_send_frame(codec, frame), "encode");
        frames++;
        drain();
        output.frameEnd();
    }

    /** Flushes the encoder and writes the muxer's trailer. Idempotent. */
    void finish() {
        if (finished) {
            return;
        }
        finished = true;
        check(avcodec_send_frame(codec, null), "flush encoder");
        drain();
        check(av_write_trailer(format), "mpegts trailer");
        avio_flush(avio);
        output.flush();
    }

    private void drain() {
        while (true) {
            int ret = avcodec_receive_packet(codec, packet);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                break;
            }
            check(ret, "encode");
            Long micros = captureMicros.remove(packet.pts());
            if (micros != null) {
                insertCaptureTime(micros);
            }
            packet.stream_index(stream.index());
            av_packet_rescale_ts(packet, codecTimeBase, stream.time_base());
            int written = av_write_frame(format, packet);
            av_packet_unref(packet);
            check(written, "mux");
        }
        avio_flush(avio);
    }

    /** Puts the capture-time SEI NAL unit before the packet's first slice (Annex B, as openh264 writes it). */
    private void insertCaptureTime(long micros) {
        int size = packet.size();
        if (packetBuffer.length < size) {
            packetBuffer = new byte[Math.max(size, 2 * packetBuffer.length)];
        }
        packet.data().position(0).get(packetBuffer, 0, size);
        int at = -1;
        for (int s = Nal.nextStartCode(packetBuffer, 0, size); s >= 0 && s < size;
                s = Nal.nextStartCode(packetBuffer, s, size)) {
            if (H264.isVcl(H264.nalType(packetBuffer[s]))) {
                at = s >= 4 && packetBuffer[s - 4] == 0 ? s - 4 : s - 3;
                break;
            }
        }
        if (at < 0) {
            return; // no picture in it: nothing to stamp
        }
        byte[] sei = CaptureTime.seiNal(micros);
        int grow = 4 + sei.length;
        check(av_grow_packet(packet, grow), "capture-time SEI");
        BytePointer data = packet.data();
        data.position(at).put(new byte[] {0, 0, 0, 1}, 0, 4);
        data.position(at + 4).put(sei, 0, sei.length);
        data.position(at + grow).put(packetBuffer, at, size - at);
        data.position(0);
    }

    private static void copyPlane(byte[] src, int width, int rows, BytePointer dst, int stride) {
        if (stride == width) {
            dst.position(0).put(src, 0, width * rows);
            return;
        }
        for (int row = 0; row < rows; row++) {
            dst.position((long) row * stride).put(src, row * width, width);
        }
        dst.position(0);
    }

    /** Releases every FFmpeg object. Idempotent; does not flush (call {@link #finish()} for a clean end). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (packet != null) {
            av_packet_free(packet);
        }
        if (frame != null) {
            av_frame_free(frame);
        }
        if (codec != null) {
            avcodec_free_context(codec);
        }
        if (avio != null) {
            BytePointer buffer = avio.buffer();
            org.bytedeco.ffmpeg.global.avutil.av_free(buffer);
            avio.buffer(null);
            avio_context_free(avio);
        }
        if (format != null) {
            format.pb(null);
            avformat_free_context(format);
        }
        if (writeCallback != null) {
            writeCallback.close();
        }
    }
}
