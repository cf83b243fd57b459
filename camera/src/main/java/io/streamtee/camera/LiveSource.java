package io.streamtee.camera;

import io.streamtee.ts.TsPacket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-over from a producer thread (the encoder) to the pacer: the producer {@link #write}s TS bytes in any
 * chunking and ends with {@link #end()}; the pacer reads packets and waits when none are there yet.
 */
final class LiveSource implements TsSource, PatternEncoder.TsOutput {

    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> chunks;
    private byte[] chunk = new byte[0];
    private int position;
    private volatile boolean ended;

    LiveSource(int capacityChunks) {
        this.chunks = new ArrayBlockingQueue<>(capacityChunks);
    }

    /**
     * Queues a copy of the bytes. Waits while the queue is full (the pacer is far behind), giving up silently once
     * the source has ended.
     */
    @Override
    public void write(byte[] bytes, int offset, int length) {
        byte[] copy = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
        try {
            while (!ended && !chunks.offer(copy, 100, TimeUnit.MILLISECONDS)) {
                // the pacer is behind; wait for room
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Marks the end of the stream: the reader gets what is queued, then false. Idempotent. */
    void end() {
        if (!ended) {
            ended = true;
            while (!chunks.offer(END)) {
                chunks.poll();
            }
        }
    }

    @Override
    public boolean next(byte[] buf, int off) {
        int filled = 0;
        while (filled < TsPacket.SIZE) {
            if (position == chunk.length) {
                byte[] nextChunk;
                try {
                    nextChunk = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (nextChunk == END) {
                    chunks.offer(END);
                    return false;
                }
                chunk = nextChunk;
                position = 0;
            }
            int n = Math.min(TsPacket.SIZE - filled, chunk.length - position);
            System.arraycopy(chunk, position, buf, off + filled, n);
            position += n;
            filled += n;
        }
        return true;
    }

    @Override
    public void close() {
        end();
    }
}
