package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** Chunking invariance, garbage, truncation, and a seeded fuzz loop that must never throw. */
class RobustnessTest {
    private static final byte[] CLEAN = new SyntheticStream().seconds(3).gop(12).bytes();

    /** Everything observable about one run, for comparing runs. */
    private record Result(List<String> events, Tr101290.Snapshot errors, List<StreamInfo> streams, long garbage) {
    }

    private static Result run(byte[] ts, Random chunking) {
        Events events = new Events();
        TsDemux demux = new TsDemux(events);
        int off = 0;
        while (off < ts.length) {
            int n = chunking == null ? ts.length : Math.min(ts.length - off, 1 + chunking.nextInt(3000));
            demux.feed(ts, off, n);
            off += n;
        }
        demux.flush();
        return new Result(events.lines, demux.errors(), demux.streams(), demux.garbageBytes());
    }

    @RepeatedTest(5)
    void chunkingDoesNotChangeResults(RepetitionInfo info) {
        Random random = new Random(info.getCurrentRepetition());
        byte[] ts = mutate(CLEAN, random, 20); // errors too must not depend on chunking
        Result whole = run(ts, null);
        assertThat(run(ts, random)).isEqualTo(whole);
        assertThat(whole.events()).isNotEmpty();
    }

    @Test
    void oneByteAtATimeGivesTheSameResult() {
        Events events = new Events();
        TsDemux demux = new TsDemux(events);
        for (int i = 0; i < CLEAN.length; i++) {
            demux.feed(CLEAN, i, 1);
        }
        demux.flush();
        assertThat(new Result(events.lines, demux.errors(), demux.streams(), demux.garbageBytes()))
                .isEqualTo(run(CLEAN, null));
    }

    @Test
    void leadingGarbageIsSkippedAndCounted() {
        byte[] garbage = new byte[1000];
        new Random(7).nextBytes(garbage);
        for (int i = 0; i < garbage.length; i++) {
            if (garbage[i] == 0x47) {
                garbage[i] = 0;
            }
        }
        byte[] ts = PsiTest.join(garbage, CLEAN);
        Result result = run(ts, new Random(3));
        assertThat(result.garbage()).isEqualTo(1000);
        assertThat(result.errors().total()).isZero();
        assertThat(result.streams()).isEqualTo(run(CLEAN, null).streams());
    }

    @Test
    void garbageInTheMiddleCostsOneSyncLossAndIsRecovered() {
        int at = 188 * 300;
        byte[] junk = new byte[500];
        Arrays.fill(junk, (byte) 0x47); // the worst kind: all sync bytes
        byte[] ts = PsiTest.join(Arrays.copyOf(CLEAN, at), junk, Arrays.copyOfRange(CLEAN, at, CLEAN.length));
        Events events = new Events();
        TsDemux demux = new TsDemux(events);
        demux.feed(ts, 0, ts.length);
        demux.flush();
        assertThat(demux.errors().count(Tr101290.Kind.TS_SYNC_LOSS)).isEqualTo(1);
        assertThat(demux.video().frames()).isEqualTo(75);
    }

    @Test
    void truncatedInputIsCountedNotThrown() {
        for (int cut : new int[] {0, 1, 100, 187, 188, 189, 376, 377, 5000, CLEAN.length - 1}) {
            byte[] ts = Arrays.copyOf(CLEAN, cut);
            TsDemux demux = new TsDemux(TsListener.NONE);
            assertThatCode(() -> {
                demux.feed(ts, 0, ts.length);
                demux.flush();
            }).doesNotThrowAnyException();
            assertThat(demux.packets() * 188 + demux.garbageBytes()).isEqualTo(cut);
        }
    }

    @Test
    void truncatedPacketsInsideDatagramsAreCounted() {
        // every 50th datagram of 7 packets loses its last 20 bytes, as a broken sender might do
        TsDemux demux = new TsDemux(TsListener.NONE);
        int datagram = 7 * 188;
        int n = 0;
        for (int off = 0; off < CLEAN.length; off += datagram, n++) {
            int len = Math.min(datagram, CLEAN.length - off);
            if (n % 50 == 49) {
                len -= 20;
            }
            demux.feed(CLEAN, off, len, n * 1_000_000L);
        }
        demux.flush();
        assertThat(demux.errors().count(Tr101290.Kind.TS_SYNC_LOSS)).isEqualTo(n / 50);
        assertThat(demux.garbageBytes()).isPositive();
        assertThat(demux.video().frames()).isGreaterThan(60);
    }

    @Test
    void fuzzNeverThrows() {
        long deadline = System.nanoTime() + 2_000_000_000L;
        Random random = new Random(42);
        int runs = 0;
        while (System.nanoTime() < deadline && runs < 2000) {
            byte[] ts;
            switch (runs % 3) {
                case 0 -> ts = mutate(CLEAN, random, 1 + random.nextInt(200));
                case 1 -> {
                    ts = new byte[random.nextInt(20_000)];
                    random.nextBytes(ts);
                    for (int i = 0; i + 188 < ts.length; i += 188) {
                        ts[i] = 0x47; // random packets that keep sync: headers and fields get exercised
                    }
                }
                default -> ts = splice(CLEAN, random);
            }
            byte[] input = ts;
            assertThatCode(() -> {
                TsDemux demux = new TsDemux(TsListener.NONE);
                int off = 0;
                while (off < input.length) {
                    int n = Math.min(input.length - off, 1 + random.nextInt(4000));
                    if (input.length % 2 == 0) {
                        demux.feed(input, off, n, off * 1000L); // arrival clock
                    } else {
                        demux.feed(input, off, n); // PCR clock
                    }
                    off += n;
                }
                demux.flush();
                demux.streams();
                demux.errors();
                demux.psiPackets();
            }).as("run %d", runs).doesNotThrowAnyException();
            runs++;
        }
        assertThat(runs).isGreaterThan(20);
    }

    @Test
    void randomSpsBytesNeverThrow() {
        Random random = new Random(5);
        byte[] sps = new byte[64];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(sps);
            int len = random.nextInt(sps.length);
            assertThatCode(() -> {
                H264.parseSps(sps, 0, len);
                H265.parseSps(sps, 0, len);
            }).doesNotThrowAnyException();
        }
    }

    /** Flips random bits, favouring the header bytes where parsers branch. */
    static byte[] mutate(byte[] src, Random random, int flips) {
        byte[] ts = src.clone();
        for (int i = 0; i < flips; i++) {
            int packet = random.nextInt(ts.length / 188);
            int at = packet * 188 + (random.nextBoolean() ? random.nextInt(20) : random.nextInt(188));
            ts[at] ^= (byte) (1 << random.nextInt(8));
        }
        return ts;
    }

    /** Cuts pieces out and repeats others. */
    private static byte[] splice(byte[] src, Random random) {
        int a = random.nextInt(src.length);
        int b = random.nextInt(src.length);
        int c = random.nextInt(src.length);
        return PsiTest.join(Arrays.copyOf(src, Math.min(a, b)), Arrays.copyOfRange(src, Math.min(b, c), Math.max(b, c)),
                Arrays.copyOfRange(src, Math.max(a, b), src.length));
    }
}
