package io.streamtee.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.streamtee.config.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot path: collects the datagrams of one read batch (one or more recvmmsg calls), then hands each to every
 * output and flushes every output once, so each output's copies leave in one sendmmsg, or, where UDP GSO pays, as
 * one buffer per run of equal-size datagrams. Each batch is copied once, end to end, into a buffer of its own size
 * that all outputs share (a retained slice each), never copied per output and never altered; the received buffers
 * are released as soon as that copy is made. A batch of one datagram, which is what each wake-up finds at a camera's
 * rate, is offered to each output in place ({@link Output#write(ByteBuf, int, int)}): an epoll UDP output with
 * nothing queued sends it at once by one write(2), no slice made. A larger batch goes through the outputs' queues, so
 * that each output's copies leave together in one sendmmsg or GSO send.
 *
 * <p>Runs on the worker's event loop only. It is {@link ChannelHandler.Sharable} so that a stream input can put the
 * worker's one instance into the pipeline of each of its connections, all on that same loop; a batch is read and
 * fanned out before the loop turns to another connection.
 */
@ChannelHandler.Sharable
final class FanOut extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FanOut.class);

    /** Fan out early if a read loop delivers more than this, to bound what is held. */
    private static final int MAX_BATCH = 1024;

    private final List<DatagramPacket> batch = new ArrayList<>(256);
    /** The size of each datagram of the batch being sent. */
    private int[] sizes = new int[256];
    private final String route;
    private List<Cidr> allow;
    private final RouteStats stats;
    private final int gsoMaxSegment;
    private Output[] outputs;

    /**
     * @param gsoMaxSegment largest datagram to send as part of a GSO run; 0 disables GSO
     */
    FanOut(String route, List<Cidr> allow, RouteStats stats, Output[] outputs, int gsoMaxSegment) {
        this.route = route;
        this.allow = List.copyOf(allow);
        this.stats = stats;
        this.outputs = outputs;
        this.gsoMaxSegment = gsoMaxSegment;
    }

    /** Replaces the outputs; called on the event loop, so it falls between two batches. */
    void outputs(Output[] next) {
        this.outputs = next;
    }

    /** Replaces the allow list; called on the event loop. */
    void allow(List<Cidr> next) {
        this.allow = List.copyOf(next);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        if (!allow.isEmpty() && !allowed(packet.sender().getAddress())) {
            stats.denied(packet.sender().getAddress());
            packet.release();
            return;
        }
        batch.add(packet);
        if (batch.size() >= MAX_BATCH) {
            fanOut(ctx);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        fanOut(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stats.inputError();
        log.debug("route {}: receive error", route, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseBatch();
        ctx.fireChannelInactive();
    }

    /** Whether the allow list accepts {@code source} (an empty list accepts any). On the event loop. */
    boolean permits(InetAddress source) {
        return allow.isEmpty() || allowed(source);
    }

    private boolean allowed(InetAddress source) {
        for (Cidr c : allow) {
            if (c.contains(source)) {
                return true;
            }
        }
        return false;
    }

    private void fanOut(ChannelHandlerContext ctx) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        if (sizes.length < n) {
            sizes = new int[Math.max(n, 2 * sizes.length)];
        }
        int total = 0;
        for (int i = 0; i < n; i++) {
            sizes[i] = batch.get(i).content().readableBytes();
            total += sizes[i];
        }
        // One copy of the batch, end to end, shared by every output. The received buffers are recvmmsg's slots
        // (1 MiB a call): a copy waiting in a slow output's queue must hold its own bytes, not a whole slot buffer.
        // The copy also lays runs of equal-size datagrams out contiguously, ready for UDP GSO.
        ByteBuf compact = ctx.alloc().directBuffer(Math.max(total, 1));
        for (int i = 0; i < n; i++) {
            ByteBuf c = batch.get(i).content();
            compact.writeBytes(c, c.readerIndex(), sizes[i]);
        }
        releaseBatch();
        long now = System.currentTimeMillis();
        stats.received(n, total, now);
        Output[] outs = outputs;
        try {
            if (n == 1) {
                if (sizes[0] > 0) {
                    for (Output out : outs) {
                        out.write(compact, 0, sizes[0]);
                    }
                }
            } else if (gsoMaxSegment > 0 && anyGso(outs)) {
                sendRuns(compact, n, outs);
            } else {
                for (Output out : outs) {
                    sendEach(compact, out, 0, 0, n);
                }
            }
            for (Output out : outs) {
                out.flush(now);
            }
        } finally {
            compact.release();
        }
    }

    private static boolean anyGso(Output[] outs) {
        for (Output out : outs) {
            if (out.gso()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Datagrams [from, to), the first at byte {@code offset} of {@code compact}, to {@code out} one by one. An empty
     * datagram (counted as received) is not sent: it carries nothing, and epoll's sendmmsg sent a batched empty
     * datagram as a second copy of the one before it.
     */
    private void sendEach(ByteBuf compact, Output out, int offset, int from, int to) {
        for (int i = from; i < to; i++) {
            if (sizes[i] > 0) {
                out.write(compact.retainedSlice(offset, sizes[i]));
            }
            offset += sizes[i];
        }
    }

    /**
     * Splits the batch into runs (see {@link GsoRuns}) and sends each run of two or more as one slice of the compact
     * copy per GSO output; outputs without GSO get the run's datagrams one by one.
     */
    private void sendRuns(ByteBuf compact, int n, Output[] outs) {
        int offset = 0;
        int i = 0;
        while (i < n) {
            int j = GsoRuns.end(k -> sizes[k], i, n, gsoMaxSegment);
            int runBytes = 0;
            for (int k = i; k < j; k++) {
                runBytes += sizes[k];
            }
            for (Output out : outs) {
                if (j - i > 1 && out.gso()) {
                    out.writeRun(compact.retainedSlice(offset, runBytes), sizes[i], j - i);
                } else {
                    sendEach(compact, out, offset, i, j);
                }
            }
            offset += runBytes;
            i = j;
        }
    }

    private void releaseBatch() {
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).release();
        }
        batch.clear();
    }
}
