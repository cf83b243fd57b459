package io.streamtee.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_INPUT_BUFFER_PADDING_SIZE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avformat.av_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avformat.avio_flush;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_mallocz;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set;

import io.streamtee.ts.H264;
import io.streamtee.ts.Nal;
import io.streamtee.ts.Timestamps;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avformat.Write_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * H.264 access units (Annex B, as MPEG-TS carries them) into fragmented MP4 for a browser's Media Source
 * Extensions, with libavformat's mp4 muxer and no re-encoding: an <b>init segment</b> ({@code ftyp} + {@code moov}
 * with no samples, its {@code avcC} built by libavformat from the keyframe's SPS and PPS) and then one <b>fragment</b>
 * ({@code moof} + {@code mdat}, one sample) per access unit, written as soon as the access unit is given (no frame
 * of delay).
 *
 * <p><b>Shareable.</b> Every fragment's {@code tfdt} (baseMediaDecodeTime) is absolute, and each sample's
 * presentation time is the access unit's own PTS (90 kHz timescale, no edit list), so any viewer can append the init
 * segment then the fragments from any keyframe on, in a MediaSource of its own ("segments" mode), and the media time
 * it plays is the PTS in seconds. One writer serves every viewer.
 *
 * <p><b>Decoding times.</b> The access units come in decoding order with their PTS only (the viewer's frames carry no
 * DTS), so the DTS is made up: at a keyframe {@value #REORDER_FRAMES} frame intervals before its PTS, then one frame
 * interval (the smallest step between PTS seen in the last GOP) per access unit, never after the PTS and always
 * rising. That gives B-frame streams (x264 High) with up to {@value #REORDER_FRAMES} frames of reordering a valid
 * timeline, and changes nothing for the presentation: a sample shows at its PTS. Each sample lasts one frame
 * interval, kept across init segments: a writer's first samples, with nothing to learn from, last at most 1/30 s;
 * two rising steps alike in a row (a stream without B-frames) set it at once, also below 30 fps; else it is the
 * smallest step of the last GOP. A decoding time never falls before the end of the sample before it.
 *
 * <p><b>Timestamps past 2^33.</b> The 33-bit MPEG-TS PTS wraps about every 26.5 hours; the writer unwraps it (each
 * PTS is taken as the nearest value to the last one modulo 2^33), so the wrap is no jump: the fragments' times go on
 * rising past 2^33 with no new init segment and no frame dropped. A new init segment starts again at the PTS given.
 *
 * <p><b>New init segments.</b> Nothing is written before the first keyframe that carries an SPS and a PPS. A keyframe
 * with a different SPS or PPS (a new picture size), a keyframe whose PTS is not after every PTS already written since
 * the last init segment (a camera restart, even one a few frames back: an IDR picture shows after everything decoded
 * before it), or any PTS more than {@value #JUMP_SECONDS} s forward or (for a frame that is not a keyframe) more than
 * one second back, starts a new muxer: a new init segment, and a new {@link #generation()}. A jump at a frame that
 * is not a keyframe drops access units up to the next keyframe.
 * Those drops, and access units before the first keyframe, are counted in {@link #skipped()}.
 *
 * <p>H.264 only (the MPEG-TS stream type 0x1B). Not thread-safe: one thread writes and closes; {@link #close()} is
 * idempotent.
 */
public final class Fmp4Writer implements AutoCloseable {
    /** Frames of B-frame reordering the made-up decoding times allow. */
    public static final int REORDER_FRAMES = 4;
    /** A PTS this much after the last one is a new stream (a restart), not a gap. */
    public static final int JUMP_SECONDS = 10;
    static final long DEFAULT_STEP = Timestamps.PTS_HZ / 30;
    private static final int IO_BUFFER = 64 * 1024;
    private static final Map<Long, Sink> SINKS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_SINK = new AtomicLong(1);
    /** One callback for every writer (JavaCPP has few callback slots), finding its output by the opaque pointer. */
    private static final Write_packet_Pointer_BytePointer_int WRITE = new Write_packet_Pointer_BytePointer_int() {
        @Override
        public int call(Pointer opaque, BytePointer buf, int size) {
            SINKS.get(opaque.address()).append(buf, size);
            return size;
        }
    };

    static {
        Ffmpeg.quiet();
    }

    private final Sink out = new Sink();
    private final long sinkId = NEXT_SINK.getAndIncrement();
    private final Pointer opaque = new Pointer() {
        {
            address = sinkId; // never dereferenced: a key for SINKS
        }
    };
    private final AVPacket packet = av_packet_alloc();
    private Muxer muxer;
    private byte[] sps;
    private byte[] pps;
    private byte[] init;
    private String codec;
    private int generation;
    private boolean waitForKeyframe = true;
    private long lastPts = Timestamps.NONE; // the last sample's PTS, unwrapped
    private long lastInput = Timestamps.NONE; // the last PTS written as given, unwrapped
    private long lastRaw; // and as given
    private long maxPts; // the largest PTS written since the last init segment
    private long lastDts;
    private long step = DEFAULT_STEP;
    private boolean stepLearnt; // since the last init segment
    private long lastDelta; // the last step between PTS
    private long lastEnd; // the last sample's DTS plus its duration
    private long gopMinStep = Long.MAX_VALUE;
    private BytePointer payload; // the access unit handed to libavformat, reused
    private long fragments;
    private long skipped;
    private boolean closed;

    /** A writer that opens its muxer at the first keyframe with an SPS and a PPS. */
    public Fmp4Writer() {
        SINKS.put(sinkId, out);
    }

    /**
     * One fragment: the bytes to append after the {@linkplain #init() init segment} of its {@code generation}.
     *
     * @param bytes      {@code moof} + {@code mdat}, one sample
     * @param keyframe   whether a viewer can start here (the sample is a sync sample)
     * @param pts        the sample's presentation time, 90 kHz (the access unit's PTS)
     * @param dts        the sample's decoding time, 90 kHz (the {@code tfdt})
     * @param generation the init segment it follows
     */
    public record Fragment(byte[] bytes, boolean keyframe, long pts, long dts, int generation) {
    }

    /**
     * Writes one access unit.
     *
     * @param pts      its presentation time in 90 kHz ticks as MPEG-TS carries it (33 bits; unwrapped, see the
     *                 class), or {@link Timestamps#NONE} (then one frame interval after the last)
     * @param keyframe an IDR picture (decoding can start here)
     * @return its fragment, or null when it was skipped (see the class)
     * @throws FfmpegException when libavformat refuses the stream or the access unit
     */
    public Fragment write(byte[] data, int off, int len, long pts, boolean keyframe) {
        if (closed) {
            throw new IllegalStateException("the fMP4 writer is closed");
        }
        long raw = pts;
        if (pts == Timestamps.NONE) {
            pts = lastPts == Timestamps.NONE ? 0 : lastPts + step;
        } else if (lastInput != Timestamps.NONE) {
            pts = lastInput + Timestamps.ptsDiff(lastRaw, raw);
        }
        boolean jump = lastPts != Timestamps.NONE
                && (keyframe ? pts <= maxPts : pts <= lastDts - Timestamps.PTS_HZ)
                || lastPts != Timestamps.NONE && pts - lastPts > JUMP_SECONDS * Timestamps.PTS_HZ;
        if (keyframe) {
            byte[][] sets = parameterSets(data, off, len);
            boolean changed = sets != null && (!Arrays.equals(sets[0], sps) || !Arrays.equals(sets[1], pps));
            if (muxer == null && sets == null) {
                skipped++;
                return null;
            }
            if (changed || jump || muxer == null) {
                open(sets != null ? sets[0] : sps, sets != null ? sets[1] : pps);
                if (raw != Timestamps.NONE) {
                    pts = raw; // a new timeline starts where the stream is
                }
            }
            waitForKeyframe = false;
        } else if (jump || waitForKeyframe || muxer == null) {
            waitForKeyframe = true;
            skipped++;
            return null;
        }
        long dts = decodingTime(pts, keyframe);
        long input = pts;
        if (pts < dts) {
            pts = dts; // a stream reordering more than REORDER_FRAMES: the frame shows a little late
        }
        if (raw != Timestamps.NONE) {
            lastInput = input;
            lastRaw = raw;
        }
        lastDts = dts;
        lastPts = pts;
        maxPts = Math.max(maxPts, pts);
        return new Fragment(mux(data, off, len, pts, dts, keyframe), keyframe, pts, dts, generation);
    }

    private long decodingTime(long pts, boolean keyframe) {
        if (lastPts != Timestamps.NONE && muxer.samples > 0) {
            long delta = pts - lastPts;
            if (delta > 0 && delta <= Timestamps.PTS_HZ) {
                gopMinStep = Math.min(gopMinStep, delta);
                if (!stepLearnt && lastDelta > 0 && Math.abs(delta - lastDelta) * 10 <= lastDelta) {
                    // two rising steps alike in a row: no reordering, the frame rate at once (also below 30 fps)
                    step = Math.min(delta, lastDelta);
                    stepLearnt = true;
                } else if (muxer.samples < 8) {
                    step = Math.min(step, delta); // B-frames: the smallest step of the first frames
                }
            }
            lastDelta = delta;
        }
        if (keyframe && gopMinStep != Long.MAX_VALUE) {
            step = gopMinStep;
            gopMinStep = Long.MAX_VALUE;
        }
        // never before the end of the last sample (its DTS plus the duration written): libavformat would move it
        long dts;
        if (muxer.samples == 0) {
            dts = Math.max(0, pts - REORDER_FRAMES * step);
        } else if (keyframe) {
            dts = Math.max(lastEnd, pts - REORDER_FRAMES * step);
        } else {
            dts = Math.max(lastEnd, Math.min(pts, lastDts + step));
        }
        return dts;
    }

    /** The SPS and PPS (NAL units without start codes) in an access unit, or null when it lacks either. */
    static byte[][] parameterSets(byte[] data, int off, int len) {
        byte[] s = null;
        byte[] p = null;
        int end = off + len;
        int at = Nal.nextStartCode(data, off, end);
        while (at >= 0 && at < end) {
            int next = Nal.nextStartCode(data, at, end);
            int stop = next < 0 ? end : next - 3;
            while (stop > at && data[stop - 1] == 0) { // the leading zero of a four-byte start code
                stop--;
            }
            int type = H264.nalType(data[at] & 0xFF);
            if (type == H264.NAL_SPS && s == null) {
                s = Arrays.copyOfRange(data, at, stop);
            } else if (type == H264.NAL_PPS && p == null) {
                p = Arrays.copyOfRange(data, at, stop);
            }
            at = next;
        }
        return s != null && p != null && s.length >= 4 ? new byte[][] {s, p} : null;
    }

    private void open(byte[] newSps, byte[] newPps) {
        byte[] rbsp = new byte[newSps.length];
        int n = Nal.unescape(newSps, 0, newSps.length, rbsp);
        Nal.VideoSize size = H264.parseSps(rbsp, 0, n);
        if (size == null) {
            throw new FfmpegException("fMP4: the keyframe's SPS is malformed", -1);
        }
        closeMuxer();
        out.reset();
        muxer = new Muxer(newSps, newPps, size.width(), size.height());
        sps = newSps;
        pps = newPps;
        init = out.take();
        codec = String.format("avc1.%02x%02x%02x", newSps[1] & 0xFF, newSps[2] & 0xFF, newSps[3] & 0xFF);
        generation++;
        stepLearnt = false; // the step learnt so far stays until the new stream's own is seen
        lastDelta = 0;
        gopMinStep = Long.MAX_VALUE;
        maxPts = Long.MIN_VALUE;
    }

    private byte[] mux(byte[] data, int off, int len, long pts, long dts, boolean keyframe) {
        if (payload == null || payload.capacity() < len + AV_INPUT_BUFFER_PADDING_SIZE) {
            freePayload();
            long size = Math.max(IO_BUFFER, (len + AV_INPUT_BUFFER_PADDING_SIZE) * 3L / 2);
            Pointer p = av_malloc(size);
            if (p == null || p.isNull()) {
                throw new FfmpegException("fMP4: no memory for an access unit of " + len + " bytes", -12);
            }
            payload = new BytePointer(p).capacity(size);
        }
        try {
            payload.position(0).put(data, off, len);
            payload.position(len).put(new byte[AV_INPUT_BUFFER_PADDING_SIZE], 0, AV_INPUT_BUFFER_PADDING_SIZE);
            payload.position(0);
            packet.data(payload);
            packet.size(len);
            packet.pts(pts);
            packet.dts(dts);
            packet.duration(step);
            packet.flags(keyframe ? AV_PKT_FLAG_KEY : 0);
            packet.stream_index(0);
            av_packet_rescale_ts(packet, muxer.timeBase, muxer.stream.time_base());
            // each fragment "discontinuous": its tfdt is the packet's own DTS, not the sum of earlier durations
            Ffmpeg.check(av_opt_set(muxer.context.priv_data(), "movflags", "+frag_discont", 0),
                    "fMP4: movflags");
            Ffmpeg.check(av_write_frame(muxer.context, packet), "fMP4: write access unit");
            Ffmpeg.check(av_write_frame(muxer.context, null), "fMP4: flush fragment");
            avio_flush(muxer.io);
            muxer.samples++;
            fragments++;
            lastEnd = dts + step;
            return out.take();
        } finally {
            packet.data(null);
            packet.size(0);
        }
    }

    private void freePayload() {
        if (payload != null) {
            av_free(payload);
            payload = null;
        }
    }

    /** The current init segment ({@code ftyp} + {@code moov}), or null before the first keyframe. */
    public byte[] init() {
        return init;
    }

    /** The codec as MSE and WebCodecs name it, {@code avc1.PPCCLL} from the SPS, or null before the first keyframe. */
    public String codec() {
        return codec;
    }

    /** Which init segment is current: 1 for the first, one more for each new one; 0 before the first. */
    public int generation() {
        return generation;
    }

    /** Fragments written. */
    public long fragments() {
        return fragments;
    }

    /** Access units not written (see the class). */
    public long skipped() {
        return skipped;
    }

    /** Frees the muxer. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeMuxer();
        freePayload();
        av_packet_free(packet);
        SINKS.remove(sinkId);
    }

    private void closeMuxer() {
        if (muxer != null) {
            muxer.close();
            muxer = null;
        }
    }

    /** What libavformat wrote since the last {@link #take()}: copied once from native memory, once out. */
    private static final class Sink {
        private byte[] bytes = new byte[IO_BUFFER];
        private int length;

        void append(BytePointer buf, int size) {
            if (length + size > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + size));
            }
            buf.position(0).get(bytes, length, size);
            length += size;
        }

        void reset() {
            length = 0;
        }

        /** The bytes written, and empties the sink. */
        byte[] take() {
            byte[] taken = Arrays.copyOf(bytes, length);
            length = 0;
            return taken;
        }
    }

    /** One libavformat mp4 muxer writing through {@link #WRITE} into {@link #out}. */
    private final class Muxer {
        final AVFormatContext context;
        final AVStream stream;
        final AVIOContext io;
        final AVRational timeBase = new AVRational().num(1).den((int) Timestamps.PTS_HZ);
        long samples;

        Muxer(byte[] sps, byte[] pps, int width, int height) {
            AVFormatContext c = new AVFormatContext(null);
            Ffmpeg.check(avformat_alloc_output_context2(c, null, "mp4", (String) null), "fMP4: mp4 muxer");
            context = c;
            AVIOContext pb = null;
            AVDictionary options = new AVDictionary(null);
            try {
                stream = avformat_new_stream(c, null);
                if (stream == null) {
                    throw new FfmpegException("fMP4: no memory for a stream", -12);
                }
                AVCodecParameters par = stream.codecpar();
                par.codec_type(AVMEDIA_TYPE_VIDEO);
                par.codec_id(AV_CODEC_ID_H264);
                par.width(width);
                par.height(height);
                byte[] annexB = new byte[8 + sps.length + pps.length];
                annexB[3] = 1;
                System.arraycopy(sps, 0, annexB, 4, sps.length);
                annexB[7 + sps.length] = 1;
                System.arraycopy(pps, 0, annexB, 8 + sps.length, pps.length);
                BytePointer extradata = new BytePointer(av_mallocz(annexB.length + AV_INPUT_BUFFER_PADDING_SIZE))
                        .capacity(annexB.length + AV_INPUT_BUFFER_PADDING_SIZE);
                extradata.put(annexB, 0, annexB.length);
                par.extradata(extradata); // freed with the context; libavformat turns it into avcC
                par.extradata_size(annexB.length);
                stream.time_base(timeBase);
                Pointer buffer = av_malloc(IO_BUFFER);
                if (buffer == null || buffer.isNull()) {
                    throw new FfmpegException("fMP4: no memory for the output buffer", -12);
                }
                pb = avio_alloc_context(new BytePointer(buffer).capacity(IO_BUFFER), IO_BUFFER, 1, opaque, null,
                        WRITE, null);
                if (pb == null || pb.isNull()) {
                    av_free(buffer);
                    pb = null;
                    throw new FfmpegException("fMP4: no memory for the output context", -12);
                }
                c.pb(pb);
                // one fragment per av_write_frame(NULL); the tfdt absolute; no edit list: media time = PTS
                av_dict_set(options, "movflags", "empty_moov+default_base_moof+frag_custom+frag_discont", 0);
                av_dict_set(options, "use_editlist", "0", 0);
                av_dict_set(options, "avoid_negative_ts", "disabled", 0); // else timestamps are moved to start at 0
                Ffmpeg.check(avformat_write_header(c, options), "fMP4: init segment for " + width + "x" + height);
                avio_flush(pb);
            } catch (RuntimeException e) {
                av_dict_free(options);
                c.pb(null); // not left pointing at the context freed next
                freeIo(pb);
                avformat_free_context(c);
                throw e;
            }
            av_dict_free(options);
            io = pb;
        }

        void close() {
            context.pb(null);
            freeIo(io);
            avformat_free_context(context);
        }

        private static void freeIo(AVIOContext pb) {
            if (pb != null && !pb.isNull()) {
                av_free(pb.buffer()); // libavformat may have replaced the buffer it was given
                avio_context_free(pb);
            }
        }
    }
}
