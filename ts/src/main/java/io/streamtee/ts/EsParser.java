package io.streamtee.ts;

import java.util.Arrays;

/**
 * One elementary stream PID: PES headers (PTS/DTS) and, for H.264/H.265, the NAL units at the start of each PES up
 * to the first slice, which tells the access unit's type. The rest of the PES payload is not scanned, which keeps
 * the cost per video packet at a few comparisons. One access unit per PES is assumed (usual in TS).
 */
final class EsParser {
    static final int OTHER = 0;
    static final int AVC = 1;
    static final int HEVC = 2;

    private static final long NONE = Timestamps.NONE;

    final int pid;
    final int streamType;
    final int codec;
    private final TsListener listener;
    private final Tr101290 tr;

    // PES header
    private final byte[] hdr = new byte[9 + 255];
    private int hdrLen;
    private int hdrNeed;
    private boolean inPes;
    private long pesPosition;
    private long pts = NONE;
    private long dts = NONE;

    // NAL scan
    private boolean scanning;
    private int zeros;
    private boolean nalHeaderNext;
    private boolean capturing;
    private final byte[] nal = new byte[1024];
    private int nalLen;
    private final byte[] lastSps = new byte[1024];
    private int lastSpsLen = -1;
    private final byte[] rbsp = new byte[1024];
    private final BitReader bits = new BitReader();
    private boolean sawSps;
    private boolean sawPps;

    // stats
    long frames;
    long keyframes;
    private long lastKeyframeIndex = -1;
    int gopLength;
    int width;
    int height;
    double spsFps;
    private long lastDts = NONE;
    private long dtsDeltaSum;
    private long dtsDeltas;
    long pesErrors;

    EsParser(int pid, int streamType, TsListener listener, Tr101290 tr) {
        this.pid = pid;
        this.streamType = streamType;
        this.codec = streamType == Pmt.STREAM_TYPE_H264 ? AVC : streamType == Pmt.STREAM_TYPE_H265 ? HEVC : OTHER;
        this.listener = listener;
        this.tr = tr;
    }

    /** Abandons the current PES (after a continuity error): nothing more is read from it. */
    void reset() {
        inPes = false;
        scanning = false;
        capturing = false;
    }

    void payload(byte[] b, int from, int to, boolean unitStart, long position, long now) {
        if (unitStart) {
            endCapture();
            inPes = true;
            pesPosition = position;
            pts = NONE;
            dts = NONE;
            hdrLen = 0;
            hdrNeed = 9;
            scanning = false;
            capturing = false;
        }
        if (!inPes) {
            return;
        }
        if (hdrNeed > 0) {
            from = header(b, from, to, now);
            if (hdrNeed > 0 || !inPes) {
                return;
            }
        }
        if (from < to) {
            listener.onPesData(pid, b, from, to - from);
            if (scanning) {
                scan(b, from, to);
            }
        }
    }

    /** Collects and parses the PES header; returns the index of the first payload byte consumed after it. */
    private int header(byte[] b, int from, int to, long now) {
        while (hdrNeed > 0) {
            int n = Math.min(hdrNeed - hdrLen, to - from);
            System.arraycopy(b, from, hdr, hdrLen, n);
            hdrLen += n;
            from += n;
            if (hdrLen < hdrNeed) {
                return from;
            }
            if (hdrNeed == 9) {
                int streamId = hdr[3] & 0xFF;
                if (hdr[0] != 0 || hdr[1] != 0 || hdr[2] != 1) {
                    pesErrors++;
                    inPes = false;
                    return to;
                }
                if (!Pes.hasOptionalHeader(streamId)) {
                    inPes = false; // no optional header, nothing we read
                    hdrNeed = 0;
                    return to;
                }
                hdrNeed = 9 + (hdr[8] & 0xFF);
                if (hdrNeed > hdrLen) {
                    continue; // PES_header_data_length 0 (no PTS) means the header is complete
                }
            }
            hdrNeed = 0;
        }
        int flags = (hdr[7] >> 6) & 3;
        if (flags >= 2 && hdrLen >= 14) {
            pts = Pes.readTimestamp(hdr, 9);
            dts = flags == 3 && hdrLen >= 19 ? Pes.readTimestamp(hdr, 14) : pts;
            tr.pts(pid, now);
        }
        listener.onPes(pid, hdr[3] & 0xFF, pts, dts, pesPosition);
        int declared = ((hdr[4] & 0xFF) << 8) | (hdr[5] & 0xFF); // PES_packet_length: the bytes after this field
        int payload = declared - 3 - (hdr[8] & 0xFF);
        if (declared > 0 && payload >= 0) {
            listener.onPesLength(pid, payload);
        }
        scanning = codec != OTHER;
        zeros = 0;
        nalHeaderNext = false;
        return from;
    }

    private void scan(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            int v = b[i] & 0xFF;
            if (nalHeaderNext) {
                nalHeaderNext = false;
                if (!nalUnit(v)) {
                    scanning = false;
                    return;
                }
            }
            if (capturing) {
                if (nalLen < nal.length) {
                    nal[nalLen++] = (byte) v;
                } else {
                    capturing = false; // too long to be an SPS we care about
                }
            }
            if (v == 0) {
                zeros++;
            } else {
                if (v == 1 && zeros >= 2) {
                    endCapture();
                    nalHeaderNext = true;
                }
                zeros = 0;
            }
        }
    }

    /** Handles a NAL unit header byte; returns false at the first slice (scan is over for this PES). */
    private boolean nalUnit(int header) {
        if (codec == AVC) {
            int type = H264.nalType(header);
            if (H264.isVcl(type)) {
                accessUnit(H264.isKeyframe(type));
                return false;
            }
            sawSps |= type == H264.NAL_SPS;
            sawPps |= type == H264.NAL_PPS;
            startCapture(type == H264.NAL_SPS);
        } else {
            int type = H265.nalType(header);
            if (H265.isVcl(type)) {
                accessUnit(H265.isKeyframe(type));
                return false;
            }
            sawSps |= type == H265.NAL_SPS;
            sawPps |= type == H265.NAL_PPS;
            startCapture(type == H265.NAL_SPS);
        }
        return true;
    }

    private void startCapture(boolean sps) {
        capturing = sps;
        nalLen = 0;
    }

    /** Ends an SPS capture at a start code or at the end of the PES, and parses it if it changed. */
    private void endCapture() {
        if (!capturing) {
            return;
        }
        capturing = false;
        int n = nalLen;
        if (n > 0 && nal[n - 1] == 1) {
            n--; // the 01 of the start code that ended it
        }
        while (n > 0 && nal[n - 1] == 0) {
            n--;
        }
        if (n == lastSpsLen && Arrays.equals(nal, 0, n, lastSps, 0, n)) {
            return;
        }
        System.arraycopy(nal, 0, lastSps, 0, n);
        lastSpsLen = n;
        int len = Nal.unescape(nal, 0, n, rbsp);
        bits.reset(rbsp, 0, len);
        Nal.VideoSize size = codec == AVC ? H264.parseSps(bits) : H265.parseSps(bits);
        if (size != null) {
            width = size.width();
            height = size.height();
            spsFps = size.fps();
        }
    }

    private void accessUnit(boolean keyframe) {
        long index = frames++;
        if (keyframe) {
            keyframes++;
            if (lastKeyframeIndex >= 0) {
                gopLength = (int) (index - lastKeyframeIndex);
            }
            lastKeyframeIndex = index;
        }
        if (dts != NONE) {
            if (lastDts != NONE) {
                long d = Timestamps.ptsDiff(lastDts, dts);
                if (d > 0 && d < Timestamps.PTS_HZ) {
                    dtsDeltaSum += d;
                    dtsDeltas++;
                }
            }
            lastDts = dts;
        }
        listener.onAccessUnit(pid, pesPosition, pts, dts, keyframe);
    }

    /** Frames per second: from the SPS timing info when present, else from the mean DTS step. */
    double fps() {
        if (spsFps > 0) {
            return spsFps;
        }
        return dtsDeltaSum > 0 ? (double) Timestamps.PTS_HZ * dtsDeltas / dtsDeltaSum : 0;
    }

    boolean sawParameterSets() {
        return sawSps && sawPps;
    }
}
