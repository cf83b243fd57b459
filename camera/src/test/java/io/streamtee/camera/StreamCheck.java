package io.streamtee.camera;

import io.streamtee.ts.StreamInfo;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.Tr101290;
import io.streamtee.ts.TsDemux;
import io.streamtee.ts.TsListener;
import io.streamtee.ts.TsPacket;
import java.util.ArrayList;
import java.util.List;

/** Runs bytes through the ts module's demux and keeps what the tests look at. */
final class StreamCheck implements TsListener {

    final List<Long> pcrs = new ArrayList<>();
    final List<Long> videoPts = new ArrayList<>();
    final List<Integer> discontinuityPids = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    private final TsDemux demux = new TsDemux(this);

    static StreamCheck of(byte[] ts) {
        StreamCheck check = new StreamCheck();
        check.demux.feed(ts, 0, ts.length);
        check.demux.flush();
        return check;
    }

    @Override
    public void onPacket(byte[] buf, int off, long position) {
        if (TsPacket.hasPcr(buf, off)) {
            pcrs.add(TsPacket.pcr(buf, off));
        }
        if (TsPacket.discontinuity(buf, off)) {
            discontinuityPids.add(TsPacket.pid(buf, off));
        }
    }

    @Override
    public void onPes(int pid, int streamId, long pts, long dts, long position) {
        if (streamId >= 0xE0 && streamId <= 0xEF) {
            videoPts.add(pts);
        }
    }

    @Override
    public void onError(Tr101290.Kind kind, int pid, long position) {
        errors.add(kind + " on PID " + pid + " at byte " + position);
    }

    StreamInfo video() {
        return demux.video();
    }

    /** True when every value is larger than the one before, across 33-bit wrap. */
    static boolean increasing(List<Long> values, boolean pcr) {
        for (int i = 1; i < values.size(); i++) {
            long d = pcr ? Timestamps.pcrDiff(values.get(i - 1), values.get(i))
                    : Timestamps.ptsDiff(values.get(i - 1), values.get(i));
            if (d <= 0) {
                return false;
            }
        }
        return true;
    }
}
