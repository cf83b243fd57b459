package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import io.streamtee.ts.TsWriter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The PCR filler on hand-made streams: bytes in, bytes out, no encoder. */
class PcrFillerTest {
    private static final int VIDEO = 0x100;
    private static final long MS = 27_000L;

    /** {@code frames} video PES of random sizes, the first packet of each with a PCR; PAT and PMT every 5 frames. */
    private static byte[] stream(int frames, long pcrStepTicks, long firstPcr) {
        Random random = new Random(5);
        TsWriter w = new TsWriter();
        for (int i = 0; i < frames; i++) {
            if (i % 5 == 0) {
                w.section(0, TsWriter.patSection(1, 0, 1, 0x1000));
                w.section(0x1000, TsWriter.pmtSection(1, 0, VIDEO, Pmt.STREAM_TYPE_H264, VIDEO));
            }
            byte[] data = new byte[200 + random.nextInt(4000)];
            random.nextBytes(data);
            long pcr = firstPcr + i * pcrStepTicks;
            long pts = pcr / 300 + 9000;
            w.pes(VIDEO, 0xE0, pts, pts, data, Math.floorMod(pcr, Timestamps.PCR_WRAP), i % 10 == 0);
        }
        return w.toByteArray();
    }

    private static byte[] fill(byte[] in, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcrFiller filler = new PcrFiller(out::write, 35 * MS);
        for (int off = 0; off < in.length; off += chunk) {
            filler.write(in, off, Math.min(chunk, in.length - off));
        }
        filler.flush();
        return out.toByteArray();
    }

    private static boolean pcrOnly(byte[] ts, int off) {
        return TsPacket.hasPcr(ts, off) && !TsPacket.hasPayload(ts, off);
    }

    private static List<Long> pcrs(byte[] ts) {
        List<Long> list = new ArrayList<>();
        for (int off = 0; off < ts.length; off += TsPacket.SIZE) {
            if (TsPacket.hasPcr(ts, off)) {
                list.add(TsPacket.pcr(ts, off));
            }
        }
        return list;
    }

    @Test
    void fiftyMsPcrStepsGetOneFillerEachAndTheStreamStaysValid() {
        byte[] in = stream(40, 50 * MS, 10 * Timestamps.PCR_HZ);
        byte[] out = fill(in, 1000); // chunks that cut packets
        List<Long> pcrs = pcrs(out);
        assertThat(pcrs).hasSize(40 + 39);
        for (int i = 1; i < pcrs.size(); i++) {
            assertThat(Timestamps.pcrDiff(pcrs.get(i - 1), pcrs.get(i))).isEqualTo(25 * MS);
        }
        // the original packets, in order, unchanged
        ByteArrayOutputStream original = new ByteArrayOutputStream();
        for (int off = 0; off < out.length; off += TsPacket.SIZE) {
            if (!pcrOnly(out, off)) {
                original.write(out, off, TsPacket.SIZE);
            }
        }
        assertThat(original.toByteArray()).isEqualTo(in);
        StreamCheck check = StreamCheck.of(out);
        assertThat(check.errors).isEmpty();
        assertThat(check.videoPts).hasSize(40);
    }

    @Test
    void fillersAreSpreadAmongTheFramesPacketsNotBunchedBeforeTheNextPcr() {
        byte[] out = fill(stream(5, 100 * MS, 0), 188 * 7);
        // 100 ms steps: two fillers (33.3 ms); each between two data packets of the frame
        int packets = out.length / TsPacket.SIZE;
        for (int i = 1; i < packets - 1; i++) {
            if (pcrOnly(out, i * TsPacket.SIZE)) {
                assertThat(pcrOnly(out, (i - 1) * TsPacket.SIZE)).isFalse();
                assertThat(pcrOnly(out, (i + 1) * TsPacket.SIZE)).isFalse();
            }
        }
        assertThat(pcrs(out)).hasSize(5 + 4 * 2);
        assertThat(StreamCheck.of(out).errors).isEmpty();
    }

    @Test
    void shortStepsJumpsAndTheWrapAreLeftAlone() {
        byte[] thirty = stream(20, 30 * MS, 0);
        assertThat(fill(thirty, 188)).isEqualTo(thirty);
        byte[] jumps = stream(3, 2 * Timestamps.PCR_HZ, 0); // a step of more than a second is no interval to fill
        assertThat(fill(jumps, 188)).isEqualTo(jumps);
        // across the PCR wrap the fillers count on from the old value and wrap too
        byte[] wrap = stream(6, 50 * MS, Timestamps.PCR_WRAP - 120 * MS);
        List<Long> pcrs = pcrs(fill(wrap, 4096));
        assertThat(pcrs).hasSize(11);
        for (int i = 1; i < pcrs.size(); i++) {
            assertThat(Timestamps.pcrDiff(pcrs.get(i - 1), pcrs.get(i))).isEqualTo(25 * MS);
        }
        assertThat(pcrs).allMatch(p -> p >= 0 && p < Timestamps.PCR_WRAP);
    }

    @Test
    void flushWritesTheLastFrameAndNothingIsWrittenTwice() {
        byte[] in = stream(3, 50 * MS, 0);
        List<byte[]> writes = new ArrayList<>();
        PcrFiller filler = new PcrFiller((b, off, len) -> writes.add(Arrays.copyOfRange(b, off, off + len)), 35 * MS);
        filler.write(in, 0, in.length);
        int before = writes.stream().mapToInt(b -> b.length).sum();
        assertThat(before).isLessThan(in.length + 2 * TsPacket.SIZE); // the last frame waits for a PCR
        filler.flush();
        filler.flush();
        assertThat(writes.stream().mapToInt(b -> b.length).sum()).isEqualTo(in.length + 2 * TsPacket.SIZE);
        assertThat(filler.inserted()).isEqualTo(2);
    }

    @Test
    void aLiveFrameLeavesAtItsFrameEndWithTheFillOfTheFrameStepAndNothingIsFilledTwice() {
        byte[] in = stream(40, 50 * MS, 10 * Timestamps.PCR_HZ);
        // the frames as the encoder writes them: each from its video PES start (PCR) to the next (PAT, PMT included)
        List<Integer> starts = new ArrayList<>();
        for (int off = 0; off < in.length; off += TsPacket.SIZE) {
            if (TsPacket.hasPcr(in, off)) {
                starts.add(off);
            }
        }
        starts.add(in.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] frameEnds = new int[1];
        PcrFiller filler = new PcrFiller(new PatternEncoder.TsOutput() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                out.write(bytes, offset, length);
            }

            @Override
            public void frameEnd() {
                frameEnds[0]++;
            }
        }, 35 * MS, 50 * MS);
        filler.write(in, 0, starts.getFirst()); // PAT and PMT before the first PCR
        for (int i = 0; i + 1 < starts.size(); i++) {
            filler.write(in, starts.get(i), starts.get(i + 1) - starts.get(i));
            filler.frameEnd();
            // the frame is out whole, with its filler, before the next frame's PCR
            assertThat(out.size()).as("after frame %d", i).isEqualTo(starts.get(i + 1) + (i + 1) * TsPacket.SIZE);
        }
        assertThat(frameEnds[0]).isEqualTo(40);
        filler.flush();
        assertThat(filler.inserted()).isEqualTo(40);
        // the same bytes as when each frame waits for the next PCR, up to the last frame (which then gets no filler:
        // no step to go by)
        int upToLast = starts.get(39) + 39 * TsPacket.SIZE;
        assertThat(Arrays.copyOf(out.toByteArray(), upToLast)).isEqualTo(Arrays.copyOf(fill(in, 1000), upToLast));
        List<Long> pcrs = pcrs(out.toByteArray());
        assertThat(pcrs).hasSize(40 + 40);
        for (int i = 1; i < pcrs.size(); i++) {
            assertThat(Timestamps.pcrDiff(pcrs.get(i - 1), pcrs.get(i))).isEqualTo(25 * MS);
        }
        assertThat(StreamCheck.of(out.toByteArray()).errors).isEmpty();
    }

    @Test
    void aLiveFrameWithoutAPcrOfItsOwnLeavesAtItsFrameEndToo() {
        // 60 fps with a PCR on every other frame, as FFmpeg's muxer writes them with pcr_period 20 above 50 fps
        long step = 27_000_000L / 60;
        Random random = new Random(9);
        TsWriter w = new TsWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcrFiller filler = new PcrFiller(out::write, 35 * MS, step);
        long written = 0;
        for (int i = 0; i < 30; i++) {
            if (i % 10 == 0) {
                w.section(0, TsWriter.patSection(1, 0, 1, 0x1000));
                w.section(0x1000, TsWriter.pmtSection(1, 0, VIDEO, Pmt.STREAM_TYPE_H264, VIDEO));
            }
            byte[] data = new byte[200 + random.nextInt(4000)];
            random.nextBytes(data);
            long pcr = 10 * Timestamps.PCR_HZ + i * step;
            long pts = pcr / 300 + 9000;
            w.pes(VIDEO, 0xE0, pts, pts, data, i % 2 == 0 ? pcr : Timestamps.NONE, i % 10 == 0);
            byte[] frame = w.toByteArray();
            w.clear();
            filler.write(frame, 0, frame.length);
            filler.frameEnd();
            written += frame.length;
            assertThat((long) out.size()).as("frame %d (%s) is out at its frame end", i,
                    i % 2 == 0 ? "with a PCR" : "without one").isEqualTo(written);
        }
        assertThat(filler.inserted()).as("33 ms between PCRs needs no filler").isZero();
        assertThat(StreamCheck.of(out.toByteArray()).errors).isEmpty();
    }
}
