package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pacing checked on logical quantities: a virtual clock records when each datagram would leave, so the rate and
 * burst figures do not depend on how loaded the machine running the test is.
 */
class TsPacerTest {

    private static final int FPS = 30;
    private static byte[] tenSeconds;

    @TempDir
    Path dir;

    @BeforeAll
    static void encode() {
        tenSeconds = Clips.encode(Clips.small(FPS), 10 * FPS);
    }

    private static List<RecordingSink.Sent> pace(TsSource source) throws Exception {
        VirtualClock clock = new VirtualClock();
        RecordingSink sink = new RecordingSink(clock);
        Emitter emitter = new Emitter(sink, clock, CameraConfig.Faults.NONE, new Emitter.Counters());
        new TsPacer(source, emitter, clock, 100_000_000L).run();
        return sink.sent;
    }

    private static LiveSource prefilled(byte[] ts) {
        LiveSource source = new LiveSource(1 << 16);
        for (int off = 0; off < ts.length; off += 65536) {
            source.write(ts, off, Math.min(65536, ts.length - off));
        }
        source.end();
        return source;
    }

    @Test
    void sendsTheWholeStreamInOrderAtItsOwnRateWithinTwoPercent() throws Exception {
        List<RecordingSink.Sent> sent = pace(prefilled(tenSeconds));

        assertThat(sent.size()).isEqualTo((tenSeconds.length / TsPacket.SIZE + 6) / 7);
        for (int i = 0; i < sent.size() - 1; i++) {
            assertThat(sent.get(i).bytes())
                    .isEqualTo(java.util.Arrays.copyOfRange(tenSeconds, i * 1316, i * 1316 + 1316));
            assertThat(sent.get(i + 1).nanos()).isGreaterThanOrEqualTo(sent.get(i).nanos());
        }
        double window = (sent.getLast().nanos() - sent.getFirst().nanos()) / 1e9;
        double sentRate = 1316.0 * (sent.size() - 1) / window;
        double streamRate = TsAssertions.pcrBytesPerSecond(tenSeconds);
        assertThat(window).isBetween(9.8, 10.2);
        assertThat(sentRate / streamRate).as("sent %.0f B/s, stream %.0f B/s", sentRate, streamRate)
                .isBetween(0.98, 1.02);
    }

    @Test
    void noFrameIntervalCarriesMoreThanTheLargestFrame() throws Exception {
        List<RecordingSink.Sent> sent = pace(prefilled(tenSeconds));
        long frameNanos = 1_000_000_000L / FPS;
        long limit = TsAssertions.largestFrameBytes(tenSeconds) + 1316;
        long worst = 0;
        int end = 0;
        long inWindow = 0;
        for (int start = 0; start < sent.size(); start++) {
            while (end < sent.size() && sent.get(end).nanos() - sent.get(start).nanos() < frameNanos) {
                inWindow += 1316;
                end++;
            }
            worst = Math.max(worst, inWindow);
            inWindow -= 1316;
        }
        assertThat(worst).as("most bytes in any %d ms window", frameNanos / 1_000_000).isLessThanOrEqualTo(limit);
        // and each frame's data is spread over its interval, not sent in one go: no two datagrams leave together
        long together = java.util.stream.IntStream.range(1, sent.size())
                .filter(i -> sent.get(i).nanos() == sent.get(i - 1).nanos()).count();
        assertThat(together).isLessThanOrEqualTo(1);
    }

    @Test
    void aLoopingClipLeavesAtItsRateToo() throws Exception {
        Path clip = Clips.write(dir.resolve("clip.ts"), Clips.small(FPS), FPS);
        try (ClipSource source = new ClipSource(clip, 10 * 90_000L)) {
            List<RecordingSink.Sent> sent = pace(source);
            assertThat(source.loops()).as("passes over the 1 s clip").isEqualTo(10);
            double window = (sent.getLast().nanos() - sent.getFirst().nanos()) / 1e9;
            double sentRate = 1316.0 * (sent.size() - 1) / window;
            double streamRate = TsAssertions.pcrBytesPerSecond(java.nio.file.Files.readAllBytes(clip));
            assertThat(window).isBetween(9.8, 10.2);
            assertThat(sentRate / streamRate).isBetween(0.98, 1.02);
        }
    }

    @Test
    void aStreamWithoutPcrIsRefused() {
        byte[] nulls = new byte[TsPacket.SIZE * 7 * 40_000];
        for (int off = 0; off < nulls.length; off += TsPacket.SIZE) {
            TsPacer.writeNullPacket(nulls, off);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pace(prefilled(nulls)))
                .hasMessageContaining("no PCR");
    }
}
