package io.streamtee.playback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import io.streamtee.playback.Catalog.Recording;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cutting a time range at keyframes, the HLS playlist text and the time parameters: logic only. */
class ClipTest {
    private static final long T0 = 1_790_000_000_000L; // wall clock of the first segment
    private static final long PTS0 = 900_000;           // its first PTS (10 s)

    /**
     * A 10 s segment starting {@code offsetSeconds} after T0 (in wall clock and PTS), a keyframe every 2 s, 100 kB
     * per keyframe interval after a 376-byte PAT+PMT header.
     */
    private static Recording segment(long id, int offsetSeconds) {
        long[] offsets = new long[5];
        long[] pts = new long[5];
        for (int i = 0; i < 5; i++) {
            offsets[i] = 376 + i * 100_000L;
            pts[i] = PTS0 + (offsetSeconds + 2L * i) * 90_000;
        }
        return new Recording("cam", id, "2026/01/01/00-00-" + offsetSeconds + ".ts", T0 + offsetSeconds * 1000L,
                T0 + (offsetSeconds + 10) * 1000L, PTS0 + offsetSeconds * 90_000L,
                PTS0 + (offsetSeconds + 10) * 90_000L, 10_000, 376 + 500_000, 250, offsets, pts, false);
    }

    private static final List<Recording> THREE = List.of(segment(1, 0), segment(2, 10), segment(3, 20));

    @Test
    void aRangeInsideOneSegmentSnapsOutToTheKeyframesAroundIt() {
        Clip clip = Clip.of(THREE, T0 + 13_500, T0 + 16_100);
        assertThat(clip.pieces()).hasSize(1);
        Clip.Piece p = clip.pieces().getFirst();
        assertThat(p.segment().id()).isEqualTo(2);
        assertThat(p.fromKeyframe()).isEqualTo(1);   // 12 s <= 13.5 s
        assertThat(p.toKeyframe()).isEqualTo(4);     // 18 s >= 16.1 s (16 s is before it)
        assertThat(p.startMillis()).isEqualTo(T0 + 12_000);
        assertThat(p.endMillis()).isEqualTo(T0 + 18_000);
        assertThat(p.durationMillis()).isEqualTo(6_000);
        assertThat(p.length()).isEqualTo(376 + 3 * 100_000);
        assertThat(p.whole()).isFalse();
    }

    @Test
    void aRangeOnKeyframesIsCutExactlyThere() {
        Clip clip = Clip.of(THREE, T0 + 12_000, T0 + 16_000);
        Clip.Piece p = clip.pieces().getFirst();
        assertThat(p.fromKeyframe()).isEqualTo(1);
        assertThat(p.toKeyframe()).isEqualTo(3);
        assertThat(p.durationMillis()).isEqualTo(4_000);
    }

    @Test
    void aRangeAcrossSegmentsTakesTheMiddleOnesWhole() {
        Clip clip = Clip.of(THREE, T0 + 5_000, T0 + 23_000);
        assertThat(clip.pieces()).extracting(p -> p.segment().id()).containsExactly(1L, 2L, 3L);
        assertThat(clip.pieces()).extracting(Clip.Piece::fromKeyframe).containsExactly(2, 0, 0);
        assertThat(clip.pieces()).extracting(Clip.Piece::toKeyframe).containsExactly(-1, -1, 2);
        assertThat(clip.pieces().get(1).whole()).isTrue();
        assertThat(clip.pieces()).noneMatch(Clip.Piece::discontinuity);
        assertThat(clip.startMillis()).isEqualTo(T0 + 4_000);
        assertThat(clip.endMillis()).isEqualTo(T0 + 24_000);
        // a piece from the file's start keeps its header
        assertThat(clip.length()).isEqualTo((376 + 300_000) + (376 + 500_000) + (376 + 200_000));
    }

    @Test
    void aRangeBeyondTheRecordingsTakesWhatThereIs() {
        Clip clip = Clip.of(THREE, T0 - 60_000, T0 + 90_000);
        assertThat(clip.pieces()).allMatch(Clip.Piece::whole);
        assertThat(Clip.of(THREE, T0 + 40_000, T0 + 50_000).isEmpty()).isTrue();
    }

    @Test
    void aGapBetweenSegmentsIsADiscontinuity() {
        List<Recording> withGap = List.of(segment(1, 0), segment(2, 60));
        Clip clip = Clip.of(withGap, T0, T0 + 70_000);
        assertThat(clip.pieces()).extracting(Clip.Piece::discontinuity).containsExactly(false, true);
        String m3u8 = clip.playlist(p -> "recordings/cam/" + p.segment().id() + ".ts");
        assertThat(m3u8).isEqualTo("""
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-PLAYLIST-TYPE:VOD
                #EXT-X-INDEPENDENT-SEGMENTS
                #EXT-X-TARGETDURATION:10
                #EXT-X-MEDIA-SEQUENCE:0
                #EXT-X-PROGRAM-DATE-TIME:2026-09-21T14:13:20Z
                #EXTINF:10.000,
                recordings/cam/1.ts
                #EXT-X-DISCONTINUITY
                #EXT-X-PROGRAM-DATE-TIME:2026-09-21T14:14:20Z
                #EXTINF:10.000,
                recordings/cam/2.ts
                #EXT-X-ENDLIST
                """);
    }

    /** A segment like {@link #segment} whose clock starts again at PTS0 (the camera restarted). */
    private static Recording restarted(long id, int offsetSeconds) {
        Recording s = segment(id, 0);
        return new Recording("cam", id, "restart-" + id + ".ts", T0 + offsetSeconds * 1000L,
                T0 + (offsetSeconds + 10) * 1000L, s.ptsStart(), s.ptsEnd(), s.durationMillis(), s.bytes(),
                s.frames(), s.keyframeOffsets(), s.keyframePts(), false);
    }

    @Test
    void aClipsTimestampsRunOnAfterARestartAndKeepAGapsWallClockLength() {
        // 0-10 s, restart at 10 s (no gap), 20-30 s continuing, then off for 60 s and a restart at 90 s
        List<Recording> segments = List.of(segment(1, 0), restarted(2, 10), segment(3, 20), restarted(4, 90));
        Clip clip = Clip.of(segments, T0, T0 + 100_000);
        assertThat(clip.pieces()).extracting(Clip.Piece::discontinuity).containsExactly(false, true, true, true);
        long tenSeconds = 10 * 90_000L;
        // piece 2 starts at PTS0 again: moved to where piece 1 ended (PTS0 + 10 s)
        // piece 3 is segment 3 (PTS0 + 20 s) after piece 2 (output PTS0 + 10 s to + 20 s): it continues, offset 0
        // piece 4 starts at PTS0 after 60 s off: at PTS0 + 30 s + 60 s
        assertThat(clip.timestampOffsets()).containsExactly(0, tenSeconds, 0, 9 * tenSeconds);
        // and a clip with no discontinuity is left as it was recorded
        assertThat(Clip.of(THREE, T0, T0 + 30_000).timestampOffsets()).containsOnly(0L);
        // as is one whose timestamps run on where the data arrived late (2 s): the camera's clock is trusted
        Recording s2 = segment(2, 10);
        Recording late = new Recording("cam", 2, s2.path(), s2.startMillis() + 2000, s2.endMillis() + 2000,
                s2.ptsStart(), s2.ptsEnd(), s2.durationMillis(), s2.bytes(), s2.frames(), s2.keyframeOffsets(),
                s2.keyframePts(), false);
        Clip arrivedLate = Clip.of(List.of(segment(1, 0), late), T0, T0 + 30_000);
        assertThat(arrivedLate.pieces().get(1).discontinuity()).isTrue();
        assertThat(arrivedLate.timestampOffsets()).containsOnly(0L);
    }

    @Test
    void aSegmentWithoutKeyframeTimesIsPlayedWhole() {
        Recording s = segment(1, 0);
        Recording old = new Recording("cam", 1, s.path(), s.startMillis(), s.endMillis(), s.ptsStart(), s.ptsEnd(),
                s.durationMillis(), s.bytes(), s.frames(), s.keyframeOffsets(), new long[0], false);
        Clip clip = Clip.of(List.of(old), T0 + 3_000, T0 + 4_000);
        assertThat(clip.pieces().getFirst().whole()).isTrue();
    }

    @Test
    void timesAreIsoEpochOrRelative() {
        long now = T0;
        assertThat(TimeParam.parse("from", "2026-09-21T14:13:20Z", now)).isEqualTo(T0);
        assertThat(TimeParam.parse("from", "2026-09-21T14:13:20.250Z", now)).isEqualTo(T0 + 250);
        assertThat(TimeParam.parse("from", "2026-09-21T16:13:20+02:00", now)).isEqualTo(T0);
        assertThat(TimeParam.parse("from", "2026-09-21T16:13:20 02:00", now)).as("a + decoded to a space")
                .isEqualTo(T0);
        assertThat(TimeParam.parse("from", "2026-09-21T14:13:20", now)).isEqualTo(T0);
        assertThat(TimeParam.parse("from", "1790000000", now)).isEqualTo(T0);
        assertThat(TimeParam.parse("from", "1790000000000", now)).isEqualTo(T0);
        assertThat(TimeParam.parse("from", "now", now)).isEqualTo(T0);
        assertThat(TimeParam.parse("from", "-10m", now)).isEqualTo(T0 - 600_000);
        assertThatThrownBy(() -> TimeParam.parse("to", "yesterday", now))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("to: 'yesterday' is not a time");
        assertThatThrownBy(() -> TimeParam.parse("from", "-tenminutes", now))
                .hasMessageStartingWith("from: '-tenminutes' is not a time");
    }
}
