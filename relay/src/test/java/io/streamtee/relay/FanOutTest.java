package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.streamtee.config.Cidr;
import io.streamtee.config.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The fan-out handler with no sockets: embedded channels stand in for the input and the outputs. */
class FanOutTest {
    private static final InetSocketAddress CAMERA = new InetSocketAddress("10.0.0.7", 5000);
    private static final InetSocketAddress OTHER = new InetSocketAddress("10.9.9.9", 5000);

    private final List<EmbeddedChannel> outChannels = new ArrayList<>();
    private final RouteStats routeStats = new RouteStats();

    private EmbeddedChannel input(boolean gso, int outputs, List<Cidr> allow) {
        UdpOutput[] outs = new UdpOutput[outputs];
        for (int i = 0; i < outputs; i++) {
            EmbeddedChannel ch = new EmbeddedChannel();
            outChannels.add(ch);
            Endpoint e = Endpoint.parse("127.0.0.1:" + (9000 + i), Endpoint.Role.OUTPUT);
            outs[i] = UdpOutput.over(ch, "t", e, new OutputStats(e.url()), gso);
        }
        return new EmbeddedChannel(new FanOut("t", allow, routeStats, outs, gso ? GsoRuns.AUTO_MAX_SEGMENT : 0));
    }

    private static List<byte[]> payloads(int... sizes) {
        Random r = new Random(1);
        List<byte[]> out = new ArrayList<>();
        for (int s : sizes) {
            byte[] b = new byte[s];
            r.nextBytes(b);
            out.add(b);
        }
        return out;
    }

    /** Writes one read batch into the input, as the receive loop would, and returns the buffers it used. */
    private static List<ByteBuf> receive(EmbeddedChannel in, List<byte[]> datagrams, InetSocketAddress from) {
        List<ByteBuf> bufs = new ArrayList<>();
        Object[] packets = new Object[datagrams.size()];
        for (int i = 0; i < packets.length; i++) {
            ByteBuf b = Unpooled.directBuffer(datagrams.get(i).length).writeBytes(datagrams.get(i));
            bufs.add(b);
            packets[i] = new DatagramPacket(b, new InetSocketAddress("127.0.0.1", 8100), from);
        }
        in.writeInbound(packets);
        return bufs;
    }

    /** Everything an output channel was given, as the datagrams the kernel would send. */
    private static List<byte[]> sent(EmbeddedChannel out) {
        List<byte[]> got = new ArrayList<>();
        for (Object m; (m = out.readOutbound()) != null; ) {
            if (m instanceof SegmentedDatagramPacket seg) {
                ByteBuf c = seg.content();
                while (c.isReadable()) {
                    byte[] b = new byte[Math.min(seg.segmentSize(), c.readableBytes())];
                    c.readBytes(b);
                    got.add(b);
                }
                seg.release();
            } else {
                ByteBuf c = (ByteBuf) m;
                byte[] b = new byte[c.readableBytes()];
                c.readBytes(b);
                got.add(b);
                c.release();
            }
        }
        return got;
    }

    @Test
    void everyOutputGetsEveryDatagramAndEveryBufferIsReleased() {
        EmbeddedChannel in = input(false, 3, List.of());
        List<byte[]> batch = payloads(1, 1316, 1316, 65_507, 188, 1316);
        List<ByteBuf> bufs = receive(in, batch, CAMERA);
        for (EmbeddedChannel out : outChannels) {
            assertThat(sent(out)).containsExactlyElementsOf(batch);
        }
        assertThat(bufs).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(routeStats.snapshot().datagrams()).isEqualTo(6);
    }

    @Test
    void gsoSendsRunsAsOneBufferPerOutputAndTheKernelWouldSplitThemBack() {
        Assumptions.assumeTrue(Epoll.isAvailable(), "UDP GSO packets need the epoll transport");
        EmbeddedChannel in = input(true, 2, List.of());
        List<byte[]> batch = payloads(1316, 1316, 1316, 700, 1316, 1316, 9000, 188);
        List<ByteBuf> bufs = receive(in, batch, CAMERA);
        for (EmbeddedChannel out : outChannels) {
            List<Object> raw = new ArrayList<>(out.outboundMessages());
            // [1316 x3 + 700] [1316 x2] [9000] [188]
            assertThat(raw).hasSize(4);
            assertThat(raw.get(0)).isInstanceOf(SegmentedDatagramPacket.class);
            assertThat(((SegmentedDatagramPacket) raw.get(0)).segmentSize()).isEqualTo(1316);
            assertThat(((SegmentedDatagramPacket) raw.get(0)).content().readableBytes()).isEqualTo(3 * 1316 + 700);
            assertThat(raw.get(2)).isInstanceOf(ByteBuf.class);
            assertThat(sent(out)).containsExactlyElementsOf(batch);
        }
        assertThat(bufs).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void aCopyWaitingInAStalledOutputHoldsItsOwnBytesNotTheReceiveBuffer() {
        io.netty.buffer.UnpooledByteBufAllocator alloc = new io.netty.buffer.UnpooledByteBufAllocator(true);
        EmbeddedChannel in = input(false, 1, List.of());
        in.config().setAllocator(alloc);
        List<ByteBuf> slots = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            // as recvmmsg delivers a lone datagram: a slice of a 1 MiB receive buffer
            ByteBuf slot = Unpooled.directBuffer(1 << 20).writeZero(1 << 20);
            slots.add(slot);
            ByteBuf datagram = slot.retainedSlice(0, 1316);
            slot.release();
            in.writeInbound(new DatagramPacket(datagram, new InetSocketAddress("127.0.0.1", 8100), CAMERA));
        }
        // The output never sends: all 100 copies wait in its queue, yet no receive buffer is held.
        assertThat(outChannels.get(0).outboundMessages()).hasSize(100);
        assertThat(slots).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(alloc.metric().usedDirectMemory()).isLessThan(100 * 4096);
        sent(outChannels.get(0));
        assertThat(alloc.metric().usedDirectMemory()).isZero();
    }

    @Test
    void sourcesOutsideTheAllowListAreCountedAndDropped() {
        EmbeddedChannel in = input(false, 1, List.of(Cidr.parse("10.0.0.0/24")));
        List<ByteBuf> denied = receive(in, payloads(100, 100), OTHER);
        List<byte[]> ok = payloads(200);
        receive(in, ok, CAMERA);
        assertThat(sent(outChannels.get(0))).containsExactlyElementsOf(ok);
        assertThat(denied).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(routeStats.snapshot().denied()).isEqualTo(2);
        assertThat(routeStats.lastDeniedSource()).isEqualTo(OTHER.getAddress());
    }
}
