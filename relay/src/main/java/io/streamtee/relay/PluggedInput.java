package io.streamtee.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.AttributeKey;
import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.input.InputFactory;
import io.streamtee.input.Inputs;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route input made by an {@link InputFactory} found on the class path (e.g. {@code rtsp://} from the bridge
 * module). Its datagrams, handed over from the input's own thread, are copied into buffers and fired into the
 * worker's {@link FanOut} on the worker's event loop, one batch at a time, as if read from a socket whose sender is
 * the input's address (which the allow list checks). At most {@value #MAX_PENDING} datagrams wait for the loop (about
 * 10 MB of 1,316-byte datagrams); a batch that does not fit is dropped and counted as input errors, or, offered with
 * {@link DatagramSink#offer}, refused for the input to offer again. Closing the handle stops the batches at once and
 * closes the input on a thread of its own, not on the loop, which other routes share: its {@link Input#close()} may
 * take a few seconds (see its contract). {@link #awaitClosed} waits for that.
 */
final class PluggedInput {
    private static final Logger log = LoggerFactory.getLogger(PluggedInput.class);
    static final int MAX_PENDING = 8192;
    /** On a plugged input's handle: done once its input has closed (see {@link #awaitClosed}). */
    private static final AttributeKey<CompletableFuture<Void>> CLOSED = AttributeKey.valueOf("streamtee.inputClosed");

    private PluggedInput() {
    }

    /** The factory serving {@code scheme}, or null when no module on the class path serves it. */
    static InputFactory factory(String scheme) {
        return Inputs.installed().find(scheme);
    }

    /**
     * Starts the input. Closing the returned channel (a handle registered on the loop, an unbound UDP socket that
     * never receives) stops it.
     *
     * @throws RelayException when no module serves the scheme, or the handle cannot be made
     */
    static Channel start(String route, Endpoint in, EventLoop loop, NettyTransport transport, FanOut fanOut,
            RouteStats stats) {
        InputFactory factory = factory(in.scheme());
        if (factory == null) {
            throw new RelayException(in + ": " + in.scheme() + ":// inputs are not supported by this build"
                    + " (the module that serves them is not on the class path)");
        }
        ChannelFuture registered = new Bootstrap()
                .group(loop)
                // an unbound UDP socket: epoll reports nothing for it (an unconnected TCP socket reports EPOLLHUP,
                // and the loop would spin)
                .channelFactory(transport.datagramChannel(in.isIpv6()))
                .handler(fanOut)
                .register()
                .awaitUninterruptibly();
        if (!registered.isSuccess()) {
            throw new RelayException("route " + route + " input " + in + ": "
                    + SocketErrors.describe(registered.cause()), registered.cause());
        }
        Channel handle = registered.channel();
        Feed feed = new Feed(handle, in.address(), stats);
        Input input;
        try {
            input = factory.start(route, in, feed);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
        stats.inputCounters(input::counters);
        stats.inputGauges(input::gauges);
        CompletableFuture<Void> closed = new CompletableFuture<>();
        handle.attr(CLOSED).set(closed);
        handle.closeFuture().addListener(f -> {
            feed.closed = true;
            Thread.ofPlatform().daemon().name("close-" + route).start(() -> {
                try {
                    input.close();
                } catch (RuntimeException e) {
                    log.warn("route {} input {}: closing: {}", route, in, e.toString());
                } finally {
                    closed.complete(null);
                }
            });
        });
        return handle;
    }

    /**
     * If {@code handle} is a plugged input's, waits (up to {@code timeoutMillis}) until its input has closed, so
     * that what it held (a listening port, a connection to the camera) is free again. Not on an event loop.
     */
    static void awaitClosed(Channel handle, long timeoutMillis) {
        CompletableFuture<Void> closed = handle.attr(CLOSED).get();
        if (closed == null) {
            return;
        }
        try {
            closed.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("input of {} still closing after {} ms", handle, timeoutMillis);
        }
    }

    /** Copies each batch and fires it into the handle's pipeline (the fan-out) on the loop. */
    private static final class Feed implements DatagramSink {
        private final Channel handle;
        private final InetSocketAddress from;
        private final RouteStats stats;
        private final AtomicInteger pending = new AtomicInteger();
        volatile boolean closed;

        Feed(Channel handle, InetSocketAddress from, RouteStats stats) {
            this.handle = handle;
            this.from = from;
            this.stats = stats;
        }

        @Override
        public void accept(List<byte[]> datagrams) {
            if (!offer(datagrams) && !closed) {
                stats.inputError();
            }
        }

        @Override
        public boolean offer(List<byte[]> datagrams) {
            if (closed) {
                return false;
            }
            int n = datagrams.size();
            if (n == 0) {
                return true;
            }
            // one thread offers, the loop only takes away: the room seen here can only grow
            if (pending.get() + n > MAX_PENDING && pending.get() > 0) {
                return false; // (a batch larger than the whole bound goes alone, into an empty queue)
            }
            pending.addAndGet(n);
            ByteBuf[] copies = new ByteBuf[n];
            for (int i = 0; i < n; i++) {
                byte[] d = datagrams.get(i);
                copies[i] = handle.alloc().directBuffer(d.length).writeBytes(d);
            }
            try {
                handle.eventLoop().execute(() -> fire(copies));
            } catch (RuntimeException e) { // the loop is shutting down
                pending.addAndGet(-n);
                for (ByteBuf b : copies) {
                    b.release();
                }
                return false;
            }
            return true;
        }

        private void fire(ByteBuf[] copies) {
            pending.addAndGet(-copies.length);
            if (closed || !handle.isOpen()) {
                for (ByteBuf b : copies) {
                    b.release();
                }
                return;
            }
            ChannelPipeline p = handle.pipeline();
            for (ByteBuf b : copies) {
                p.fireChannelRead(new DatagramPacket(b, from, from));
            }
            p.fireChannelReadComplete();
        }
    }
}
