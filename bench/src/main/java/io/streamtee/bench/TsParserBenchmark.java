package io.streamtee.bench;

import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsDemux;
import io.streamtee.ts.TsListener;
import io.streamtee.ts.TsPacket;
import io.streamtee.ts.TsReader;
import io.streamtee.ts.TsWriter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing throughput of the TS demux over an in-memory stream of {@value #BYTES} bytes shaped like a camera's:
 * 4 Mbit/s H.264 at 25 fps with a keyframe every second, AAC-typed audio, PAT/PMT every 100 ms, PCR every 20 ms.
 * One operation is one byte, so the score in ops/us reads directly as MB/s.
 *
 * <pre>
 * mvn -q -B -pl ts,bench -am package -DskipTests
 * java -cp "bench/target/streamtee-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main TsParserBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TsParserBenchmark {
    static final int PACKETS = 40_000;
    static final int BYTES = PACKETS * TsPacket.SIZE;
    static final int DATAGRAM = 7 * TsPacket.SIZE;

    private byte[] stream;
    private TsDemux demux;
    private TsReader reader;
    private long keyframes;

    @Setup(Level.Trial)
    public void build() {
        stream = cameraLikeStream();
    }

    @Setup(Level.Iteration)
    public void fresh() {
        TsListener listener = new TsListener() {
            @Override
            public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
                if (keyframe) {
                    keyframes++;
                }
            }
        };
        demux = new TsDemux(listener);
        reader = new TsReader((buf, off, position) -> { });
    }

    /** The full demux, fed datagram-sized chunks with an arrival time, as the analyzer and recorder do. */
    @Benchmark
    @OperationsPerInvocation(BYTES)
    public void demuxDatagrams(Blackhole bh) {
        for (int off = 0; off < BYTES; off += DATAGRAM) {
            demux.feed(stream, off, Math.min(DATAGRAM, BYTES - off), off);
        }
        bh.consume(keyframes);
    }

    /** The full demux, chunks cut across packet boundaries (every packet split goes through the carry buffer). */
    @Benchmark
    @OperationsPerInvocation(BYTES)
    public void demuxUnalignedChunks(Blackhole bh) {
        for (int off = 0; off < BYTES; off += 1000) {
            demux.feed(stream, off, Math.min(1000, BYTES - off));
        }
        bh.consume(keyframes);
    }

    /** Framing only: sync check and packet hand-over. */
    @Benchmark
    @OperationsPerInvocation(BYTES)
    public void framingOnly(Blackhole bh) {
        for (int off = 0; off < BYTES; off += DATAGRAM) {
            reader.feed(stream, off, Math.min(DATAGRAM, BYTES - off));
        }
        bh.consume(reader.packets());
    }

    static byte[] cameraLikeStream() {
        Random random = new Random(1);
        TsWriter w = new TsWriter();
        int pmtPid = 0x1000;
        int video = 0x100;
        int audio = 0x101;
        byte[] pat = TsWriter.patSection(1, 0, 1, pmtPid);
        byte[] pmt = TsWriter.pmtSection(1, 0, video, Pmt.STREAM_TYPE_H264, video, 0x0F, audio);
        // the SPS libx264 writes for 320x240 at 25 fps
        byte[] sps = HexFormat.of().parseHex("6764000dacd94141fb011000000300100000030320f1429960");
        int frame = 0;
        for (int tick = 0; w.size() < BYTES; tick++) {
            long pcr = tick * (Timestamps.PCR_HZ / 50);
            long pts = tick * (Timestamps.PTS_HZ / 50);
            if (tick % 5 == 0) {
                w.section(0, pat).section(pmtPid, pmt);
            }
            if (tick % 2 == 0) {
                boolean key = frame % 25 == 0;
                int size = key ? 60_000 : 17_000; // about 4 Mbit/s
                byte[] au = new byte[size];
                for (int i = 0; i < size; i++) {
                    au[i] = (byte) (1 + random.nextInt(255));
                }
                int at = 0;
                au[at++] = 0;
                au[at++] = 0;
                au[at++] = 1;
                au[at++] = 0x09;
                au[at++] = (byte) 0xF0;
                if (key) {
                    au[at++] = 0;
                    au[at++] = 0;
                    au[at++] = 1;
                    System.arraycopy(sps, 0, au, at, sps.length);
                    at += sps.length;
                    au[at++] = 0;
                    au[at++] = 0;
                    au[at++] = 1;
                    au[at++] = 0x68;
                    au[at++] = (byte) 0xEE;
                }
                au[at++] = 0;
                au[at++] = 0;
                au[at++] = 1;
                au[at] = (byte) (key ? 0x65 : 0x41);
                w.pes(video, 0xE0, pts + 3600, pts, au, pcr, key);
                frame++;
            } else {
                w.pcr(video, pcr);
            }
            byte[] aac = new byte[400];
            random.nextBytes(aac);
            w.pes(audio, 0xC0, pts, Timestamps.NONE, aac);
        }
        return Arrays.copyOf(w.toByteArray(), BYTES);
    }
}
