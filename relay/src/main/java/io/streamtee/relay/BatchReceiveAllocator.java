package io.streamtee.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Receive buffers for recvmmsg: one buffer of {@code slots} datagram slots per call. It also decides when a read
 * loop stops: after a call that did not fill every slot the socket is empty, so the loop ends at once instead of
 * making one more call only to be told EAGAIN. (Netty's epoll datagram channel asks to go on reading regardless;
 * with level-triggered epoll, stopping early loses nothing: epoll reports the socket again if data remains.) At
 * camera rates, where each wake-up finds one datagram, this saves a system call per datagram.
 */
final class BatchReceiveAllocator implements RecvByteBufAllocator {
    private final FixedRecvByteBufAllocator fixed;

    BatchReceiveAllocator(int bufferSize, int maxMessagesPerRead) {
        this.fixed = new FixedRecvByteBufAllocator(bufferSize);
        fixed.maxMessagesPerRead(maxMessagesPerRead);
    }

    @Override
    public Handle newHandle() {
        return new StopWhenDrained((ExtendedHandle) fixed.newHandle());
    }

    private static final class StopWhenDrained implements ExtendedHandle {
        private final ExtendedHandle delegate;
        private final UncheckedBooleanSupplier filledLastBuffer = this::filledLastBuffer;

        StopWhenDrained(ExtendedHandle delegate) {
            this.delegate = delegate;
        }

        private boolean filledLastBuffer() {
            return delegate.lastBytesRead() > 0 && delegate.lastBytesRead() >= delegate.attemptedBytesRead();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier ignored) {
            return delegate.continueReading(filledLastBuffer);
        }

        @Override
        public boolean continueReading() {
            return delegate.continueReading(filledLastBuffer);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return delegate.allocate(alloc);
        }

        @Override
        public int guess() {
            return delegate.guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            delegate.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            delegate.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            delegate.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return delegate.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            delegate.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return delegate.attemptedBytesRead();
        }

        @Override
        public void readComplete() {
            delegate.readComplete();
        }
    }
}
