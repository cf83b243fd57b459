package io.streamtee.ts;

import static io.streamtee.ts.SyntheticStream.AUDIO_PID;
import static io.streamtee.ts.SyntheticStream.PMT_PID;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** {@link Tr101290#timedOut}: a timeout error is a state that lasts until what it waits for comes back. */
class Tr101290TimedOutTest {
    private final List<SyntheticStream.Packet> packets = new SyntheticStream().seconds(6).packets();
    private final TsDemux demux = new TsDemux(TsListener.NONE);

    /** Removes the packets and renumbers the PID's continuity counters so that only the absence remains. */
    private void remove(Predicate<SyntheticStream.Packet> which, int pid) {
        packets.removeIf(which);
        int last = -1;
        for (SyntheticStream.Packet p : packets) {
            byte[] b = p.bytes();
            if (TsPacket.pid(b, 0) == pid) {
                int cc = last < 0 ? TsPacket.continuityCounter(b, 0) : (last + 1) & 15;
                TsPacket.setContinuityCounter(b, 0, cc);
                last = cc;
            }
        }
    }

    /** Feeds the packets of ticks below {@code tick} not fed yet. */
    private int fed;

    private void feedUntil(int tick) {
        while (fed < packets.size() && packets.get(fed).tick() < tick) {
            demux.feed(packets.get(fed).bytes(), 0, TsPacket.SIZE);
            fed++;
        }
    }

    @Test
    void patAbsenceLastsUntilThePatComesBack() {
        remove(p -> p.what().equals("pat") && p.tick() >= 50 && p.tick() < 150, 0);
        feedUntil(45);
        assertThat(demux.timedOut(Tr101290.Kind.PAT_ERROR, 0)).isFalse();
        feedUntil(140);
        assertThat(demux.timedOut(Tr101290.Kind.PAT_ERROR, 0)).isTrue();
        assertThat(demux.errors().count(Tr101290.Kind.PAT_ERROR, 0)).isEqualTo(1);
        feedUntil(160);
        assertThat(demux.timedOut(Tr101290.Kind.PAT_ERROR, 0)).isFalse();
        assertThat(demux.timedOut(Tr101290.Kind.PMT_ERROR, PMT_PID)).isFalse();
    }

    @Test
    void ptsAbsenceIsPerPid() {
        remove(p -> p.what().equals("audio") && p.tick() >= 50 && p.tick() < 150, AUDIO_PID);
        feedUntil(140);
        assertThat(demux.timedOut(Tr101290.Kind.PTS_ERROR, AUDIO_PID)).isTrue();
        assertThat(demux.timedOut(Tr101290.Kind.PTS_ERROR, SyntheticStream.VIDEO_PID)).isFalse();
        feedUntil(160);
        assertThat(demux.timedOut(Tr101290.Kind.PTS_ERROR, AUDIO_PID)).isFalse();
        assertThat(demux.errors().count(Tr101290.Kind.PTS_ERROR, AUDIO_PID)).isEqualTo(1);
    }

    @Test
    void singleEventKindsAreNeverStates() {
        feedUntil(300);
        assertThat(demux.timedOut(Tr101290.Kind.CONTINUITY_COUNT_ERROR, AUDIO_PID)).isFalse();
        assertThat(demux.timedOut(Tr101290.Kind.PAT_ERROR, Tr101290.NO_PID)).isFalse();
        assertThat(demux.timedOut(Tr101290.Kind.PAT_ERROR, 0)).isFalse();
    }
}
