package io.streamtee.ts;

import java.util.List;

/** A Program Map Table: the elementary streams of one program and the PID carrying its PCR. */
public record Pmt(int pid, int programNumber, int version, int pcrPid, List<Stream> streams) {
    /** One elementary stream. */
    public record Stream(int pid, int streamType) {
        /** A short codec name for the stream type: h264, h265, aac, mp2, ... or {@code type-0xNN}. */
        public String codec() {
            return codecName(streamType);
        }
    }

    public Pmt {
        streams = List.copyOf(streams);
    }

    public static final int STREAM_TYPE_H264 = 0x1B;
    public static final int STREAM_TYPE_H265 = 0x24;

    /** True for the video stream types whose access units the demuxer parses: H.264 and H.265. */
    public static boolean isVideo(int streamType) {
        return streamType == STREAM_TYPE_H264 || streamType == STREAM_TYPE_H265;
    }

    /** The first H.264 or H.265 stream of the program, or null. */
    public Stream video() {
        for (Stream s : streams) {
            if (isVideo(s.streamType())) {
                return s;
            }
        }
        return null;
    }

    public static String codecName(int streamType) {
        return switch (streamType) {
            case 0x01 -> "mpeg1video";
            case 0x02 -> "mpeg2video";
            case 0x03, 0x04 -> "mp2";
            case 0x06 -> "private";
            case 0x0F -> "aac";
            case 0x10 -> "mpeg4";
            case 0x11 -> "aac-latm";
            case 0x15 -> "metadata";
            case STREAM_TYPE_H264 -> "h264";
            case STREAM_TYPE_H265 -> "h265";
            case 0x81 -> "ac3";
            case 0x87 -> "eac3";
            default -> String.format("type-0x%02x", streamType);
        };
    }
}
