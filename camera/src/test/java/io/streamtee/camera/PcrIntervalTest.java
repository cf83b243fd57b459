package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TR 101 290 2.3 PCR_repetition_error: the PCRs of the PCR PID are at most 40 ms apart, at every frame rate the
 * camera offers (FFmpeg's muxer puts one PCR on each frame, 50 ms apart at 20 fps, 1 s at 1 fps). Below 2 fps the
 * PAT, PMT (0.5 s) and PTS (0.7 s) repetition limits cannot be met (they come with the frames), so at 1 fps only the
 * PCR is judged.
 */
class PcrIntervalTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 20, 25, 30})
    void pcrsAreAtMost40MsApartAndTheStreamHasNoTr101290Error(int fps) {
        byte[] ts = Clips.encode(Clips.small(fps), Math.max(3 * fps, 20));

        long largest = 0;
        long last = -1;
        int pcrs = 0;
        for (int off = 0; off + TsPacket.SIZE <= ts.length; off += TsPacket.SIZE) {
            if (TsPacket.hasPcr(ts, off)) {
                long pcr = TsPacket.pcr(ts, off);
                if (last >= 0) {
                    long step = Timestamps.pcrDiff(last, pcr);
                    assertThat(step).as("PCR step at byte %d", off).isPositive();
                    largest = Math.max(largest, step);
                }
                last = pcr;
                pcrs++;
            }
        }
        assertThat(pcrs).isGreaterThan(2);
        assertThat(largest * 1000 / Timestamps.PCR_HZ).as("largest PCR interval, ms").isLessThanOrEqualTo(40);

        StreamCheck check = StreamCheck.of(ts);
        assertThat(check.errors).noneMatch(e -> e.startsWith("PCR"));
        if (fps >= 2) {
            assertThat(check.errors).isEmpty();
        }
        assertThat(check.video().frames()).isBetween((long) Math.max(3 * fps, 20) - 1, (long) Math.max(3 * fps, 20));
    }
}
