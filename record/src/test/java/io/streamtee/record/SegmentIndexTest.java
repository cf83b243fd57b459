package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.playback.Catalog;
import io.streamtee.playback.Clip;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index file across versions. */
class SegmentIndexTest {

    @TempDir
    Path dir;

    @Test
    void anIndexWithoutKeyframeTimesGetsTheColumnAndItsSegmentsStillPlayWhole() throws Exception {
        Path cam = dir.resolve("camera");
        java.nio.file.Files.createDirectories(cam);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + cam.resolve("index.db"));
                Statement s = c.createStatement()) {
            // the schema of the first release, before keyframe_pts
            s.execute("""
                    CREATE TABLE segments (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
                      start_ms INTEGER NOT NULL, end_ms INTEGER, pts_start INTEGER, pts_end INTEGER,
                      duration_ms INTEGER, bytes INTEGER NOT NULL DEFAULT 0, frames INTEGER NOT NULL DEFAULT 0,
                      keyframes TEXT NOT NULL DEFAULT '', continuity_errors INTEGER NOT NULL DEFAULT 0,
                      repaired INTEGER NOT NULL DEFAULT 0)""");
            s.execute("INSERT INTO segments(path, status, start_ms, end_ms, pts_start, pts_end, duration_ms, bytes,"
                    + " frames, keyframes) VALUES ('2026/01/01/00-00-00.ts', 'closed', 1000, 11000, 0, 900000, 10000,"
                    + " 376000, 250, '376,188000')");
        }
        // playback reads it as it is (no recorder has opened it since), playing its segments whole
        Catalog catalog = new Catalog(dir);
        List<Catalog.Recording> before = catalog.segments("camera", 0, Long.MAX_VALUE);
        assertThat(before).singleElement().matches(r -> !r.cuttable());
        assertThat(Clip.of(before, 5000, 6000).pieces()).singleElement().matches(Clip.Piece::whole);
        // a recorder starting on it adds the column
        try (SegmentIndex index = SegmentIndex.open(cam.resolve("index.db"))) {
            assertThat(index.all()).hasSize(1);
        }
        List<Catalog.Recording> rows = catalog.segments("camera", 0, Long.MAX_VALUE);
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst().keyframeOffsets()).containsExactly(376, 188000);
        assertThat(rows.getFirst().keyframePts()).isEmpty();
        assertThat(rows.getFirst().cuttable()).isFalse();
        assertThat(Clip.of(rows, 5000, 6000).pieces()).singleElement().matches(Clip.Piece::whole);
    }
}
