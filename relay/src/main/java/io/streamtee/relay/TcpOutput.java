package io.streamtee.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.streamtee.config.Endpoint;
import io.streamtee.net.Backoff;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tcp://host:port}: pushes the stream to a TCP consumer, as one worker's leg of the output (a connection per
 * worker, on the worker's event loop). {@code framing=ts} (the default) writes each datagram's bytes as they are,
 * which for MPEG-TS is the plain TS byte stream; {@code framing=length} writes a 2-byte big-endian length before
 * each datagram, so a {@code tcp://...?framing=length} input at the other end gives back the same datagrams.
 *
 * <p>The connection is made in the background and remade after a failure or when the consumer goes away, waiting
 * 100 ms, then twice as long each time up to 5 s ({@link Backoff}); one log line per change of state, never per
 * attempt. Nothing waits for it: while there is no connection, copies are dropped and counted as
 * {@link DropReason#REFUSED} or {@link DropReason#UNREACHABLE} when the last attempt failed that way, else as
 * {@link DropReason#OTHER} (connecting, connection lost, timeout). In front of the connection is a bounded queue
 * ({@link #QUEUE_BYTES}); a copy that finds it full, after a flush, is dropped as {@link DropReason#BUFFER_FULL}, so a
 * stalled consumer costs only its own copies. A copy is dropped whole, so the stream stays framed.
 *
 * <p>{@link #write} and {@link #flush} run on the event loop; {@link #close} from any thread.
 */
final class TcpOutput implements Output {
    private static final Logger log = LoggerFactory.getLogger(TcpOutput.class);
    /** The most that may wait in front of a connection (the channel's high water mark). */
    static final int QUEUE_BYTES = 4 << 20;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** How long {@link #close} lets queued bytes leave before it cuts the connection. */
    private static final long CLOSE_GRACE_MILLIS = 2_000;

    private final String route;
    private final Endpoint endpoint;
    private final OutputStats stats;
    private final EventLoop loop;
    private final NettyTransport transport;
    private final boolean lengthPrefix;
    /** Reconnects: 100 ms, doubling up to 5 s. */
    private static final Backoff RECONNECT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    /** Failed attempts in a row; back to 0 once one works. */
    private int failures;
    /** Drop reasons already logged; later drops go into the periodic summary only. */
    private final Set<DropReason> logged = EnumSet.noneOf(DropReason.class);

    /** The connection, or null while there is none. */
    private Channel channel;
    private DropReason downReason = DropReason.OTHER;
    /** Whether "cannot connect" was logged since the last connection. */
    private boolean failureLogged;
    private ScheduledFuture<?> retry;
    private volatile boolean closed;
    private long batchDatagrams;
    private long batchBytes;

    private TcpOutput(String route, Endpoint endpoint, OutputStats stats, EventLoop loop, NettyTransport transport) {
        this.route = route;
        this.endpoint = endpoint;
        this.stats = stats;
        this.loop = loop;
        this.transport = transport;
        this.lengthPrefix = endpoint.framing().equals("length");
    }

    /** Creates the output and starts connecting on {@code loop}; returns at once. */
    static TcpOutput open(String route, Endpoint endpoint, OutputStats stats, EventLoop loop, NettyTransport transport) {
        TcpOutput out = new TcpOutput(route, endpoint, stats, loop, transport);
        loop.execute(out::connect);
        return out;
    }

    private void connect() {
        retry = null;
        if (closed) {
            return;
        }
        new Bootstrap()
                .group(loop)
                .channelFactory(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(QUEUE_BYTES / 2, QUEUE_BYTES))
                .handler(new IgnoreInput())
                .connect(endpoint.address())
                .addListener((ChannelFutureListener) this::connected);
    }

    private void connected(ChannelFuture f) {
        if (!f.isSuccess()) {
            downReason = reasonWhileDown(f.cause());
            if (!failureLogged && !closed) {
                failureLogged = true;
                log.warn("route {} output {}: cannot connect ({}); retrying in the background, copies are dropped"
                        + " until then", route, endpoint, describe(f.cause(), downReason));
            }
            scheduleRetry();
            return;
        }
        Channel ch = f.channel();
        if (closed) {
            ch.close();
            return;
        }
        channel = ch;
        failures = 0;
        failureLogged = false;
        log.info("route {} output {}: connected", route, endpoint);
        ch.closeFuture().addListener(x -> lost(ch));
    }

    private void lost(Channel ch) {
        if (channel != ch) {
            return;
        }
        channel = null;
        downReason = DropReason.OTHER;
        if (!closed) {
            log.warn("route {} output {}: connection lost; reconnecting, copies are dropped until then", route,
                    endpoint);
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        if (!closed) {
            retry = loop.schedule(this::connect, RECONNECT.delayMillis(++failures), TimeUnit.MILLISECONDS);
        }
    }

    private static String describe(Throwable cause, DropReason reason) {
        return switch (reason) {
            case REFUSED -> "connection refused";
            case UNREACHABLE -> "no route to host";
            default -> cause instanceof ConnectTimeoutException ? "timed out"
                    : SocketErrors.describe(cause);
        };
    }

    private static DropReason reasonWhileDown(Throwable cause) {
        DropReason r = UdpOutput.classify(cause);
        return r == DropReason.REFUSED || r == DropReason.UNREACHABLE ? r : DropReason.OTHER;
    }

    @Override
    public void write(ByteBuf datagram) {
        Channel ch = channel;
        int length = datagram.readableBytes();
        DropReason drop = ch == null || !ch.isActive() ? downReason
                : lengthPrefix && length > LengthFramer.MAX_LENGTH ? DropReason.TOO_BIG
                : !writable(ch) ? DropReason.BUFFER_FULL
                : null;
        if (drop != null) {
            datagram.release();
            drop(drop);
            return;
        }
        if (lengthPrefix) {
            ch.write(ch.alloc().buffer(2).writeShort(length), ch.voidPromise());
        }
        ch.write(datagram, ch.voidPromise());
        batchDatagrams++;
        batchBytes += length;
    }

    /** Whether the queue has room; a full queue is flushed first (a big batch can fill it before its flush). */
    private static boolean writable(Channel ch) {
        if (ch.isWritable()) {
            return true;
        }
        ch.flush();
        return ch.isWritable();
    }

    @Override
    public void flush(long nowMillis) {
        Channel ch = channel;
        if (ch != null) {
            ch.flush();
        }
        if (batchDatagrams > 0) {
            stats.sent(batchDatagrams, batchBytes, nowMillis);
            batchDatagrams = 0;
            batchBytes = 0;
        }
    }

    /** Counts a lost copy; the first of a kind is logged while connected (the state lines say it otherwise). */
    private void drop(DropReason reason) {
        stats.dropped(reason, 1);
        if (channel != null && logged.add(reason)) {
            log.warn("route {} output {}: dropping copies ({}); further drops are summed up in the periodic summary",
                    route, endpoint, reason == DropReason.BUFFER_FULL ? "the consumer is not keeping up"
                            : reason.description());
        }
    }

    /** Stops reconnecting; lets what is queued leave for up to 2 s, then closes the connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            loop.execute(this::closeOnLoop);
        } catch (RejectedExecutionException e) {
            Channel ch = channel; // the loop is gone, and with it the connection
            if (ch != null) {
                ch.close();
            }
        }
    }

    /** Whether nothing waits in front of the connection (or there is none to wait for). */
    @Override
    public boolean idle() {
        Channel ch = channel;
        return ch == null || !ch.isActive() || ch.unsafe().outboundBuffer() == null
                || ch.unsafe().outboundBuffer().isEmpty();
    }

    private void closeOnLoop() {
        if (retry != null) {
            retry.cancel(false);
        }
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            loop.schedule(() -> ch.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** A consumer has nothing to say; what it sends is discarded, and an error ends the connection. */
    private final class IgnoreInput extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("route {} output {}: connection error", route, endpoint, cause);
            ctx.close();
        }
    }
}
