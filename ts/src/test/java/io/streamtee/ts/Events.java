package io.streamtee.ts;

import java.util.ArrayList;
import java.util.List;

/** A listener that records every callback (except packets, which it counts) as a line, for comparisons. */
final class Events implements TsListener {
    final List<String> lines = new ArrayList<>();
    final List<Long> keyframePositions = new ArrayList<>();
    final List<Pat> pats = new ArrayList<>();
    final List<Pmt> pmts = new ArrayList<>();
    long packets;
    long accessUnits;

    @Override
    public void onPacket(byte[] buf, int off, long position) {
        packets++;
    }

    @Override
    public void onPat(Pat pat) {
        pats.add(pat);
        lines.add("pat " + pat);
    }

    @Override
    public void onPmt(Pmt pmt) {
        pmts.add(pmt);
        lines.add("pmt " + pmt);
    }

    @Override
    public void onPes(int pid, int streamId, long pts, long dts, long position) {
        lines.add("pes " + pid + " " + streamId + " " + pts + " " + dts + " @" + position);
    }

    @Override
    public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
        accessUnits++;
        if (keyframe) {
            keyframePositions.add(position);
        }
        lines.add("au " + pid + " " + pts + " " + dts + " " + keyframe + " @" + position);
    }

    @Override
    public void onError(Tr101290.Kind kind, int pid, long position) {
        lines.add("error " + kind + " " + pid + " @" + position);
    }

    static Events feed(byte[] ts) {
        Events e = new Events();
        TsDemux d = new TsDemux(e);
        d.feed(ts, 0, ts.length);
        d.flush();
        return e;
    }
}
