package io.streamtee.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Receive buffers for the UDP input, sized per wake-up so that the read costs as few system calls as the load allows.
 *
 * <p>Netty's epoll datagram channel reads with recvmsg when the buffer holds one datagram slot and with recvmmsg when
 * it holds several. Its recvmmsg also asks the kernel for IP_RECVORIGDSTADDR (a getsockopt) on every call, so at a
 * camera's rate, where each wake-up finds one datagram, recvmmsg costs two system calls for what recvmsg does in one.
 * So a wake-up is <em>quiet</em> (one slot, recvmsg, then back to epoll) unless the input is busy: the loop waited
 * less than {@code busyNanos} for it since the previous batch was fanned out ({@link #batchDone}; a datagram was
 * already waiting), or the previous wake-up read more than one datagram. A busy wake-up reads in recvmmsg
 * batches of {@code slots} slots and goes on while a call fills every slot (after a call that did not, the socket is
 * empty, so the loop ends at once instead of making one more call only to be told EAGAIN; with level-triggered
 * epoll, stopping early loses nothing: epoll reports the socket again if data remains).
 *
 * <p>A burst that starts on a quiet wake-up costs one extra epoll round: the first datagram is read alone, epoll
 * reports the socket again as soon as it is fanned out, and that wake-up is busy. The wait is measured from the end
 * of the fan-out, not from the previous wake-up, so a slow fan-out (large datagrams, code not yet compiled) does not
 * keep a backlogged input reading one datagram per wake-up.
 *
 * <p>A quiet wake-up's one-slot buffer is made once and used again by every quiet wake-up: the fan-out copies each
 * batch and releases what it received before the wake-up ends, so when the next one starts, this allocator holds the
 * only reference (a buffer still held elsewhere is left to its holder and a new one made). A new buffer per read is
 * what Netty's allocator would give, and with a heap bound under 512 MB it counts as low on memory and gives every
 * buffer over 16 KiB unpooled: a malloc and a Cleaner for each datagram at a camera's rate. A busy wake-up's buffer
 * ({@code slots} slots, 1 MiB) is still asked for per recvmmsg call, its cost shared by the datagrams it holds: kept,
 * it would hold 1 MiB of direct memory per route for good, and a wake-up of several calls needs several at once.
 *
 * <p>One allocator serves one channel; {@link #batchDone} and {@link #release} run on that channel's event loop.
 */
final class BatchReceiveAllocator implements RecvByteBufAllocator {
    private final int slot;
    private final int slots;
    private final int maxMessagesPerRead;
    private final long busyNanos;
    private final LongSupplier nanoClock;
    private PerWakeUp handle;

    /**
     * @param slot               bytes per datagram slot (the channel's MAX_DATAGRAM_PAYLOAD_SIZE)
     * @param slots              slots per recvmmsg call on a busy wake-up
     * @param maxMessagesPerRead datagrams a busy wake-up reads at most before the batch is fanned out
     * @param busyNanos          a wake-up that comes this soon after the previous batch was fanned out is busy
     * @param nanoClock          monotonic time in nanoseconds ({@link System#nanoTime} outside tests)
     */
    BatchReceiveAllocator(int slot, int slots, int maxMessagesPerRead, long busyNanos, LongSupplier nanoClock) {
        if (slot <= 0 || slots < 2 || maxMessagesPerRead <= 0) {
            throw new IllegalArgumentException("slot > 0, slots >= 2 and maxMessagesPerRead > 0 needed");
        }
        this.slot = slot;
        this.slots = slots;
        this.maxMessagesPerRead = maxMessagesPerRead;
        this.busyNanos = busyNanos;
        this.nanoClock = nanoClock;
    }

    @Override
    public Handle newHandle() {
        handle = new PerWakeUp();
        return handle;
    }

    /** Gives up the receive buffers (the channel is closed). */
    void release() {
        if (handle != null) {
            handle.release();
        }
    }

    /** Called once a wake-up's batch has been fanned out: the loop goes back to waiting from now. */
    void batchDone() {
        if (handle != null) {
            handle.idleSince = nanoClock.getAsLong();
        }
    }

    /** One channel's handle: {@link #reset} starts a wake-up's read loop, {@link #readComplete} ends it. */
    final class PerWakeUp implements ExtendedHandle {
        private ChannelConfig config;
        private long idleSince = Long.MIN_VALUE;
        private boolean lastReadMany;
        private boolean busy;
        private int messages;
        private int lastBytes;
        private int attemptedBytes;
        /** The quiet wake-ups' buffer; this handle holds one reference to it. */
        private ByteBuf quiet;

        /** Whether this wake-up reads in recvmmsg batches. */
        boolean busy() {
            return busy;
        }

        @Override
        public void reset(ChannelConfig config) {
            this.config = config;
            long now = nanoClock.getAsLong();
            busy = lastReadMany || idleSince != Long.MIN_VALUE && now - idleSince < busyNanos;
            idleSince = now; // until batchDone says when the fan-out ended
            messages = 0;
            lastBytes = 0;
            attemptedBytes = 0;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            if (busy) {
                return alloc.ioBuffer(guess());
            }
            if (quiet == null || quiet.refCnt() != 1) {
                if (quiet != null) {
                    quiet.release(); // ours; whoever still holds it frees it
                }
                quiet = alloc.ioBuffer(slot);
            }
            return quiet.retain().clear();
        }

        void release() {
            if (quiet != null) {
                quiet.release();
                quiet = null;
            }
        }

        @Override
        public int guess() {
            return busy ? slot * slots : slot;
        }

        @Override
        public void incMessagesRead(int numMessages) {
            messages += numMessages;
        }

        @Override
        public void lastBytesRead(int bytes) {
            lastBytes = bytes;
        }

        @Override
        public int lastBytesRead() {
            return lastBytes;
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            attemptedBytes = bytes;
        }

        @Override
        public int attemptedBytesRead() {
            return attemptedBytes;
        }

        @Override
        public boolean continueReading() {
            return busy && lastBytes > 0 && lastBytes >= attemptedBytes && messages < maxMessagesPerRead
                    && (config == null || config.isAutoRead());
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier ignored) {
            return continueReading();
        }

        @Override
        public void readComplete() {
            lastReadMany = messages > 1;
        }
    }
}
