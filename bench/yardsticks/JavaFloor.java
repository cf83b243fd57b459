import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * javafloor: the least a relay on this JVM can do per datagram, as a yardstick for streamtee at camera rates. One
 * thread: a blocking receive into one direct buffer, then one write per output on a socket connected to it; no
 * framework, no event loop, no counters, no copy. It is what samplicator does (recvfrom in, one send per output), in
 * Java: the distance from it to samplicator is the JVM's own cost per wake-up (JNI, NIO's locks and blocking
 * bookkeeping, code and data that sleep cold between datagrams), which no relay on this JVM can go below.
 *
 * <p>With {@code --select} (javaselect) it waits in epoll instead, as an event loop does (an NIO {@link Selector}),
 * and then receives without blocking until the socket is empty: the least an event-loop relay on this JVM costs.
 *
 * <p>Usage: {@code java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 JavaFloor.java [--select] LISTEN_PORT HOST:PORT...}
 * (bench/relay-rates.sh compiles it and runs it with the relay's JVM options; JAVA_FLOOR=1 there).
 */
public final class JavaFloor {
    public static void main(String[] args) throws Exception {
        boolean select = args.length > 0 && args[0].equals("--select");
        int first = select ? 1 : 0;
        if (args.length - first < 2) {
            System.err.println("usage: JavaFloor [--select] LISTEN_PORT HOST:PORT...");
            System.exit(2);
        }
        DatagramChannel in = DatagramChannel.open();
        in.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
        in.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[first])));
        DatagramChannel[] outs = new DatagramChannel[args.length - first - 1];
        for (int i = 0; i < outs.length; i++) {
            String to = args[first + 1 + i];
            int colon = to.lastIndexOf(':');
            outs[i] = DatagramChannel.open();
            outs[i].connect(new InetSocketAddress(to.substring(0, colon), Integer.parseInt(to.substring(colon + 1))));
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
        if (!select) {
            while (true) {
                buffer.clear();
                in.receive(buffer);
                send(buffer, outs);
            }
        }
        in.configureBlocking(false);
        for (DatagramChannel out : outs) {
            out.configureBlocking(false);
        }
        Selector selector = Selector.open();
        in.register(selector, SelectionKey.OP_READ);
        while (true) {
            selector.select();
            selector.selectedKeys().clear();
            while (true) {
                buffer.clear();
                if (in.receive(buffer) == null) {
                    break;
                }
                send(buffer, outs);
            }
        }
    }

    private static void send(ByteBuffer buffer, DatagramChannel[] outs) {
        buffer.flip();
        for (DatagramChannel out : outs) {
            try {
                out.write(buffer.duplicate()); // non-blocking with --select: a full send buffer drops, as a relay's would
            } catch (IOException refused) {
                // nobody listens there (ICMP port unreachable): as samplicator, carry on
            }
        }
    }
}
