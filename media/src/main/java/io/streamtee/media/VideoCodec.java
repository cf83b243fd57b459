package io.streamtee.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_HEVC;

import io.streamtee.ts.Pmt;

/** The video codecs {@link VideoDecoder} decodes: those the demuxer parses access units of. */
public enum VideoCodec {
    H264(Pmt.STREAM_TYPE_H264, AV_CODEC_ID_H264, "h264"),
    H265(Pmt.STREAM_TYPE_H265, AV_CODEC_ID_HEVC, "hevc");

    private final int streamType;
    private final int codecId;
    private final String ffmpegName;

    VideoCodec(int streamType, int codecId, String ffmpegName) {
        this.streamType = streamType;
        this.codecId = codecId;
        this.ffmpegName = ffmpegName;
    }

    /**
     * The codec of an MPEG-TS stream type.
     *
     * @throws IllegalArgumentException for a stream type that is neither H.264 (0x1B) nor H.265 (0x24)
     */
    public static VideoCodec ofStreamType(int streamType) {
        for (VideoCodec c : values()) {
            if (c.streamType == streamType) {
                return c;
            }
        }
        throw new IllegalArgumentException("stream type " + Pmt.codecName(streamType)
                + " is not a video codec the decoder knows (h264, h265)");
    }

    /** The PMT stream type. */
    public int streamType() {
        return streamType;
    }

    int codecId() {
        return codecId;
    }

    /** FFmpeg's name of the codec ("h264", "hevc"). */
    public String ffmpegName() {
        return ffmpegName;
    }
}
