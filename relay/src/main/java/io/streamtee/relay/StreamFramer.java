package io.streamtee.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * Cuts a byte stream (a TCP connection, an HTTP body) back into datagrams, as the URL's {@code framing=} says:
 * {@link TsFramer} for {@code ts}, {@link LengthFramer} for {@code length}. One per connection, used on one thread.
 *
 * <p>Each datagram is handed to the consumer as a buffer of its own (a copy out of the stream), which the consumer
 * then owns. Bytes that do not yet make a whole datagram wait for the next {@link #feed}.
 */
abstract class StreamFramer {
    private ByteBuf pending;

    /** A framer for {@code framing} ({@code ts} or {@code length}, as {@code Endpoint.framing()} returns). */
    static StreamFramer of(String framing, RouteStats stats, String where) {
        return switch (framing) {
            case "ts" -> new TsFramer(stats, where);
            case "length" -> new LengthFramer();
            default -> throw new IllegalArgumentException("framing " + framing);
        };
    }

    /** Appends {@code bytes} (taking ownership) and hands every whole datagram now complete to {@code out}. */
    final void feed(ByteBuf bytes, ByteBufAllocator alloc, Consumer<ByteBuf> out) {
        try {
            if (pending == null) {
                pending = alloc.buffer(Math.max(bytes.readableBytes(), 4096));
            }
            pending.writeBytes(bytes);
        } finally {
            bytes.release();
        }
        decode(pending, out, false);
        if (pending.isReadable()) {
            pending.discardSomeReadBytes();
        } else {
            pending.clear();
        }
    }

    /**
     * The end of a read batch: hands out what may leave now rather than wait for more bytes (for {@code ts}, the
     * whole packets short of a full datagram), so a slow stream does not add latency.
     */
    final void endOfBatch(Consumer<ByteBuf> out) {
        if (pending != null && pending.isReadable()) {
            decode(pending, out, true);
        }
    }

    /** Releases what is held; an unfinished datagram is lost. Safe to call twice. */
    final void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /**
     * Reads whole datagrams from {@code in} and hands each to {@code out}.
     *
     * @param endOfBatch whether the read batch is over (see {@link #endOfBatch})
     */
    abstract void decode(ByteBuf in, Consumer<ByteBuf> out, boolean endOfBatch);
}
