package io.streamtee.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;

import java.util.Arrays;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * Encodes a {@link Picture} as a JPEG at its full size with FFmpeg's MJPEG encoder (baseline JFIF, full-range
 * YUV 4:2:0 as JPEG viewers expect), with rectangles drawn on it: a snapshot with the boxes of what was seen.
 *
 * <p><b>Boxes.</b> Each {@link Outline} is drawn as a solid outline in {@link #RED} ({@link #thickness} pixels wide,
 * 2 px up to 480 lines, 3 px at 720p, 4 px at 1080p) just <em>outside</em> its rectangle, so the outline hides
 * nothing inside the box (at the picture's edges it is moved inwards to stay visible). The picture given is not
 * changed: a limited-range picture (16..235) is stretched to full range into a working copy and the boxes are drawn
 * on that.
 *
 * <p><b>Cost.</b> The codec context (kept while the size stays the same), the frame, the packet and the working copy
 * are allocated once and reused. About 5-10 ms for a 1280x720 picture on one core: encode when a snapshot is needed,
 * not for every frame. Not thread-safe: one thread encodes and closes. {@link #close()} is idempotent.
 */
public final class JpegEncoder implements AutoCloseable {
    /** The default quality: FFmpeg's JPEG quantizer scale, 2 (best, largest) to 31 (worst, smallest). */
    public static final int DEFAULT_QUALITY = 5;
    /** The outline colour, full-range YUV (BT.601): pure red. */
    public static final int[] RED = {76, 85, 255};

    /**
     * A rectangle to draw, in pixels of the picture: columns {@code x0} (inclusive) to {@code x1} (exclusive), rows
     * {@code y0} to {@code y1}. Parts outside the picture are clipped.
     */
    public record Outline(int x0, int y0, int x1, int y1) {
    }

    private static final int[] RANGE_Y = new int[256];
    private static final int[] RANGE_C = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            RANGE_Y[i] = Math.clamp(Math.round((i - 16) * 255f / 219f), 0, 255);
            RANGE_C[i] = Math.clamp(Math.round((i - 128) * 255f / 224f) + 128, 0, 255);
        }
    }

    private final int quality;
    private final Picture work = new Picture();
    private final AVPacket packet;
    private AVCodecContext context;
    private AVFrame frame;
    private int width;
    private int height;
    private boolean closed;
    private long encoded;

    /** An encoder at {@link #DEFAULT_QUALITY}. */
    public JpegEncoder() {
        this(DEFAULT_QUALITY);
    }

    /** @param quality FFmpeg's JPEG quantizer scale, 2 (best) to 31 (smallest) */
    public JpegEncoder(int quality) {
        if (quality < 2 || quality > 31) {
            throw new IllegalArgumentException("JPEG quality must be between 2 and 31, not " + quality);
        }
        Ffmpeg.quiet();
        this.quality = quality;
        this.packet = av_packet_alloc();
    }

    /** The outline's width in pixels for a picture {@code height} lines high: 2, or one per 240 lines. */
    public static int thickness(int height) {
        return Math.max(2, height / 240);
    }

    /**
     * The JPEG of {@code picture} with {@code outlines} drawn on it.
     *
     * @throws FfmpegException when the encoder fails (it should not for a valid picture)
     */
    public byte[] encode(Picture picture, List<Outline> outlines) {
        if (closed) {
            throw new IllegalStateException("JPEG encoder is closed");
        }
        if (picture.empty()) {
            throw new IllegalArgumentException("nothing to encode: the picture is empty");
        }
        prepare(picture);
        int t = thickness(picture.height());
        for (Outline o : outlines) {
            draw(o, t);
        }
        open(picture.width(), picture.height());
        Ffmpeg.check(av_frame_make_writable(frame), "make the JPEG frame writable");
        put(work.y(), frame.data(0), frame.linesize(0), width, height);
        put(work.u(), frame.data(1), frame.linesize(1), work.chromaWidth(), work.chromaHeight());
        put(work.v(), frame.data(2), frame.linesize(2), work.chromaWidth(), work.chromaHeight());
        frame.quality(quality * FF_QP2LAMBDA);
        frame.pts(encoded);
        Ffmpeg.check(avcodec_send_frame(context, frame), "encode JPEG");
        try {
            Ffmpeg.check(avcodec_receive_packet(context, packet), "encode JPEG");
            byte[] jpeg = new byte[packet.size()];
            packet.data().position(0).get(jpeg);
            encoded++;
            return jpeg;
        } finally {
            av_packet_unref(packet);
        }
    }

    /** Pictures encoded so far. */
    public long encoded() {
        return encoded;
    }

    /** The working copy: the picture, in full range. */
    private void prepare(Picture p) {
        if (p.fullRange()) {
            work.copyFrom(p);
            return;
        }
        work.resize(p.width(), p.height());
        work.set(true, p.pts());
        map(p.y(), work.y(), p.width() * p.height(), RANGE_Y);
        int chroma = p.chromaWidth() * p.chromaHeight();
        map(p.u(), work.u(), chroma, RANGE_C);
        map(p.v(), work.v(), chroma, RANGE_C);
    }

    private static void map(byte[] from, byte[] to, int n, int[] table) {
        for (int i = 0; i < n; i++) {
            to[i] = (byte) table[from[i] & 0xFF];
        }
    }

    /** Draws {@code o} as an outline {@code t} pixels wide around it, moved inwards where the picture ends. */
    private void draw(Outline o, int t) {
        int w = work.width();
        int h = work.height();
        int x0 = Math.clamp(o.x0() - t, 0, Math.max(0, w - 2 * t));
        int y0 = Math.clamp(o.y0() - t, 0, Math.max(0, h - 2 * t));
        int x1 = Math.clamp(o.x1() + t, Math.min(w, x0 + 2 * t), w);
        int y1 = Math.clamp(o.y1() + t, Math.min(h, y0 + 2 * t), h);
        if (x1 <= x0 || y1 <= y0) {
            return;
        }
        fill(x0, y0, x1, Math.min(y1, y0 + t));
        fill(x0, Math.max(y0, y1 - t), x1, y1);
        fill(x0, y0, Math.min(x1, x0 + t), y1);
        fill(Math.max(x0, x1 - t), y0, x1, y1);
    }

    private void fill(int x0, int y0, int x1, int y1) {
        byte[] y = work.y();
        int w = work.width();
        for (int row = y0; row < y1; row++) {
            Arrays.fill(y, row * w + x0, row * w + x1, (byte) RED[0]);
        }
        int cw = work.chromaWidth();
        int cx1 = (x1 + 1) / 2;
        for (int row = y0 / 2; row < (y1 + 1) / 2; row++) {
            Arrays.fill(work.u(), row * cw + x0 / 2, row * cw + cx1, (byte) RED[1]);
            Arrays.fill(work.v(), row * cw + x0 / 2, row * cw + cx1, (byte) RED[2]);
        }
    }

    private static void put(byte[] plane, BytePointer into, int linesize, int w, int h) {
        if (linesize == w) {
            into.position(0).put(plane, 0, w * h);
        } else {
            for (int row = 0; row < h; row++) {
                into.position((long) row * linesize).put(plane, row * w, w);
            }
        }
        into.position(0);
    }

    /** The codec context and frame for this size (a new one when the size changed). */
    private void open(int w, int h) {
        if (context != null && w == width && h == height) {
            return;
        }
        release();
        AVCodec codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
        if (codec == null || codec.isNull()) {
            throw new IllegalStateException("this FFmpeg build has no MJPEG encoder");
        }
        AVCodecContext ctx = avcodec_alloc_context3(codec);
        ctx.width(w);
        ctx.height(h);
        ctx.pix_fmt(AV_PIX_FMT_YUVJ420P);
        ctx.color_range(AVCOL_RANGE_JPEG);
        ctx.time_base().num(1).den(25);
        ctx.flags(ctx.flags() | AV_CODEC_FLAG_QSCALE);
        ctx.global_quality(quality * FF_QP2LAMBDA);
        try {
            Ffmpeg.check(avcodec_open2(ctx, codec, (AVDictionary) null), "open MJPEG encoder");
        } catch (FfmpegException e) {
            avcodec_free_context(ctx);
            throw e;
        }
        AVFrame f = av_frame_alloc();
        f.format(AV_PIX_FMT_YUVJ420P);
        f.width(w);
        f.height(h);
        f.color_range(AVCOL_RANGE_JPEG);
        int ret = av_frame_get_buffer(f, 32);
        if (ret < 0) {
            av_frame_free(f);
            avcodec_free_context(ctx);
            Ffmpeg.check(ret, "allocate a " + w + "x" + h + " JPEG frame");
        }
        context = ctx;
        frame = f;
        width = w;
        height = h;
    }

    private void release() {
        if (context != null) {
            avcodec_free_context(context);
            context = null;
        }
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
    }

    /** Frees the encoder, its frame and packet. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        release();
        av_packet_free(packet);
    }
}
