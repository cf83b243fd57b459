package io.streamtee.record;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where segment bytes are written: the file system, or in tests a store that runs out of space on purpose. Deleting
 * and repairing go through the file system directly; this seam is only about writing.
 */
public interface SegmentStore {

    /** Creates a new segment file (and its directories) for writing; fails if the file exists. */
    SegmentFile create(Path path) throws IOException;

    /** A segment file open for appending. Used by one thread. */
    interface SegmentFile extends Closeable {
        /**
         * Appends every remaining byte of {@code src}, or throws. On failure the buffer's position tells how much
         * was written, so a caller can retry the rest (after freeing space, say).
         */
        void write(ByteBuffer src) throws IOException;

        /** Makes what was written durable (fdatasync). */
        void force() throws IOException;

        /** Bytes in the file. */
        long size() throws IOException;

        /** Cuts the file to {@code size} bytes. */
        void truncate(long size) throws IOException;
    }

    /** The local file system. */
    SegmentStore FILES = path -> {
        Files.createDirectories(path.getParent());
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new SegmentFile() {
            @Override
            public void write(ByteBuffer src) throws IOException {
                while (src.hasRemaining()) {
                    channel.write(src);
                }
            }

            @Override
            public void force() throws IOException {
                channel.force(false);
            }

            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public void truncate(long size) throws IOException {
                channel.truncate(size);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    };
}
