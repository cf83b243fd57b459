package io.streamtee.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_INPUT_BUFFER_PADDING_SIZE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import io.streamtee.ts.AccessUnit;
import io.streamtee.ts.Timestamps;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;

/**
 * Decodes H.264 and H.265 access units (Annex B, as MPEG-TS carries them: {@link io.streamtee.ts.AccessUnitAssembler})
 * into pictures, with FFmpeg's own decoders (any profile: the camera's constrained baseline, x264's High with
 * B-frames, HEVC Main and Main 10). Frames come out in presentation order, each with the PTS of the access unit that
 * carried it; with B-frames they come out a few access units later, and {@link #flush} hands out the last ones at the
 * end of a stream.
 *
 * <p><b>Damage.</b> An access unit the decoder rejects, or a picture it could decode only with errors concealed, is
 * counted in {@link #errors()} and not handed out; the decoder then skips access units (counted in {@link #skipped()})
 * up to the next keyframe and goes on from there, so no picture built on a broken one is handed out. An access unit
 * {@link AccessUnit#damaged() damaged} in transport is treated the same way without being decoded. Before the first
 * keyframe (a stream joined in the middle of a group of pictures) access units are skipped too. A keyframe is what
 * the demuxer calls one: an IDR picture in H.264, an IRAP picture in H.265; an H.264 stream without IDR pictures
 * (recovery points only, intra refresh) is therefore never decoded, as the recorder never cuts it.
 *
 * <p><b>Changes.</b> A new SPS with another picture size is followed (the frames say their size). An access unit of
 * the other codec first flushes the decoder (its last frames are handed out), then reopens it for that codec, which
 * starts at its first keyframe.
 *
 * <p><b>Cost.</b> The AVPacket, the AVFrame, the input buffer and the scaler are allocated once and reused; the bytes
 * of an access unit are copied once into native memory. One decoding thread by default: no added delay. Not
 * thread-safe: one thread decodes and closes. {@link #close()} is idempotent.
 */
public final class VideoDecoder implements AutoCloseable {
    /** libavutil/frame.h, not mapped by JavaCPP: the frame may be corrupt; it is a key frame. */
    private static final int AV_FRAME_FLAG_CORRUPT = 1;
    private static final int AV_FRAME_FLAG_KEY = 1 << 1;
    private static final byte[] PADDING = new byte[AV_INPUT_BUFFER_PADDING_SIZE];

    private final int threads;
    private final AVPacket packet;
    private final AVFrame picture;
    private final Scaler scaler = new Scaler();
    private final Frame frame;
    private final AVRational timeBase = new AVRational().num(1).den((int) Timestamps.PTS_HZ);
    private VideoCodec codec;
    private AVCodecContext context;
    private BytePointer input;
    private long inputCapacity;
    private boolean waitForKeyframe = true;
    private boolean closed;

    private long accessUnits;
    private long frames;
    private long errors;
    private long skipped;

    /** A decoder with one thread; the codec is set by the first access unit. */
    public VideoDecoder() {
        this(1);
    }

    /**
     * @param threads decoding threads; more than one decodes faster on several cores, and holds back as many
     *                frames more (FFmpeg's frame threading)
     */
    public VideoDecoder(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("decoder threads must be at least 1, not " + threads);
        }
        Ffmpeg.quiet();
        this.threads = threads;
        this.packet = av_packet_alloc();
        this.picture = av_frame_alloc();
        this.frame = new Frame(picture, scaler);
    }

    /**
     * Decodes one access unit from the demuxer; its stream type picks the codec.
     *
     * @param out gets each frame that is ready, in presentation order; must not keep it after returning
     * @return the number of frames handed to {@code out}
     */
    public int decode(AccessUnit au, Consumer<Frame> out) {
        VideoCodec c = VideoCodec.ofStreamType(au.streamType());
        if (au.damaged()) {
            requireOpen();
            int handed = switchTo(c, out);
            accessUnits++;
            skipped++;
            damaged();
            return handed;
        }
        return decode(c, au.data(), 0, au.length(), au.pts(), au.dts(), au.keyframe(), out);
    }

    /**
     * Decodes one access unit given as bytes.
     *
     * @param data     the access unit in Annex B form (start codes, then NAL units)
     * @param pts      its presentation time in 90 kHz ticks, or {@link Timestamps#NONE}
     * @param dts      its decoding time, or {@link Timestamps#NONE}
     * @param keyframe whether decoding can start here (an IDR or IRAP picture): after damage the decoder waits
     *                 for one
     * @param out      gets each frame that is ready, in presentation order; must not keep it after returning
     * @return the number of frames handed to {@code out}
     */
    public int decode(VideoCodec codec, byte[] data, int off, int len, long pts, long dts, boolean keyframe,
            Consumer<Frame> out) {
        requireOpen();
        int handed = switchTo(codec, out);
        accessUnits++;
        if (waitForKeyframe && !keyframe) {
            skipped++;
            return handed;
        }
        waitForKeyframe = false;
        fill(data, off, len);
        packet.data(input);
        packet.size(len);
        packet.pts(pts == Timestamps.NONE ? AV_NOPTS_VALUE : pts);
        packet.dts(dts == Timestamps.NONE ? AV_NOPTS_VALUE : dts);
        packet.flags(keyframe ? AV_PKT_FLAG_KEY : 0);
        int ret = avcodec_send_packet(context, packet);
        for (int tries = 0; ret == AVERROR_EAGAIN() && tries < 8; tries++) {
            handed += drain(out); // frames to take out first: then the decoder takes the packet
            ret = avcodec_send_packet(context, packet);
        }
        if (ret < 0 && ret != AVERROR_EOF) {
            damaged();
        }
        return handed + drain(out);
    }

    /**
     * End of stream: hands out the frames the decoder still holds (B-frame reordering, threads). Decoding may go on
     * afterwards, from the next keyframe.
     *
     * @return the number of frames handed to {@code out}
     */
    public int flush(Consumer<Frame> out) {
        requireOpen();
        if (context == null) {
            return 0;
        }
        avcodec_send_packet(context, null);
        int handed = drain(out);
        avcodec_flush_buffers(context);
        waitForKeyframe = true;
        return handed;
    }

    private int drain(Consumer<Frame> out) {
        int handed = 0;
        while (true) {
            int ret = avcodec_receive_frame(context, picture);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                return handed;
            }
            if (ret < 0) {
                damaged();
                return handed;
            }
            try {
                if (picture.decode_error_flags() != 0 || (picture.flags() & AV_FRAME_FLAG_CORRUPT) != 0) {
                    damaged();
                    continue;
                }
                long pts = picture.pts() != AV_NOPTS_VALUE ? picture.pts() : picture.best_effort_timestamp();
                frame.set(pts == AV_NOPTS_VALUE ? Timestamps.NONE : pts,
                        (picture.flags() & AV_FRAME_FLAG_KEY) != 0, frames);
                frames++;
                handed++;
                out.accept(frame);
            } finally {
                av_frame_unref(picture);
            }
        }
    }

    private void damaged() {
        errors++;
        waitForKeyframe = true;
    }

    /** Opens the decoder for {@code c}, or hands out what the other codec's decoder holds and reopens it. */
    private int switchTo(VideoCodec c, Consumer<Frame> out) {
        if (c == codec) {
            return 0;
        }
        int handed = 0;
        if (context != null) {
            handed = flush(out);
            avcodec_free_context(context);
            context = null;
        }
        codec = null;
        AVCodec decoder = avcodec_find_decoder(c.codecId());
        if (decoder == null || decoder.isNull()) {
            throw new IllegalStateException("this FFmpeg build has no " + c.ffmpegName() + " decoder");
        }
        AVCodecContext ctx = avcodec_alloc_context3(decoder);
        ctx.thread_count(threads);
        ctx.pkt_timebase(timeBase);
        try {
            Ffmpeg.check(avcodec_open2(ctx, decoder, (AVDictionary) null), "open " + c.ffmpegName() + " decoder");
        } catch (FfmpegException e) {
            avcodec_free_context(ctx);
            throw e;
        }
        context = ctx;
        codec = c;
        waitForKeyframe = true;
        return handed;
    }

    /** Copies the access unit into native memory followed by the zero padding FFmpeg's bitstream readers need. */
    private void fill(byte[] data, int off, int len) {
        long need = (long) len + PADDING.length;
        if (need > inputCapacity) {
            if (input != null) {
                av_free(input);
            }
            long capacity = Math.max(need, Math.min(2 * inputCapacity, 64L << 20));
            capacity = Math.max(capacity, 256 * 1024);
            input = new BytePointer(av_malloc(capacity)).capacity(capacity);
            inputCapacity = capacity;
        }
        input.position(0).put(data, off, len);
        input.position(len).put(PADDING, 0, PADDING.length);
        input.position(0);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("video decoder is closed");
        }
    }

    /** The codec in use, or null before the first access unit. */
    public VideoCodec codec() {
        return codec;
    }

    /** Access units given, skipped and damaged ones included. */
    public long accessUnits() {
        return accessUnits;
    }

    /** Frames decoded and handed out. */
    public long frames() {
        return frames;
    }

    /** Damage seen: access units rejected, pictures decoded with errors, access units damaged in transport. */
    public long errors() {
        return errors;
    }

    /** Access units not decoded: damaged in transport, or waiting for a keyframe (at the start, after damage). */
    public long skipped() {
        return skipped;
    }

    /** Releases the decoder, the scaler and the buffers. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (context != null) {
            avcodec_free_context(context);
            context = null;
        }
        av_packet_free(packet);
        av_frame_free(picture);
        scaler.close();
        if (input != null) {
            av_free(input);
            input = null;
        }
        timeBase.close();
    }
}
