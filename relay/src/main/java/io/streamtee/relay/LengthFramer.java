package io.streamtee.relay;

import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/**
 * {@code framing=length}: each datagram is preceded by its length as 2 bytes, big-endian (a UDP payload is at most
 * 65,535 bytes). This keeps any datagram whole across a stream, so UDP -> TCP -> UDP gives back the same datagrams;
 * {@link TcpOutput} writes it. There is nothing to resync on: a stream that loses a byte is garbage from then on.
 */
final class LengthFramer extends StreamFramer {
    /** The largest datagram the 2-byte prefix can describe. */
    static final int MAX_LENGTH = 0xFFFF;

    @Override
    void decode(ByteBuf in, Consumer<ByteBuf> out, boolean endOfBatch) {
        while (in.readableBytes() >= 2) {
            int length = in.getUnsignedShort(in.readerIndex());
            if (in.readableBytes() < 2 + length) {
                return;
            }
            in.skipBytes(2);
            out.accept(in.readBytes(length));
        }
    }
}
