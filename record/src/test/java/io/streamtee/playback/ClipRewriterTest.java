package io.streamtee.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.Tr101290;
import io.streamtee.ts.TsDemux;
import io.streamtee.ts.TsListener;
import io.streamtee.ts.TsPacket;
import io.streamtee.ts.TsWriter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packet rewriting that joins a clip's pieces, judged by the ts module's own demuxer: logic only. */
class ClipRewriterTest {
    private static final int PMT_PID = 0x1000;
    private static final int VIDEO = 0x100;
    private static final int AUDIO = 0x101;

    /** PAT, PMT, then a video PES (PTS, DTS 2 frames earlier, PCR) and an audio PES (PTS) at {@code pts}. */
    private static byte[] piece(long pts) {
        TsWriter w = new TsWriter();
        w.section(TsPacket.PAT_PID, TsWriter.patSection(1, 0, 1, PMT_PID));
        w.section(PMT_PID, TsWriter.pmtSection(1, 0, VIDEO, Pmt.STREAM_TYPE_H264, VIDEO, 0x0F, AUDIO));
        w.pes(VIDEO, 0xE0, pts, pts - 7200, new byte[400], (pts - 9000) * 300, true);
        w.pes(AUDIO, 0xC0, pts, Timestamps.NONE, new byte[100]);
        return w.toByteArray();
    }

    private record Seen(List<long[]> pes, List<Long> pcr, List<Integer> flagged, List<Tr101290.Kind> errors) {
    }

    /** Rewrites {@code pieces} (each with its offset and discontinuity) and demuxes the result. */
    private static Seen join(byte[][] pieces, long[] offsets, boolean[] discontinuities) {
        ClipRewriter rewriter = new ClipRewriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < pieces.length; i++) {
            rewriter.startPiece(offsets[i], discontinuities[i]);
            byte[] b = pieces[i].clone();
            for (int off = 0; off < b.length; off += TsPacket.SIZE) {
                rewriter.rewrite(b, off);
            }
            out.writeBytes(b);
        }
        Seen seen = new Seen(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        TsDemux demux = new TsDemux(new TsListener() {
            @Override
            public void onPacket(byte[] buf, int off, long position) {
                if (TsPacket.hasPcr(buf, off)) {
                    seen.pcr().add(TsPacket.pcr(buf, off));
                }
                if (TsPacket.discontinuity(buf, off)) {
                    seen.flagged().add(TsPacket.pid(buf, off));
                }
            }

            @Override
            public void onPes(int pid, int streamId, long pts, long dts, long position) {
                seen.pes().add(new long[] {pid, pts, dts});
            }

            @Override
            public void onError(Tr101290.Kind kind, int pid, long position) {
                seen.errors().add(kind);
            }
        });
        byte[] all = out.toByteArray();
        demux.feed(all, 0, all.length);
        return seen;
    }

    @Test
    void aPieceAfterARestartHasItsTimestampsMovedAndIsFlagged() {
        long wrapNear = Timestamps.PTS_WRAP - 90_000; // the offset takes the second piece over the 33-bit wrap
        Seen seen = join(new byte[][] {piece(wrapNear - 180_000), piece(900_000)},
                new long[] {0, wrapNear - 900_000 + 180_000}, new boolean[] {false, true});
        assertThat(seen.pes()).extracting(p -> p[0]).containsExactly((long) VIDEO, (long) AUDIO, (long) VIDEO,
                (long) AUDIO);
        // first piece as it was
        assertThat(seen.pes().get(0)).containsExactly(VIDEO, wrapNear - 180_000, wrapNear - 187_200);
        // second: 900_000 + offset = 2^33 + 90_000, so 90_000 after the wrap; PTS, DTS and PCR alike
        assertThat(seen.pes().get(2)).containsExactly(VIDEO, 90_000, 90_000 - 7200);
        assertThat(seen.pes().get(3)[1]).isEqualTo(90_000);
        assertThat(seen.pcr()).containsExactly((wrapNear - 189_000) * 300, (90_000 - 9000) * 300L);
        // the flag: on the first packet of each PID that has an adaptation field to carry it (video: with the PCR;
        // audio: its stuffing); the PAT and PMT have none
        assertThat(seen.flagged()).containsExactly(VIDEO, AUDIO);
        // counters run on across the join, and the PCR jump is announced
        assertThat(seen.errors()).doesNotContain(Tr101290.Kind.CONTINUITY_COUNT_ERROR,
                Tr101290.Kind.PCR_DISCONTINUITY_INDICATOR_ERROR);
    }

    @Test
    void aContinuingPieceIsLeftAsItWasButForItsCounters() {
        byte[] first = piece(900_000);
        byte[] second = piece(900_000 + 3600);
        Seen seen = join(new byte[][] {first, second}, new long[] {0, 0}, new boolean[] {false, false});
        assertThat(seen.pes().get(2)).containsExactly(VIDEO, 900_000 + 3600, 900_000 + 3600 - 7200);
        assertThat(seen.flagged()).isEmpty();
        assertThat(seen.errors()).doesNotContain(Tr101290.Kind.CONTINUITY_COUNT_ERROR);
    }
}
