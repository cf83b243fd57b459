package io.streamtee.camera;

import java.io.IOException;

/** A stream of 188-byte TS packets for the {@link TsPacer}. */
interface TsSource extends AutoCloseable {

    /**
     * Copies the next packet to {@code buf[off..off+188)}, waiting for it if the source is live.
     *
     * @return false at the end of the stream (or when the source was stopped)
     */
    boolean next(byte[] buf, int off) throws IOException;

    /** Releases the source. Idempotent. */
    @Override
    void close() throws IOException;
}
