package io.streamtee.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_RGB;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_pix_fmt_desc_get;
import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getColorspaceDetails;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import org.bytedeco.ffmpeg.avutil.AVComponentDescriptor;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVPixFmtDescriptor;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The luma of decoded pictures as 8-bit grey, at their size or scaled (area averaging) with swscale, and whole
 * pictures as 8-bit YUV 4:2:0 ({@link Picture}). One scaling context and one output buffer for each, kept while the
 * sizes and pixel format stay the same. Not thread-safe.
 */
final class Scaler implements AutoCloseable {
    private static final int ALIGN = 64;

    private SwsContext sws;
    private int swsSrcWidth;
    private int swsSrcHeight;
    private int swsSrcFormat = -1;
    private int swsWidth;
    private int swsHeight;
    private BytePointer buffer;
    private long capacity;
    private final PointerPointer<BytePointer> dst = new PointerPointer<>(4);
    private final IntPointer dstStride = new IntPointer(4);
    private int checkedFormat = -1;
    // whole pictures in another pixel format than 8-bit 4:2:0
    private SwsContext yuvSws;
    private int yuvSrcWidth;
    private int yuvSrcHeight;
    private int yuvSrcFormat = -1;
    private final BytePointer[] yuvPlanes = new BytePointer[3];
    private long yuvCapacity;
    private long yuvChromaCapacity;
    private final PointerPointer<BytePointer> yuvDst = new PointerPointer<>(4);
    private final IntPointer yuvStride = new IntPointer(4);
    private boolean lumaPlane;

    /**
     * Copies the luma plane of {@code frame} into {@code into} ({@code width * height} bytes, row after row): a plain
     * copy for 8-bit YUV and grey formats, a conversion to grey for the others (10-bit, RGB).
     */
    void luma(AVFrame frame, PointerPointer<?> data, IntPointer linesize, byte[] into) {
        if (hasLumaPlane(frame.format())) {
            copy(frame.data(0), frame.linesize(0), frame.width(), frame.height(), into);
        } else {
            grey(frame, data, linesize, frame.width(), frame.height(), into);
        }
    }

    /** Scales the picture of {@code frame} to {@code width x height} 8-bit grey, into {@code into}, row after row. */
    void grey(AVFrame frame, PointerPointer<?> data, IntPointer linesize, int width, int height, byte[] into) {
        if (sws == null || frame.width() != swsSrcWidth || frame.height() != swsSrcHeight
                || frame.format() != swsSrcFormat || width != swsWidth || height != swsHeight) {
            context(frame.width(), frame.height(), frame.format(), width, height);
        }
        int stride = (width + ALIGN - 1) / ALIGN * ALIGN;
        long need = (long) stride * height;
        if (need > capacity) {
            if (buffer != null) {
                av_free(buffer);
            }
            buffer = new BytePointer(av_malloc(need)).capacity(need);
            capacity = need;
        }
        dst.put(0, buffer);
        dstStride.put(0, stride);
        sws_scale(sws, data, linesize, 0, frame.height(), dst, dstStride);
        copy(buffer, stride, width, height, into);
    }

    /**
     * Copies the picture of {@code frame} into {@code into} (already sized to the frame) as 8-bit YUV 4:2:0.
     *
     * @return whether the picture is full range (JPEG) rather than limited
     */
    boolean yuv420(AVFrame frame, PointerPointer<?> data, IntPointer linesize, Picture into) {
        int format = frame.format();
        int w = frame.width();
        int h = frame.height();
        int cw = into.chromaWidth();
        int ch = into.chromaHeight();
        boolean full = format == AV_PIX_FMT_YUVJ420P || frame.color_range() == AVCOL_RANGE_JPEG;
        if (format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P) {
            copy(frame.data(0), frame.linesize(0), w, h, into.y());
            copy(frame.data(1), frame.linesize(1), cw, ch, into.u());
            copy(frame.data(2), frame.linesize(2), cw, ch, into.v());
            return full;
        }
        if (yuvSws == null || w != yuvSrcWidth || h != yuvSrcHeight || format != yuvSrcFormat) {
            if (yuvSws != null) {
                sws_freeContext(yuvSws);
                yuvSws = null;
            }
            int target = full ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P;
            SwsContext context = sws_getContext(w, h, format, w, h, target, SWS_BILINEAR, null, null,
                    (DoublePointer) null);
            if (context == null || context.isNull()) {
                throw new IllegalStateException("swscale: cannot convert " + w + "x" + h + " pixel format " + format
                        + " to YUV 4:2:0");
            }
            yuvSws = context;
            yuvSrcWidth = w;
            yuvSrcHeight = h;
            yuvSrcFormat = format;
        }
        int stride = (w + ALIGN - 1) / ALIGN * ALIGN;
        int cstride = (cw + ALIGN - 1) / ALIGN * ALIGN;
        long need = (long) stride * h;
        long chroma = (long) cstride * ch + ALIGN;
        // each plane checked on its own: a narrower, taller picture needs less luma yet more chroma
        if (need > yuvCapacity || chroma > yuvChromaCapacity) {
            freeYuvPlanes();
            yuvPlanes[0] = new BytePointer(av_malloc(need)).capacity(need);
            yuvPlanes[1] = new BytePointer(av_malloc(chroma)).capacity(chroma);
            yuvPlanes[2] = new BytePointer(av_malloc(chroma)).capacity(chroma);
            yuvCapacity = need;
            yuvChromaCapacity = chroma;
        }
        for (int i = 0; i < 3; i++) {
            yuvDst.put(i, yuvPlanes[i]);
        }
        yuvStride.put(0, stride).put(1, cstride).put(2, cstride);
        sws_scale(yuvSws, data, linesize, 0, h, yuvDst, yuvStride);
        copy(yuvPlanes[0], stride, w, h, into.y());
        copy(yuvPlanes[1], cstride, cw, ch, into.u());
        copy(yuvPlanes[2], cstride, cw, ch, into.v());
        return full;
    }

    /** A new scaling context for these sizes and input format (the previous one, if any, is freed). */
    private void context(int srcWidth, int srcHeight, int srcFormat, int width, int height) {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        SwsContext context = sws_getContext(srcWidth, srcHeight, srcFormat, width, height, AV_PIX_FMT_GRAY8,
                SWS_AREA, null, null, (DoublePointer) null);
        if (context == null || context.isNull()) {
            throw new IllegalStateException("swscale: cannot scale " + srcWidth + "x" + srcHeight
                    + " pixel format " + srcFormat + " to " + width + "x" + height + " grey");
        }
        keepRange(context);
        sws = context;
        swsSrcWidth = srcWidth;
        swsSrcHeight = srcHeight;
        swsSrcFormat = srcFormat;
        swsWidth = width;
        swsHeight = height;
    }

    /**
     * swscale takes grey output as full range and would stretch a limited-range luma (16..235) to 0..255: the output
     * range is set to the input's, so that the grey picture is the luma scaled and nothing else.
     */
    private static void keepRange(SwsContext context) {
        try (PointerPointer<?> invTable = new PointerPointer<>(1);
                PointerPointer<?> table = new PointerPointer<>(1);
                IntPointer srcRange = new IntPointer(1);
                IntPointer dstRange = new IntPointer(1);
                IntPointer brightness = new IntPointer(1);
                IntPointer contrast = new IntPointer(1);
                IntPointer saturation = new IntPointer(1)) {
            if (sws_getColorspaceDetails(context, invTable, srcRange, table, dstRange, brightness, contrast,
                    saturation) < 0 || srcRange.get() == dstRange.get()) {
                return;
            }
            sws_setColorspaceDetails(context, new IntPointer(invTable.get(0)), srcRange.get(),
                    new IntPointer(table.get(0)), srcRange.get(), brightness.get(), contrast.get(), saturation.get());
        }
    }

    private boolean hasLumaPlane(int format) {
        if (format != checkedFormat) {
            AVPixFmtDescriptor d = av_pix_fmt_desc_get(format);
            boolean direct = false;
            if (d != null && !d.isNull() && (d.flags() & AV_PIX_FMT_FLAG_RGB) == 0 && d.nb_components() >= 1) {
                AVComponentDescriptor y = d.comp(0);
                direct = y.plane() == 0 && y.step() == 1 && y.depth() == 8 && y.offset() == 0 && y.shift() == 0;
            }
            checkedFormat = format;
            lumaPlane = direct;
        }
        return lumaPlane;
    }

    private void freeYuvPlanes() {
        for (int i = 0; i < yuvPlanes.length; i++) {
            if (yuvPlanes[i] != null) {
                av_free(yuvPlanes[i]);
                yuvPlanes[i] = null;
            }
        }
        yuvCapacity = 0;
        yuvChromaCapacity = 0;
    }

    private static void copy(BytePointer plane, int linesize, int width, int height, byte[] into) {
        if (linesize == width) {
            plane.position(0).get(into, 0, width * height);
            return;
        }
        for (int row = 0; row < height; row++) {
            plane.position((long) row * linesize).get(into, row * width, width);
        }
        plane.position(0);
    }

    @Override
    public void close() {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        if (buffer != null) {
            av_free(buffer);
            buffer = null;
            capacity = 0;
        }
        if (yuvSws != null) {
            sws_freeContext(yuvSws);
            yuvSws = null;
        }
        freeYuvPlanes();
        dst.close();
        dstStride.close();
        yuvDst.close();
        yuvStride.close();
    }
}
