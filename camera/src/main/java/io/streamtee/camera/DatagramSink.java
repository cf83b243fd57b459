package io.streamtee.camera;

import java.io.IOException;

/** Where the pacer's datagrams go. Implementations must not block for long; close is idempotent. */
interface DatagramSink extends AutoCloseable {

    /**
     * Sends one datagram of whole TS packets.
     *
     * @param streamTime the stream time (27 MHz PCR ticks, unwrapped) of the datagram's first byte, for RTP
     */
    void send(byte[] buf, int length, long streamTime) throws IOException;

    @Override
    void close() throws IOException;
}
