package io.streamtee.camera;

import io.streamtee.ts.TsPacket;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-over from a producer thread (the encoder) to the sender: the producer {@link #write}s TS bytes in any
 * chunking, marks the end of each frame with {@link #frameEnd()} and ends with {@link #end()}; the sender reads
 * packets and frame ends with {@link #read} (or packets only, as a {@link TsSource}) and waits when none are there
 * yet.
 */
final class LiveSource implements TsSource, PatternEncoder.TsOutput {

    /** What {@link #read} found. */
    enum Read {
        /** A packet, now in the caller's buffer. */
        PACKET,
        /** The end of a frame: the packets read before it are the whole frame. */
        FRAME_END,
        /** The end of the stream. */
        END
    }

    private static final byte[] END = new byte[0];
    private static final byte[] FRAME_END = new byte[0];

    private final BlockingQueue<byte[]> chunks;
    private byte[] chunk = new byte[0];
    private int position;
    private volatile boolean ended;

    LiveSource(int capacityChunks) {
        this.chunks = new ArrayBlockingQueue<>(capacityChunks);
    }

    /**
     * Queues a copy of the bytes. Waits while the queue is full (the sender is far behind), giving up silently once
     * the source has ended.
     */
    @Override
    public void write(byte[] bytes, int offset, int length) {
        put(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /** Queues the end of a frame, waiting like {@link #write}. */
    @Override
    public void frameEnd() {
        put(FRAME_END);
    }

    private void put(byte[] item) {
        try {
            while (!ended && !chunks.offer(item, 100, TimeUnit.MILLISECONDS)) {
                // the sender is behind; wait for room
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Marks the end of the stream: the reader gets what is queued, then {@link Read#END}. Idempotent. */
    void end() {
        if (!ended) {
            ended = true;
            while (!chunks.offer(END)) {
                chunks.poll();
            }
        }
    }

    /**
     * Reads the next packet into {@code buf} at {@code off}, or tells of a frame's end or the stream's, waiting until
     * one of them is there. A frame end inside a packet (bytes not written in whole packets) is ignored.
     */
    Read read(byte[] buf, int off) {
        int filled = 0;
        while (filled < TsPacket.SIZE) {
            if (position == chunk.length) {
                byte[] nextChunk;
                try {
                    nextChunk = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Read.END;
                }
                if (nextChunk == END) {
                    chunks.offer(END);
                    return Read.END;
                }
                if (nextChunk == FRAME_END) {
                    if (filled == 0) {
                        return Read.FRAME_END;
                    }
                    continue;
                }
                chunk = nextChunk;
                position = 0;
            }
            int n = Math.min(TsPacket.SIZE - filled, chunk.length - position);
            System.arraycopy(chunk, position, buf, off + filled, n);
            position += n;
            filled += n;
        }
        return Read.PACKET;
    }

    /** The next packet, skipping frame ends. */
    @Override
    public boolean next(byte[] buf, int off) {
        Read r;
        while ((r = read(buf, off)) == Read.FRAME_END) {
            // a pacer that times packets by their PCR has no use for frame ends
        }
        return r == Read.PACKET;
    }

    @Override
    public void close() {
        end();
    }
}
