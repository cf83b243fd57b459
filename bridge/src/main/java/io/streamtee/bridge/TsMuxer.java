package io.streamtee.bridge;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.av_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avformat.avio_flush;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import io.streamtee.media.Ffmpeg;
import io.streamtee.media.FfmpegException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
 * A video stream's packets, and those of an audio stream if any, as they are (no re-encoding), into MPEG-TS with
 * libavformat's mpegts muxer writing into memory, cut into datagrams of {@value #DATAGRAM} bytes (7 x 188). The muxer
 * repeats the PAT and PMT (every 100 ms) and sends the PCR on the video PID; the first packets carry the discontinuity
 * indicator, so that a consumer sees a new muxer (after a reconnect) as a discontinuity and not as lost packets. AAC
 * given raw with its AudioSpecificConfig as extradata (what libavformat's RTSP client gives for MPEG4-GENERIC) is
 * written with ADTS headers by the muxer itself, as MPEG-TS wants.
 *
 * <p>Bytes short of a whole datagram wait for the next packet (a video PES ends where the next begins anyway);
 * {@link #finish} sends them as a last, shorter datagram. Not thread-safe; {@link #close()} is idempotent.
 */
final class TsMuxer implements AutoCloseable {
    static final int TS_PACKET = 188;
    static final int DATAGRAM = 7 * TS_PACKET;
    private static final int IO_BUFFER = 32 * 1024;
    private static final Map<Long, TsMuxer> MUXERS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_ID = new AtomicLong(1);
    /** One callback for every muxer (JavaCPP has few callback slots), finding its muxer by the opaque pointer. */
    private static final Write_packet_Pointer_BytePointer_int WRITE = new Write_packet_Pointer_BytePointer_int() {
        @Override
        public int call(Pointer opaque, BytePointer buf, int size) {
            TsMuxer m = MUXERS.get(opaque.address());
            if (m != null) {
                m.append(buf, size);
            }
            return size;
        }
    };

    private final long id = NEXT_ID.getAndIncrement();
    private final Pointer opaque = new Pointer() {
        {
            address = id; // never dereferenced: a key for MUXERS
        }
    };
    private final AVFormatContext context;
    private final AVStream[] streams;
    private final AVIOContext io;
    private final Consumer<List<byte[]>> out;
    private final byte[] pending = new byte[DATAGRAM];
    private int pendingLength;
    private List<byte[]> batch = new ArrayList<>();
    private boolean closed;

    /** One stream of the muxer's input: its codec parameters and the time base its packets are written in. */
    record Track(AVCodecParameters codec, AVRational timeBase) {
    }

    /**
     * Opens the muxer and writes the first PAT and PMT.
     *
     * @param tracks the streams, the video first (H.264 or H.265, with its extradata when the camera's SDP had it),
     *               then the audio if any; a packet's stream index in {@link #write} is its track's place here
     * @param out    gets each batch of datagrams (those of one packet)
     * @throws FfmpegException when libavformat refuses a stream
     */
    TsMuxer(List<Track> tracks, Consumer<List<byte[]>> out) {
        this.out = out;
        MUXERS.put(id, this);
        AVFormatContext c = new AVFormatContext(null);
        AVIOContext pb = null;
        AVDictionary options = new AVDictionary(null);
        try {
            Ffmpeg.check(avformat_alloc_output_context2(c, null, "mpegts", (String) null), "MPEG-TS muxer");
            for (Track t : tracks) {
                AVStream s = avformat_new_stream(c, null);
                if (s == null) {
                    throw new FfmpegException("MPEG-TS muxer: no memory for a stream", -12);
                }
                Ffmpeg.check(avcodec_parameters_copy(s.codecpar(), t.codec()), "MPEG-TS muxer: codec parameters");
                s.codecpar().codec_tag(0);
                s.time_base(t.timeBase());
            }
            Pointer buffer = av_malloc(IO_BUFFER);
            if (buffer == null || buffer.isNull()) {
                throw new FfmpegException("MPEG-TS muxer: no memory for the output buffer", -12);
            }
            pb = avio_alloc_context(new BytePointer(buffer).capacity(IO_BUFFER), IO_BUFFER, 1, opaque, null, WRITE,
                    null);
            if (pb == null || pb.isNull()) {
                av_free(buffer);
                pb = null;
                throw new FfmpegException("MPEG-TS muxer: no memory for the output context", -12);
            }
            c.pb(pb);
            av_dict_set(options, "mpegts_flags", "+initial_discontinuity", 0);
            av_dict_set(options, "avoid_negative_ts", "disabled", 0); // the camera's timestamps, as they are
            Ffmpeg.check(avformat_write_header(c, options), "MPEG-TS muxer: header");
            avio_flush(pb);
        } catch (RuntimeException e) {
            av_dict_free(options);
            c.pb(null);
            freeIo(pb);
            if (!c.isNull()) {
                avformat_free_context(c);
            }
            MUXERS.remove(id);
            throw e;
        }
        av_dict_free(options);
        context = c;
        io = pb;
        streams = new AVStream[tracks.size()];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = context.streams(i);
        }
        ship(false);
    }

    /** The time base the muxer chose for a track (1/90000): packets are written in it. */
    AVRational streamTimeBase(int track) {
        return streams[track].time_base();
    }

    /**
     * Writes one packet of a track (its stream index is set here, its times must be in {@link #streamTimeBase(int)})
     * and hands on the whole datagrams it made.
     *
     * @return libavformat's answer: 0, or a negative error code for a packet it refused (the caller decides)
     */
    int write(AVPacket packet, int track) {
        packet.stream_index(track);
        int ret = av_write_frame(context, packet);
        avio_flush(io);
        ship(false);
        return ret;
    }

    /** Ends the stream: the muxer's last bytes, and what waited for a whole datagram, go out. */
    void finish() {
        if (!closed) {
            av_write_trailer(context);
            avio_flush(io);
            ship(true);
        }
    }

    private void append(BytePointer buf, int size) {
        int at = 0;
        while (at < size) {
            int n = Math.min(size - at, DATAGRAM - pendingLength);
            buf.position(at).get(pending, pendingLength, n);
            pendingLength += n;
            at += n;
            if (pendingLength == DATAGRAM) {
                batch.add(pending.clone());
                pendingLength = 0;
            }
        }
    }

    private void ship(boolean all) {
        if (all && pendingLength > 0) {
            batch.add(java.util.Arrays.copyOf(pending, pendingLength));
            pendingLength = 0;
        }
        if (!batch.isEmpty()) {
            List<byte[]> done = batch;
            batch = new ArrayList<>();
            out.accept(done);
        }
    }

    /** Frees the muxer (without a trailer: see {@link #finish}). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.pb(null);
        freeIo(io);
        avformat_free_context(context);
        MUXERS.remove(id);
    }

    private static void freeIo(AVIOContext pb) {
        if (pb != null && !pb.isNull()) {
            av_free(pb.buffer()); // libavformat may have replaced the buffer it was given
            avio_context_free(pb);
        }
    }
}
