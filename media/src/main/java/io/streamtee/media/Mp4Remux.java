package io.streamtee.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXTERNAL;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_rescale_q;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * MPEG-TS to MP4 without re-encoding, with FFmpeg's libavformat (what {@code ffmpeg -i clip.ts -c copy clip.mp4}
 * does): the video and audio packets are copied as they are, timestamps start at 0, and the index ({@code moov}) is
 * moved to the front so a browser can start playing before the download ends. Other streams (data, subtitles) are
 * left out.
 */
public final class Mp4Remux {
    private Mp4Remux() {
    }

    static {
        Ffmpeg.quiet();
    }

    /** libavformat/avformat.h: the caller owns the input's I/O context (JavaCPP does not map this macro). */
    private static final int AVFMT_FLAG_CUSTOM_IO = 0x0080;
    /** Bytes libavformat asks for at a time from an input stream. */
    private static final int READ_BUFFER = 64 * 1024;

    /**
     * Remuxes the file {@code ts} into {@code mp4} (created or replaced).
     *
     * @throws IOException with FFmpeg's reason when the input cannot be read or the output written
     */
    public static void remux(Path ts, Path mp4) throws IOException {
        try (InputStream in = Files.newInputStream(ts)) {
            remux(in, ts.getFileName().toString(), mp4);
        }
    }

    /**
     * Remuxes an MPEG-TS stream, read as libavformat asks for it (no temporary copy), into {@code mp4}.
     *
     * @param name the input's name, for messages
     * @throws IOException the stream's own failure, or FFmpeg's reason when the input cannot be demuxed or the
     *                     output written
     */
    public static void remux(InputStream ts, String name, Path mp4) throws IOException {
        IOException[] readFailure = new IOException[1];
        Read_packet_Pointer_BytePointer_int reader = new Read_packet_Pointer_BytePointer_int() {
            private final byte[] chunk = new byte[READ_BUFFER];

            @Override
            public int call(Pointer opaque, BytePointer buf, int size) {
                try {
                    int n = ts.read(chunk, 0, Math.min(size, chunk.length));
                    if (n < 0) {
                        return AVERROR_EOF;
                    }
                    buf.put(chunk, 0, n);
                    return n;
                } catch (IOException e) {
                    readFailure[0] = e;
                    return AVERROR_EXTERNAL;
                }
            }
        };
        AVIOContext input = avio_alloc_context(new BytePointer(av_malloc(READ_BUFFER)).capacity(READ_BUFFER),
                READ_BUFFER, 0, null, reader, null, null);
        try {
            remux(input, name, mp4);
        } catch (IOException e) {
            if (readFailure[0] != null) {
                throw readFailure[0]; // the cause, rather than FFmpeg's "error in an external library"
            }
            throw e;
        } finally {
            av_free(input.buffer()); // libavformat may have replaced the buffer it was given
            avio_context_free(input);
            reader.close();
        }
    }

    private static void remux(AVIOContext input, String name, Path mp4) throws IOException {
        AVFormatContext in = avformat_alloc_context();
        in.pb(input);
        in.flags(in.flags() | AVFMT_FLAG_CUSTOM_IO);
        AVFormatContext out = null;
        AVPacket packet = null;
        AVDictionary options = new AVDictionary(null);
        boolean opened = false;
        try {
            check(avformat_open_input(in, (String) null, av_find_input_format("mpegts"), null), "open " + name);
            opened = true;
            check(avformat_find_stream_info(in, (PointerPointer<?>) null), "read stream info");
            out = new AVFormatContext(null);
            check(avformat_alloc_output_context2(out, null, "mp4", mp4.toString()), "mp4 muxer");
            int[] map = new int[in.nb_streams()];
            int mapped = 0;
            for (int i = 0; i < map.length; i++) {
                AVStream s = in.streams(i);
                int type = s.codecpar().codec_type();
                if (type != AVMEDIA_TYPE_VIDEO && type != AVMEDIA_TYPE_AUDIO) {
                    map[i] = -1;
                    continue;
                }
                AVStream o = avformat_new_stream(out, null);
                check(avcodec_parameters_copy(o.codecpar(), s.codecpar()), "copy codec parameters");
                o.codecpar().codec_tag(0);
                o.time_base(s.time_base());
                map[i] = mapped++;
            }
            if (mapped == 0) {
                throw new IOException("no video or audio in " + name);
            }
            AVIOContext pb = new AVIOContext(null);
            check(avio_open(pb, mp4.toString(), AVIO_FLAG_WRITE), "create " + mp4.getFileName());
            out.pb(pb);
            av_dict_set(options, "movflags", "+faststart", 0);
            check(avformat_write_header(out, options), "mp4 header");
            AVRational microseconds = new AVRational().num(1).den(AV_TIME_BASE);
            Timeline timeline = new Timeline(map.length, in.start_time() == AV_NOPTS_VALUE ? 0 : in.start_time());
            packet = av_packet_alloc();
            int read;
            while ((read = av_read_frame(in, packet)) >= 0) {
                int index = packet.stream_index();
                if (index >= map.length || map[index] < 0) {
                    av_packet_unref(packet);
                    continue;
                }
                AVStream is = in.streams(index);
                long dts = packet.dts() != AV_NOPTS_VALUE ? packet.dts() : packet.pts();
                long offsetUs = dts == AV_NOPTS_VALUE ? timeline.offsetUs()
                        : timeline.place(index, av_rescale_q(dts, is.time_base(), microseconds));
                long shift = av_rescale_q(offsetUs, microseconds, is.time_base());
                if (packet.pts() != AV_NOPTS_VALUE) {
                    packet.pts(packet.pts() + shift);
                }
                if (packet.dts() != AV_NOPTS_VALUE) {
                    packet.dts(packet.dts() + shift);
                }
                av_packet_rescale_ts(packet, is.time_base(), out.streams(map[index]).time_base());
                packet.stream_index(map[index]);
                packet.pos(-1);
                check(av_interleaved_write_frame(out, packet), "write mp4");
            }
            if (read != AVERROR_EOF) {
                check(read, "read " + name); // an error, not the end: no short MP4 passed off as whole
            }
            check(av_write_trailer(out), "mp4 trailer");
        } finally {
            if (packet != null) {
                av_packet_free(packet);
            }
            av_dict_free(options);
            if (out != null && !out.isNull()) {
                if (out.pb() != null && !out.pb().isNull()) {
                    avio_closep(out.pb());
                }
                avformat_free_context(out);
            }
            if (opened) {
                avformat_close_input(in); // leaves the custom input context to the caller
            } else {
                avformat_free_context(in);
            }
        }
    }

    /**
     * Where each packet goes on the output's clock: its input time plus an offset that starts by bringing the first
     * packet to 0. A step forward of more than {@link #JUMP_US} and less than {@link #MAX_GAP_US} is a gap in the
     * recording and is kept (a playback clip's input runs on wall-clock time, so the MP4's time is the wall-clock
     * time since the clip's start; a player holds the last picture through it). A step back, or forward by
     * {@link #MAX_GAP_US} or more (a camera restarted and its clock with it), changes the offset so that the output
     * runs on one frame after the last: MPEG-TS allows such jumps after a discontinuity; MP4 does not, and the muxer
     * would squeeze the frames together.
     */
    public static final class Timeline {
        /** Steps up to this are the stream's own frame interval (a dropped frame makes one longer). */
        static final long JUMP_US = 1_000_000;
        /** Steps forward from here on are a clock that jumped, not a gap: an MP4 export is at most an hour long. */
        static final long MAX_GAP_US = 3_600_000_000L;
        private static final long DEFAULT_STEP_US = 40_000;
        private final long[] lastUs;
        private final long[] stepUs;
        private long offsetUs;

        public Timeline(int streams, long startUs) {
            lastUs = new long[streams];
            stepUs = new long[streams];
            java.util.Arrays.fill(lastUs, Long.MIN_VALUE);
            java.util.Arrays.fill(stepUs, DEFAULT_STEP_US);
            offsetUs = -startUs;
        }

        long offsetUs() {
            return offsetUs;
        }

        /** The offset for a packet of {@code stream} whose input decoding time is {@code dtsUs}. */
        public long place(int stream, long dtsUs) {
            long last = lastUs[stream];
            if (last != Long.MIN_VALUE) {
                long delta = dtsUs + offsetUs - last;
                if (delta < 0 || delta >= MAX_GAP_US) {
                    offsetUs = last + stepUs[stream] - dtsUs;
                } else if (delta > 0 && delta <= JUMP_US) {
                    stepUs[stream] = delta;
                }
            }
            lastUs[stream] = dtsUs + offsetUs;
            return offsetUs;
        }
    }

    private static void check(int ret, String what) throws IOException {
        Ffmpeg.checkIo(ret, "remux: " + what);
    }
}
