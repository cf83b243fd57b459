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
 * one buffer per run of equal-size datagrams. The received buffers are shared by all outputs (a retained duplicate
 * each), never copied per output and never altered; each is released exactly once here.
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
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += batch.get(i).content().readableBytes();
        }
        long now = System.currentTimeMillis();
        stats.received(n, total, now);
        Output[] outs = outputs;
        try {
            boolean anyGso = false;
            for (Output out : outs) {
                anyGso |= out.gso();
            }
            if (anyGso && gsoMaxSegment > 0 && n > 1) {
                sendRuns(ctx, outs);
            } else {
                sendEach(outs, 0, n);
            }
            for (Output out : outs) {
                out.flush(now);
            }
        } finally {
            releaseBatch();
        }
    }

    /** Every datagram in [from, to) to every output, one by one (they still leave in one sendmmsg per output). */
    private void sendEach(Output[] outs, int from, int to) {
        for (Output out : outs) {
            for (int i = from; i < to; i++) {
                out.write(batch.get(i).content().retainedDuplicate());
            }
        }
    }

    /**
     * Splits the batch into runs (see {@link GsoRuns}) and sends each run of two or more as one buffer per GSO
     * output; a run is copied once into a contiguous buffer and that buffer is shared by all outputs.
     */
    private void sendRuns(ChannelHandlerContext ctx, Output[] outs) {
        int n = batch.size();
        int i = 0;
        while (i < n) {
            int size = batch.get(i).content().readableBytes();
            int j = GsoRuns.end(k -> batch.get(k).content().readableBytes(), i, n, gsoMaxSegment);
            int runBytes = 0;
            for (int k = i; k < j; k++) {
                runBytes += batch.get(k).content().readableBytes();
            }
            int count = j - i;
            if (count == 1) {
                sendEach(outs, i, j);
            } else {
                ByteBuf run = ctx.alloc().directBuffer(runBytes);
                try {
                    for (int k = i; k < j; k++) {
                        ByteBuf c = batch.get(k).content();
                        run.writeBytes(c, c.readerIndex(), c.readableBytes());
                    }
                    for (Output out : outs) {
                        if (out.gso()) {
                            out.writeRun(run.retainedDuplicate(), size, count);
                        } else {
                            for (int k = i; k < j; k++) {
                                out.write(batch.get(k).content().retainedDuplicate());
                            }
                        }
                    }
                } finally {
                    run.release();
                }
            }
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
