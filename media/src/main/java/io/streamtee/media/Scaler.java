package io.streamtee.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_RGB;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_pix_fmt_desc_get;
import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
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
 * The luma of decoded pictures as 8-bit grey, at their size or scaled (area averaging) with swscale. One scaling
 * context and one output buffer, kept while the sizes and pixel format stay the same. Not thread-safe.
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
        dst.close();
        dstStride.close();
    }
}
