package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GsoRunsTest {
    /** Cuts {@code sizes} into runs the way the fan-out does, returning the run lengths. */
    private static List<Integer> runs(int maxSegment, int... sizes) {
        List<Integer> out = new ArrayList<>();
        int i = 0;
        while (i < sizes.length) {
            int j = GsoRuns.end(k -> sizes[k], i, sizes.length, maxSegment);
            out.add(j - i);
            i = j;
        }
        return out;
    }

    @Test
    void equalSizesFormOneRun() {
        assertThat(runs(1452, 1316, 1316, 1316, 1316)).containsExactly(4);
    }

    @Test
    void aShorterDatagramMayCloseARunButNotOpenOne() {
        assertThat(runs(1452, 1316, 1316, 800, 1316, 1316)).containsExactly(3, 2);
        assertThat(runs(1452, 800, 1316, 1316)).containsExactly(1, 2);
    }

    @Test
    void aLongerDatagramEndsTheRun() {
        assertThat(runs(1452, 1316, 1316, 1400, 1400)).containsExactly(2, 2);
    }

    @Test
    void tooLargeOrEmptyDatagramsGoAlone() {
        assertThat(runs(1452, 1500, 1500, 0, 0, 1316)).containsExactly(1, 1, 1, 1, 1);
    }

    @Test
    void runsRespectTheKernelLimits() {
        int[] small = new int[200];
        java.util.Arrays.fill(small, 188);
        assertThat(runs(1452, small)).containsExactly(64, 64, 64, 8); // UDP_MAX_SEGMENTS
        int[] ts = new int[100];
        java.util.Arrays.fill(ts, 1316);
        assertThat(runs(1452, ts)).containsExactly(49, 49, 2); // 49 x 1316 = 64,484 <= 65,000 bytes
        assertThat(runs(65_000, 30_000, 30_000, 30_000)).containsExactly(2, 1);
    }
}
