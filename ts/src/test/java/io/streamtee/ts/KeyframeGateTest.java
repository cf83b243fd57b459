package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate fed by a demuxer, with no sockets: what is held, when it is written, what is decided. */
class KeyframeGateTest {
    static final int PMT_PID = 0x1000;
    static final int VIDEO = 0x100;
    static final int AUDIO = 0x101;

    /** Records the output: the bytes written, and each decision with how many bytes had been written before it. */
    static final class Recorder implements KeyframeGate.Sink {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final List<String> decisions = new ArrayList<>();
        final List<Integer> keyframeAt = new ArrayList<>();
        final List<byte[]> psi = new ArrayList<>();

        @Override
        public void write(byte[] buf, int off, int len) {
            written.write(buf, off, len);
        }

        @Override
        public void accessUnit(long pts, long dts, boolean keyframe, byte[] psi) {
            decisions.add((keyframe ? "key " : "frame ") + pts + " @" + written.size());
            if (keyframe) {
                keyframeAt.add(written.size());
                this.psi.add(psi);
            }
        }

        @Override
        public void lateAccessUnit(long pts, long dts, boolean keyframe) {
            decisions.add("late " + pts + " @" + written.size());
        }
    }

    private final Recorder out = new Recorder();
    private final TsWriter w = new TsWriter(); // one writer: continuity counters run on across the pieces
    private TsDemux demux;
    private KeyframeGate gate;

    private void start() {
        demux = new TsDemux(new TsListener() {
            @Override
            public void onPacket(byte[] buf, int off, long position) {
                gate.onPacket(buf, off, position);
            }

            @Override
            public void onPmt(Pmt pmt) {
                gate.onPmt(pmt);
            }

            @Override
            public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
                gate.onAccessUnit(pid, position, pts, dts, keyframe);
            }
        });
        gate = new KeyframeGate(demux::psiPackets, out);
        // three null packets lock the framing, which then hands over each whole packet as it is fed
        feed(take(w.nulls(TsReader.LOCK_PACKETS)));
        assertThat(out.written.size()).isEqualTo(TsReader.LOCK_PACKETS * TsPacket.SIZE);
        out.written.reset();
    }

    private void feed(byte[] packets) {
        demux.feed(packets, 0, packets.length);
    }

    @Test
    void everyPacketIsWrittenOnceInOrderAndEachKeyframeIsDecidedBeforeItsPesStart() {
        List<SyntheticStream.Packet> packets = new SyntheticStream().seconds(2).gop(10).packets();
        byte[] ts = SyntheticStream.concat(packets);
        start();
        feed(ts);
        demux.flush();
        gate.release();

        assertThat(out.written.toByteArray()).isEqualTo(ts);
        assertThat(out.decisions).hasSize(50).noneMatch(d -> d.startsWith("late"));
        List<Integer> keyStarts = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            if (packets.get(i).what().equals("key-start")) {
                keyStarts.add(i * TsPacket.SIZE);
            }
        }
        assertThat(out.keyframeAt).hasSize(5).isEqualTo(keyStarts);
        for (byte[] psi : out.psi) {
            assertThat(psi).hasSize(2 * TsPacket.SIZE);
            assertThat(TsPacket.pid(psi, 0)).isZero();
            assertThat(TsPacket.pid(psi, TsPacket.SIZE)).isEqualTo(SyntheticStream.PMT_PID);
        }
    }

    @Test
    void packetsOfEveryPidAreHeldUntilTheFirstSliceSaysKeyframe() {
        start();
        feed(psi());
        int before = out.written.size();
        assertThat(before).isEqualTo(2 * TsPacket.SIZE);

        List<byte[]> video = split(w.pes(VIDEO, 0xE0, 9000, 9000, keyframe(400)));
        assertThat(video).hasSize(3); // the slice starts in the third packet
        byte[] audio = take(w.pes(AUDIO, 0xC0, 9000, Timestamps.NONE, new byte[50]));

        feed(video.get(0));
        assertThat(gate.heldBytes()).isEqualTo(TsPacket.SIZE);
        feed(audio);
        assertThat(gate.heldBytes()).isEqualTo(2 * TsPacket.SIZE);
        feed(video.get(1));
        assertThat(gate.heldBytes()).isEqualTo(3 * TsPacket.SIZE);
        assertThat(out.written.size()).isEqualTo(before);
        assertThat(out.decisions).isEmpty();

        feed(video.get(2));
        assertThat(out.decisions).containsExactly("key 9000 @" + before);
        assertThat(gate.heldBytes()).isZero();
        assertThat(out.written.size()).isEqualTo(before + 4 * TsPacket.SIZE);
        byte[] written = out.written.toByteArray();
        assertThat(TsPacket.pid(written, before + TsPacket.SIZE)).as("audio kept its place").isEqualTo(AUDIO);

        feed(take(w.pes(AUDIO, 0xC0, 10800, Timestamps.NONE, new byte[50])));
        assertThat(out.written.size()).as("nothing held: written at once").isEqualTo(before + 5 * TsPacket.SIZE);
    }

    @Test
    void aPesWithoutSliceIsWrittenAsItIsWhenTheNextVideoPesStarts() {
        start();
        feed(psi());
        byte[] noSlice = take(w.pes(VIDEO, 0xE0, 9000, 9000, sei(300)));
        feed(noSlice);
        assertThat(gate.heldBytes()).isEqualTo(noSlice.length);
        List<byte[]> key = split(w.pes(VIDEO, 0xE0, 12000, 12000, keyframe(400)));
        feed(key.get(0));
        assertThat(out.written.size()).isEqualTo(2 * TsPacket.SIZE + noSlice.length);
        assertThat(gate.heldBytes()).isEqualTo(TsPacket.SIZE);
        feed(key.get(1));
        feed(key.get(2));
        assertThat(out.decisions).containsExactly("key 12000 @" + (2 * TsPacket.SIZE + noSlice.length));
    }

    @Test
    void anAccessUnitWhoseStartWasReleasedIsReportedLate() {
        start();
        feed(psi());
        List<byte[]> key = split(w.pes(VIDEO, 0xE0, 9000, 9000, keyframe(400)));
        feed(key.get(0));
        gate.release(); // an output that stops mid-PES
        assertThat(out.written.size()).isEqualTo(3 * TsPacket.SIZE);
        feed(key.get(1));
        feed(key.get(2));
        assertThat(out.written.size()).isEqualTo(5 * TsPacket.SIZE);
        assertThat(out.decisions).containsExactly("late 9000 @" + 5 * TsPacket.SIZE);
    }

    @Test
    void aPmtThatMovesTheVideoReleasesWhatIsHeldAndOneWithoutVideoChangesNothing() {
        start();
        feed(psi());
        assertThat(gate.videoPid()).isEqualTo(VIDEO);
        feed(split(w.pes(VIDEO, 0xE0, 9000, 9000, keyframe(400))).get(0));
        assertThat(gate.heldBytes()).isEqualTo(TsPacket.SIZE);

        feed(take(w.section(PMT_PID, TsWriter.pmtSection(1, 1, AUDIO, 0x0F, AUDIO))));
        assertThat(gate.videoPid()).as("no video in this PMT").isEqualTo(VIDEO);
        assertThat(gate.heldBytes()).isEqualTo(2 * TsPacket.SIZE);

        feed(take(w.section(PMT_PID, TsWriter.pmtSection(1, 2, 0x200, Pmt.STREAM_TYPE_H265, 0x200))));
        assertThat(gate.videoPid()).isEqualTo(0x200);
        assertThat(gate.heldBytes()).isZero();
        assertThat(out.written.size()).isEqualTo(5 * TsPacket.SIZE);
        assertThat(out.decisions).isEmpty();
    }

    /** PAT and PMT: H.264 video on {@link #VIDEO}, AAC on {@link #AUDIO}. */
    private byte[] psi() {
        return take(w.section(0, TsWriter.patSection(1, 0, 1, PMT_PID))
                .section(PMT_PID, TsWriter.pmtSection(1, 0, VIDEO, Pmt.STREAM_TYPE_H264, VIDEO, 0x0F, AUDIO)));
    }

    private static byte[] take(TsWriter w) {
        byte[] b = w.toByteArray();
        w.clear();
        return b;
    }

    /** AUD, an SEI of {@code seiBytes} and an IDR slice: the slice comes packets after the PES start. */
    static byte[] keyframe(int seiBytes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(sei(seiBytes));
        b.writeBytes(new byte[] {0, 0, 0, 1, 0x65});
        b.writeBytes(filled(100, 0x88));
        return b.toByteArray();
    }

    /** AUD and an SEI, no slice. */
    static byte[] sei(int seiBytes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 0, 0, 1, 0x09, (byte) 0xF0, 0, 0, 0, 1, 0x06});
        b.writeBytes(filled(seiBytes, 0x55));
        return b.toByteArray();
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    static List<byte[]> split(TsWriter w) {
        byte[] all = w.toByteArray();
        w.clear();
        List<byte[]> packets = new ArrayList<>();
        for (int off = 0; off < all.length; off += TsPacket.SIZE) {
            packets.add(java.util.Arrays.copyOfRange(all, off, off + TsPacket.SIZE));
        }
        return packets;
    }
}
