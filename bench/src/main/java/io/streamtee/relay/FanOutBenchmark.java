package io.streamtee.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.streamtee.config.Endpoint;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The relay's hot path without the kernel: one read batch of 1,316-byte datagrams (7 MPEG-TS packets) handed to
 * {@link FanOut} and queued on every output, with and without UDP GSO runs. Embedded channels stand in for the
 * sockets, so this measures streamtee's own cost per datagram; the system calls are measured by relaybench.
 *
 * <pre>bin/bench FanOutBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FanOutBenchmark {
    private static final int BATCH = 32;
    private static final InetSocketAddress CAMERA = new InetSocketAddress("127.0.0.1", 5000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 8100);

    @Param({"1", "3", "8"})
    public int outputs;

    @Param({"true", "false"})
    public boolean gso;

    private EmbeddedChannel input;
    private EmbeddedChannel[] outs;
    private final Object[] packets = new Object[BATCH];
    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @Setup
    public void setUp() {
        outs = new EmbeddedChannel[outputs];
        UdpOutput[] udp = new UdpOutput[outputs];
        for (int i = 0; i < outputs; i++) {
            outs[i] = new EmbeddedChannel();
            Endpoint e = Endpoint.parse("127.0.0.1:" + (9000 + i), Endpoint.Role.OUTPUT);
            udp[i] = UdpOutput.over(outs[i], "bench", e, new OutputStats(e.url()), gso);
        }
        input = new EmbeddedChannel(new FanOut("bench", List.of(), new RouteStats(), udp,
                gso ? GsoRuns.AUTO_MAX_SEGMENT : 0));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void fanOutOneBatch() {
        // As recvmmsg delivers them: slices of one receive buffer.
        ByteBuf received = alloc.directBuffer(BATCH * 1316);
        received.writerIndex(BATCH * 1316);
        for (int i = 0; i < BATCH; i++) {
            packets[i] = new DatagramPacket(received.retainedSlice(i * 1316, 1316), LOCAL, CAMERA);
        }
        received.release();
        input.writeInbound(packets);
        for (EmbeddedChannel out : outs) {
            for (Object m; (m = out.readOutbound()) != null; ) {
                ReferenceCountUtil.release(m);
            }
        }
    }
}
