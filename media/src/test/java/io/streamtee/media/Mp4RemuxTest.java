package io.streamtee.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where the MP4 remux puts each packet on the output's clock: logic only. */
class Mp4RemuxTest {

    @Test
    void theMp4TimelineRunsOnWhereTheInputClockJumps() {
        Mp4Remux.Timeline t = new Mp4Remux.Timeline(1, 10_000_000);
        assertThat(t.place(0, 10_000_000)).isEqualTo(-10_000_000);  // starts at 0
        assertThat(t.place(0, 10_040_000)).isEqualTo(-10_000_000);  // 40 ms steps: no change
        assertThat(t.place(0, 10_080_000)).isEqualTo(-10_000_000);
        // back to 2 s (a restart): placed one step after the last, 120 ms
        assertThat(t.place(0, 2_000_000) + 2_000_000).isEqualTo(120_000);
        assertThat(t.place(0, 2_040_000) + 2_040_000).isEqualTo(160_000);
        // forward 1 h: the same
        assertThat(t.place(0, 3_602_040_000L) + 3_602_040_000L).isEqualTo(200_000);
        // a step under a second is the stream's own (a dropped frame): kept
        assertThat(t.place(0, 3_602_540_000L) + 3_602_540_000L).isEqualTo(700_000);
    }

    /**
     * A step forward of minutes is a gap in the recording (the clip's input keeps wall-clock time): kept, so the
     * output's time stays the wall-clock time since the start.
     */
    @Test
    void aStepForwardUnderAnHourIsAGapAndKept() {
        Mp4Remux.Timeline t = new Mp4Remux.Timeline(1, 10_000_000);
        assertThat(t.place(0, 10_000_000)).isEqualTo(-10_000_000);
        assertThat(t.place(0, 10_040_000)).isEqualTo(-10_000_000);
        assertThat(t.place(0, 310_080_000)).as("5 min later").isEqualTo(-10_000_000);
        assertThat(t.place(0, 310_120_000)).isEqualTo(-10_000_000);
        // a step back after the gap still runs on, one frame (40 ms) after the last
        assertThat(t.place(0, 1_000_000) + 1_000_000).isEqualTo(300_160_000);
    }
}
