package io.streamtee.relay;

import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code framing=ts}: a stream of 188-byte MPEG-TS packets, each starting with the sync byte 0x47, cut into datagrams
 * of 7 packets (1,316 bytes, what a camera sends over UDP). At the end of a read batch the whole packets left over
 * leave as one shorter datagram, so a slow stream gets no extra latency; a datagram never holds part of a packet.
 *
 * <p>Sync: a packet is taken when it starts with 0x47. Out of sync (at the start, or when a packet does not start
 * with 0x47), bytes are skipped up to a 0x47 that is followed 188 bytes later by another 0x47; each such skip counts
 * one input error in the route's counters, however many bytes it skipped.
 */
final class TsFramer extends StreamFramer {
    private static final Logger log = LoggerFactory.getLogger(TsFramer.class);
    static final int PACKET = 188;
    static final int PACKETS_PER_DATAGRAM = 7;
    static final byte SYNC = 0x47;

    private final RouteStats stats;
    private final String where;
    private boolean synced;
    private long skipped;

    TsFramer(RouteStats stats, String where) {
        this.stats = stats;
        this.where = where;
    }

    @Override
    void decode(ByteBuf in, Consumer<ByteBuf> out, boolean endOfBatch) {
        while (synced || resync(in)) {
            int whole = Math.min(in.readableBytes() / PACKET, PACKETS_PER_DATAGRAM);
            int good = 0;
            while (good < whole && in.getByte(in.readerIndex() + good * PACKET) == SYNC) {
                good++;
            }
            boolean lostSync = good < whole;
            if (good == PACKETS_PER_DATAGRAM || good > 0 && (lostSync || endOfBatch)) {
                out.accept(in.readBytes(good * PACKET));
            }
            if (lostSync) {
                synced = false;
            } else if (good < PACKETS_PER_DATAGRAM) {
                return;
            }
        }
    }

    /** Skips to the next confirmed packet start; false if more bytes are needed to find one. */
    private boolean resync(ByteBuf in) {
        int end = in.writerIndex();
        for (int i = in.readerIndex(); i < end; i++) {
            if (in.getByte(i) != SYNC) {
                continue;
            }
            if (i + PACKET >= end) {
                skip(in, i - in.readerIndex());
                return false; // cannot confirm yet
            }
            if (in.getByte(i + PACKET) == SYNC) {
                skip(in, i - in.readerIndex());
                synced = true;
                if (skipped > 0) {
                    stats.inputError();
                    log.debug("{}: skipped {} bytes to regain MPEG-TS sync", where, skipped);
                    skipped = 0;
                }
                return true;
            }
        }
        skip(in, in.readableBytes());
        return false;
    }

    private void skip(ByteBuf in, int n) {
        in.skipBytes(n);
        skipped += n;
    }
}
