package io.streamtee.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.ReferenceCountUtil;
import io.streamtee.config.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP destination as seen by one worker: a socket of its own, connected to the destination, on the worker's
 * event loop. A socket per output is what keeps outputs apart: a closed port (ICMP refused) is reported on this socket
 * only, a full send buffer holds back this output only, and neither ever blocks the loop, since writes are
 * non-blocking and the queue in front of the socket is bounded (a copy that finds it full is dropped and counted).
 *
 * <p>With epoll, a datagram the fan-out offers in place (a batch of one: {@link #write(ByteBuf, int, int)}) that
 * finds nothing queued in front of the socket leaves at once, by one write(2) straight from the fan-out's shared copy:
 * no slice, no trip through Netty's pipeline and outbound buffer, which at a camera's rate (one datagram per wake-up,
 * caches cold) cost more than the system call.
 * Only when the socket's send buffer is full (EAGAIN) does the copy go into the queue, and everything after it too
 * until the queue is empty again, so the order stays the order received.
 *
 * <p>All methods except {@link #open} and {@link #close} run on the event loop.
 */
final class UdpOutput implements Output {
    private static final Logger log = LoggerFactory.getLogger(UdpOutput.class);
    /** The queue in front of a socket always holds at least two of the largest datagrams or GSO runs. */
    private static final int MIN_QUEUE_BYTES = 2 * 65_536;

    /** Time without a refusal, while copies leave, after which a refused destination counts as listening again. */
    static final long RECOVERED_AFTER_MILLIS = 2_000;

    /** Whether the destination refuses copies (nobody listening), since when, and the refused count then. */
    private boolean refusing;
    private long lastRefusedMillis;
    private long refusedSince;
    /** Errors already logged for an output; later ones go into the periodic summary only. */
    private final Set<DropReason> logged = EnumSet.noneOf(DropReason.class);
    private final Endpoint endpoint;
    private final InetSocketAddress destination;
    private final OutputStats stats;
    private final String route;
    private Channel channel;
    /** The connected socket, for {@link #write(ByteBuf, int, int)}: set once an epoll channel is connected. */
    private FileDescriptor fd;
    /** Whether something went into the channel's queue since the last flush. */
    private boolean queued;
    private boolean gso;
    /** Copies queued since the last flush, published to {@link #stats} once per batch. */
    private long batchDatagrams;
    private long batchBytes;

    UdpOutput(String route, Endpoint endpoint, OutputStats stats, boolean gso) {
        this.route = route;
        this.endpoint = endpoint;
        this.destination = endpoint.address();
        this.stats = stats;
        this.gso = gso;
    }

    /** An output over a channel made elsewhere: for handler tests and benchmarks with no sockets. */
    static UdpOutput over(Channel channel, String route, Endpoint endpoint, OutputStats stats, boolean gso) {
        UdpOutput out = new UdpOutput(route, endpoint, stats, gso);
        out.channel = channel;
        return out;
    }

    /** Creates and connects the socket on {@code loop}. */
    ChannelFuture open(EventLoop loop, NettyTransport transport, int sendBuffer) {
        int queueLimit = Math.max(sendBuffer, MIN_QUEUE_BYTES);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(transport.datagramChannel(endpoint.isIpv6()))
                .option(ChannelOption.SO_SNDBUF, sendBuffer)
                // The bounded queue in front of the socket: past this, copies are dropped (BUFFER_FULL).
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(queueLimit / 2, queueLimit))
                .handler(new ErrorCounter());
        if (endpoint.isMulticast()) {
            b.option(ChannelOption.IP_MULTICAST_TTL, endpoint.ttl());
            b.option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, !endpoint.loop());
            NetworkInterface iface = endpoint.networkInterface();
            if (iface != null) {
                b.option(ChannelOption.IP_MULTICAST_IF, iface);
            }
        }
        ChannelFuture f = b.connect(destination);
        channel = f.channel();
        f.addListener(done -> { // on the event loop, before any write of the fan-out reaches this output
            if (done.isSuccess() && channel instanceof EpollDatagramChannel epoll) {
                fd = epoll.fd();
            }
        });
        return f;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    OutputStats stats() {
        return stats;
    }

    /** Whether this output may take a run of datagrams as one GSO buffer. */
    @Override
    public boolean gso() {
        return gso;
    }

    /**
     * Queues one datagram. Takes ownership of {@code datagram} (the fan-out's slice of the batch's one compact copy,
     * with a reference of its own): it is released once sent, or here, counted as dropped, if the queue is full.
     */
    @Override
    public void write(ByteBuf datagram) {
        if (!writable()) {
            datagram.release();
            drop(DropReason.BUFFER_FULL, 1, null);
            return;
        }
        batchDatagrams++;
        batchBytes += datagram.readableBytes();
        queued = true;
        channel.write(datagram, channel.voidPromise());
    }

    /**
     * Sends the datagram at once when nothing is queued in front of the socket (see the class comment); otherwise,
     * or when the socket cannot take it now, queues a retained slice of it behind what is queued.
     */
    @Override
    public void write(ByteBuf batch, int offset, int length) {
        if (fd == null || !batch.hasMemoryAddress() || !nothingQueued()) {
            write(batch.retainedSlice(offset, length));
            return;
        }
        int written;
        try {
            written = fd.writeAddress(batch.memoryAddress(), offset, offset + length);
        } catch (IOException e) {
            // This socket's pending error (an ICMP port unreachable: nobody listens) comes back on the next send
            // and that copy is not sent: counted as the queued path counts a failed send, handed over then failed.
            batchDatagrams++;
            batchBytes += length;
            failed(e, 1, length, false);
            return;
        }
        if (written == 0) { // EAGAIN: the send buffer is full
            write(batch.retainedSlice(offset, length));
            return;
        }
        batchDatagrams++;
        batchBytes += length;
    }

    /**
     * Whether the channel is open with nothing queued, flushed or not. Checked on the event loop, where the channel
     * also closes: an open channel's socket cannot be closed (and its number reused) before the write is done.
     */
    private boolean nothingQueued() {
        if (!channel.isActive()) {
            return false;
        }
        ChannelOutboundBuffer queue = channel.unsafe().outboundBuffer();
        return queue != null && queue.totalPendingWriteBytes() == 0;
    }

    /**
     * Queues {@code count} datagrams of {@code segmentSize} bytes (the last may be shorter) laid end to end in
     * {@code run}, to leave as one UDP GSO send. Takes ownership of {@code run}.
     */
    @Override
    public void writeRun(ByteBuf run, int segmentSize, int count) {
        if (!writable()) {
            run.release();
            drop(DropReason.BUFFER_FULL, count, null);
            return;
        }
        batchDatagrams += count;
        batchBytes += run.readableBytes();
        queued = true;
        int runBytes = run.readableBytes();
        channel.write(new SegmentedDatagramPacket(run, segmentSize, destination)).addListener(f -> {
            if (!f.isSuccess()) {
                failed(f.cause(), count, runBytes, true);
            }
        });
    }

    /**
     * Whether the queue in front of the socket has room. A large batch can fill the queue before its flush, so a
     * full queue is flushed first; only if the socket then still cannot take it is the copy dropped.
     */
    private boolean writable() {
        if (channel.isWritable()) {
            return true;
        }
        channel.flush();
        return channel.isWritable();
    }

    /** Sends what was queued in this batch and publishes the batch's counts. */
    @Override
    public void flush(long nowMillis) {
        if (queued) {
            queued = false;
            channel.flush();
        }
        if (batchDatagrams > 0) {
            stats.sent(batchDatagrams, batchBytes, nowMillis);
            batchDatagrams = 0;
            batchBytes = 0;
            if (refusing && nowMillis - lastRefusedMillis >= RECOVERED_AFTER_MILLIS) {
                refusing = false;
                log.info("route {} output {}: now receiving ({} copies refused while nobody listened)", route,
                        endpoint, stats.snapshot().dropped(DropReason.REFUSED) - refusedSince);
            }
        }
    }

    /** Whether nothing is queued in front of the socket. */
    @Override
    public boolean idle() {
        return channel == null || !channel.isActive() || channel.unsafe().outboundBuffer() == null
                || channel.unsafe().outboundBuffer().isEmpty();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close();
        }
    }

    /** Copies that were handed over ({@link #flush} counted them as sent) and then failed: now dropped instead. */
    private void failed(Throwable cause, long count, long bytes, boolean segmented) {
        DropReason reason = classify(cause);
        if (segmented && gso && (reason == DropReason.OTHER || reason == DropReason.TOO_BIG)) {
            // Some devices and paths refuse UDP GSO (EIO, EINVAL, EMSGSIZE): stop using it here.
            gso = false;
            log.warn("route {} output {}: UDP GSO refused ({}); sending datagrams one by one from now on",
                    route, endpoint, cause.getMessage());
        }
        stats.failed(reason, count, bytes);
        if (reason == DropReason.REFUSED) {
            refused(cause, count);
        } else {
            logOnce(reason, cause);
        }
    }

    /** Copies not handed over: the queue in front of the socket is full. */
    private void drop(DropReason reason, long count, Throwable cause) {
        stats.dropped(reason, count);
        logOnce(reason, cause);
    }

    /**
     * Nobody listens at the destination (yet): said once when it starts, once when it ends ({@link #flush} sees no
     * refusal for {@link #RECOVERED_AFTER_MILLIS} while copies leave); in between, the count is in the summary line.
     */
    private void refused(Throwable cause, long count) {
        lastRefusedMillis = System.currentTimeMillis();
        if (!refusing) {
            refusing = true;
            refusedSince = stats.snapshot().dropped(DropReason.REFUSED) - count;
            log.warn("route {} output {}: nobody is listening (ICMP port unreachable); its copies are dropped, counted"
                    + " as '{}' in the summary line, until someone listens", route, endpoint, DropReason.REFUSED.key());
            log.debug("route {} output {}: {}", route, endpoint, String.valueOf(cause));
        }
    }

    private void logOnce(DropReason reason, Throwable cause) {
        if (logged.add(reason)) {
            log.warn("route {} output {}: {}{}; further drops are summed up in the periodic summary",
                    route, endpoint, reason.description(), cause == null ? "" : " (" + cause.getMessage() + ")");
        }
    }

    static DropReason classify(Throwable cause) {
        if (cause instanceof PortUnreachableException) {
            return DropReason.REFUSED;
        }
        if (cause instanceof NoRouteToHostException) {
            return DropReason.UNREACHABLE;
        }
        if (cause instanceof Errors.NativeIoException e) {
            return switch (-e.expectedErr()) {
                case 111 -> DropReason.REFUSED; // ECONNREFUSED
                case 101, 113, 99 -> DropReason.UNREACHABLE; // ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL
                case 11, 105 -> DropReason.BUFFER_FULL; // EAGAIN, ENOBUFS
                case 90 -> DropReason.TOO_BIG; // EMSGSIZE
                default -> DropReason.OTHER;
            };
        }
        String m = String.valueOf(cause.getMessage());
        if (m.contains("refused")) {
            return DropReason.REFUSED;
        }
        if (m.contains("unreachable") || m.contains("No route")) {
            return DropReason.UNREACHABLE;
        }
        if (m.contains("Message too long")) {
            return DropReason.TOO_BIG;
        }
        if (m.contains("No buffer space")) {
            return DropReason.BUFFER_FULL;
        }
        return DropReason.OTHER;
    }

    /** Counts send errors reported by the socket (void-promise writes and ICMP errors surfacing on read). */
    private final class ErrorCounter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg); // outputs do not take input
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(cause, 1, -1, false); // an ICMP error: which copy it was is not known
        }
    }
}
