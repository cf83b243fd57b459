package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.RecvByteBufAllocator.ExtendedHandle;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BatchReceiveAllocatorTest {
    private static final int SLOT = 65_536;
    private static final int SLOTS = 16;
    private static final long BUSY = 100_000;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final BatchReceiveAllocator allocator = new BatchReceiveAllocator(SLOT, SLOTS, 256, BUSY, now::get);
    private final ExtendedHandle handle = (ExtendedHandle) allocator.newHandle();
    private final DefaultChannelConfig config = new DefaultChannelConfig(new EmbeddedChannel());

    /**
     * One wake-up's read loop as Netty's epoll datagram channel runs it, then the fan-out ({@code fanOutNanos} long);
     * returns the buffer size it asked for last.
     */
    private int wakeUpAndFanOut(long fanOutNanos, int... datagramsPerCall) {
        int asked = wakeUp(datagramsPerCall);
        now.addAndGet(fanOutNanos);
        allocator.batchDone();
        return asked;
    }

    /** One wake-up's read loop as Netty's epoll datagram channel runs it; returns the buffer size it asked for last. */
    private int wakeUp(int... datagramsPerCall) {
        handle.reset(config);
        int asked = 0;
        for (int received : datagramsPerCall) {
            ByteBuf buf = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
            asked = buf.capacity();
            int slots = asked / SLOT;
            handle.attemptedBytesRead(slots * SLOT);
            handle.lastBytesRead(received == 0 ? -1 : received * SLOT);
            handle.incMessagesRead(received);
            buf.release();
            if (!handle.continueReading()) {
                break;
            }
        }
        handle.readComplete();
        allocator.batchDone();
        return asked;
    }

    @Test
    void aQuietWakeUpReadsOneDatagramWithOneSlot() {
        // one slot means Netty reads with recvmsg (no recvmmsg and its per-call getsockopt)
        assertThat(wakeUp(1)).isEqualTo(SLOT);
        now.addAndGet(500_000); // 2,000 datagrams/s
        handle.reset(config);
        assertThat(handle.guess()).isEqualTo(SLOT);
        handle.incMessagesRead(1);
        handle.attemptedBytesRead(SLOT);
        handle.lastBytesRead(SLOT); // even a datagram that fills the slot ends a quiet wake-up
        assertThat(handle.continueReading()).isFalse();
    }

    @Test
    void aWakeUpSoonAfterThePreviousReadsInBatchesWhileCallsFillEverySlot() {
        wakeUp(1);
        now.addAndGet(BUSY - 1);
        handle.reset(config);
        assertThat(handle.guess()).isEqualTo(SLOT * SLOTS);
        handle.attemptedBytesRead(SLOT * SLOTS);
        handle.incMessagesRead(SLOTS);
        handle.lastBytesRead(SLOT * SLOTS);
        assertThat(handle.continueReading()).isTrue();
        handle.incMessagesRead(3);
        handle.lastBytesRead(3 * SLOT);
        assertThat(handle.continueReading()).as("a call that left slots empty found the socket drained").isFalse();
    }

    @Test
    void aWakeUpRightAfterASlowFanOutIsBusy() {
        // a fan-out of large datagrams by code not yet compiled takes long; a datagram waiting when it ends is a
        // backlog, however long ago the previous wake-up began
        assertThat(wakeUpAndFanOut(2_000_000, 1)).isEqualTo(SLOT);
        now.addAndGet(5_000);
        assertThat(wakeUp(1)).isEqualTo(SLOT * SLOTS);
    }

    @Test
    void aWakeUpThatReadManyKeepsTheNextOneBusyAndOneThatReadOneLetsItGoQuiet() {
        wakeUp(1);
        now.addAndGet(10_000);
        assertThat(wakeUp(5)).isEqualTo(SLOT * SLOTS);
        now.addAndGet(10 * BUSY); // long after, but the last wake-up found a backlog
        assertThat(wakeUp(1)).isEqualTo(SLOT * SLOTS);
        now.addAndGet(10 * BUSY);
        assertThat(wakeUp(1)).isEqualTo(SLOT);
    }

    @Test
    void aBusyWakeUpStopsAtTheMessageLimitAndWhenReadingIsOff() {
        BatchReceiveAllocator small = new BatchReceiveAllocator(SLOT, SLOTS, 20, BUSY, now::get);
        ExtendedHandle h = (ExtendedHandle) small.newHandle();
        h.reset(config);
        h.readComplete();
        now.addAndGet(1);
        h.reset(config);
        h.attemptedBytesRead(SLOT * SLOTS);
        h.lastBytesRead(SLOT * SLOTS);
        h.incMessagesRead(SLOTS);
        assertThat(h.continueReading()).isTrue();
        h.incMessagesRead(SLOTS);
        assertThat(h.continueReading()).isFalse();
        config.setAutoRead(false);
        h.reset(config);
        h.attemptedBytesRead(SLOT * SLOTS);
        h.lastBytesRead(SLOT * SLOTS);
        assertThat(h.continueReading()).isFalse();
    }

    @Test
    void rejectsSettingsThatCannotBatch() {
        assertThatThrownBy(() -> new BatchReceiveAllocator(SLOT, 1, 256, BUSY, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quietWakeUpsReadIntoOneBufferWhileNobodyElseHoldsIt() {
        handle.reset(config);
        ByteBuf first = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
        first.writeInt(7);
        first.release(); // the fan-out copied the datagram and let it go
        handle.readComplete();
        now.addAndGet(500_000);
        handle.reset(config);
        ByteBuf second = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
        assertThat(second).isSameAs(first);
        assertThat(second.readableBytes()).as("emptied for the next read").isZero();
        assertThat(second.refCnt()).isEqualTo(2); // the reader's and the allocator's

        // still held elsewhere when the next wake-up starts: that holder keeps it, the read gets a new one
        handle.readComplete();
        now.addAndGet(500_000);
        handle.reset(config);
        ByteBuf third = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
        assertThat(third).isNotSameAs(second);
        assertThat(second.refCnt()).isEqualTo(1);
        second.release();
        assertThat(second.refCnt()).as("freed by its last holder").isZero();
        third.release();

        allocator.release(); // the channel is gone
        assertThat(third.refCnt()).isZero();
    }
}
