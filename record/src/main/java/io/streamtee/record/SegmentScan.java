package io.streamtee.record;

import io.streamtee.ts.Timestamps;
import io.streamtee.ts.Tr101290;
import io.streamtee.ts.TsDemux;
import io.streamtee.ts.TsListener;
import io.streamtee.ts.TsPacket;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads a segment file back into what the index stores; and repairs one a killed recorder left behind. */
final class SegmentScan {
    private SegmentScan() {
    }

    /**
     * Cuts a segment file to whole 188-byte packets (a recorder killed mid-write leaves a partial one) and scans it.
     *
     * @return the segment as found, with {@link Segment#bytes()} the size after the cut
     */
    static Segment repair(Path file, long startWallMillis) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long whole = size - size % TsPacket.SIZE;
            if (whole != size) {
                ch.truncate(whole);
                ch.force(true);
            }
        }
        return scan(file, startWallMillis);
    }

    /**
     * Frames, keyframe offsets (of their PES start packets), PTS range and continuity errors of a segment file. The
     * wall-clock end is the start plus the PTS duration.
     */
    static Segment scan(Path file, long startWallMillis) throws IOException {
        Segment[] found = new Segment[1];
        TsDemux demux = new TsDemux(new TsListener() {
            @Override
            public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
                if (found[0] == null) {
                    found[0] = new Segment(startWallMillis, pts);
                }
                if (keyframe) {
                    found[0].addKeyframe(position, pts);
                }
                found[0].frame(pts, dts);
            }
        });
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                demux.feed(buf, 0, n);
            }
        }
        demux.flush();
        Segment s = found[0] != null ? found[0] : new Segment(startWallMillis, Timestamps.NONE);
        s.bytes = demux.position();
        s.continuityErrors = demux.errors().count(Tr101290.Kind.CONTINUITY_COUNT_ERROR);
        s.endAtLastFrame();
        s.endWallMillis = startWallMillis + s.durationMillis();
        s.path(file);
        return s;
    }
}
