package io.streamtee.record;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the {@link Uploader} puts finished segments and the index: an object store rooted at a bucket and prefix.
 * {@link S3ObjectStore} speaks the S3 API; a store with another API (OCI's native one, say) or a test double plugs in
 * here. Used by one thread (the uploader's); {@link #close()} is idempotent.
 */
interface ObjectStore extends AutoCloseable {

    /**
     * Uploads {@code file} whole as {@code key} (relative to the store's prefix), replacing what is there. Returns
     * only when the store has it; on failure nothing partial is left behind (an unfinished multipart upload is
     * aborted, as far as the store can be reached).
     *
     * @return the bytes uploaded
     * @throws java.nio.file.NoSuchFileException when the file is gone
     * @throws IOException with a one-line message when the store cannot be reached or refuses it
     */
    long put(String key, Path file, String contentType) throws IOException;

    /** {@code s3://bucket/prefix}, for log lines. */
    String url();

    @Override
    void close();
}
