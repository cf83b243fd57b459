package io.streamtee.relay;

import io.netty.buffer.ByteBuf;

/**
 * Where a route's copies go: a UDP socket, a TCP connection, an HTTP client. The fan-out calls it on the event loop
 * of the worker that received the datagrams, in arrival order, once per datagram and then once per read batch
 * ({@link #flush}).
 *
 * <p>Contract: no method may block or wait for the network. An output that cannot take more drops the copy and
 * counts it in its {@link OutputStats} ({@link DropReason#BUFFER_FULL}); it never slows the input or another output.
 * If the route has several workers, an output attached to the route as a whole (see {@link Route#attach}) is called
 * from each worker's thread and must be thread-safe.
 */
public interface Output {
    /** Queues one datagram. Takes ownership of {@code datagram}: release it once sent or dropped. */
    void write(ByteBuf datagram);

    /**
     * Queues the {@code length} bytes from index {@code offset} of {@code batch} (as {@link ByteBuf#slice(int, int)}
     * counts) as one datagram. {@code batch} stays the
     * caller's: an output that keeps the datagram takes a retained slice of it (the default); one that sends it at
     * once may read it in place.
     */
    default void write(ByteBuf batch, int offset, int length) {
        write(batch.retainedSlice(offset, length));
    }

    /** The end of a read batch: send what was queued. */
    void flush(long nowMillis);

    /** Stops the output and releases what it holds. Safe to call twice, from any thread. */
    void close();

    /** Whether nothing is waiting to leave; called on the event loop when the relay drains before closing. */
    default boolean idle() {
        return true;
    }

    /** Whether {@link #writeRun} may be used: a run of equal-size datagrams as one UDP GSO buffer. */
    default boolean gso() {
        return false;
    }

    /**
     * Queues {@code count} datagrams of {@code segmentSize} bytes (the last may be shorter) laid end to end in
     * {@code run}. Only called when {@link #gso()} is true. Takes ownership of {@code run}.
     */
    default void writeRun(ByteBuf run, int segmentSize, int count) {
        throw new UnsupportedOperationException("no GSO");
    }
}
