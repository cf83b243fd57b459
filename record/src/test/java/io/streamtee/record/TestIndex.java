package io.streamtee.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A camera's {@code index.db} for tests of the read side (playback) that need rows a recorder would not write: a
 * long gap, a segment of hours. The schema is the recorder's own ({@link SegmentIndex}).
 */
public final class TestIndex {
    private TestIndex() {
    }

    /**
     * Opens {@code cameraDir/index.db}, creating the directory and the schema when missing.
     *
     * @return a connection to it; closing it closes the index
     */
    public static Connection open(Path cameraDir) throws IOException, SQLException {
        Files.createDirectories(cameraDir);
        return SegmentIndex.open(cameraDir.resolve("index.db")).connection();
    }
}
