package io.streamtee.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Turns the bytes of one stream connection into the datagrams the {@link FanOut} after it expects: each datagram cut
 * by the {@link StreamFramer} goes on as a {@link DatagramPacket} from the connection's remote address (which the
 * allow list checks) to its local address, and each read batch ends with {@code channelReadComplete}, as on a UDP
 * input. Messages that are not {@link ByteBuf}s pass through.
 */
final class StreamDecoder extends ChannelInboundHandlerAdapter {
    private final StreamFramer framer;
    private Consumer<ByteBuf> emit;

    StreamDecoder(StreamFramer framer) {
        this.framer = framer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        emit = datagram -> ctx.fireChannelRead(new DatagramPacket(datagram,
                (InetSocketAddress) ctx.channel().localAddress(), (InetSocketAddress) ctx.channel().remoteAddress()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            framer.feed(bytes, ctx.alloc(), emit);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        framer.endOfBatch(emit);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        framer.endOfBatch(emit);
        ctx.fireChannelReadComplete();
        framer.release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        framer.release();
    }
}
