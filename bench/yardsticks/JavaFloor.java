import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * javafloor: the least a relay on this JVM can do per datagram, as a yardstick for streamtee at camera rates. One
 * thread: a blocking receive into one direct buffer, then one write per output on a socket connected to it; no
 * framework, no event loop, no counters, no copy. It is what samplicator does (recvfrom in, one send per output), in
 * Java: the distance from it to samplicator is the JVM's own cost per wake-up (JNI, NIO's locks and blocking
 * bookkeeping, code and data that sleep cold between datagrams), which no relay on this JVM can go below.
 *
 * <p>Usage: {@code java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 JavaFloor.java LISTEN_PORT HOST:PORT...}
 * (bench/relay-rates.sh compiles it and runs it with the relay's JVM options; JAVA_FLOOR=1 there).
 */
public final class JavaFloor {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: JavaFloor LISTEN_PORT HOST:PORT...");
            System.exit(2);
        }
        DatagramChannel in = DatagramChannel.open();
        in.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
        in.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])));
        DatagramChannel[] outs = new DatagramChannel[args.length - 1];
        for (int i = 1; i < args.length; i++) {
            int colon = args[i].lastIndexOf(':');
            outs[i - 1] = DatagramChannel.open();
            outs[i - 1].connect(new InetSocketAddress(args[i].substring(0, colon),
                    Integer.parseInt(args[i].substring(colon + 1))));
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
        while (true) {
            buffer.clear();
            in.receive(buffer);
            buffer.flip();
            for (DatagramChannel out : outs) {
                try {
                    out.write(buffer.duplicate());
                } catch (java.io.IOException refused) {
                    // nobody listens there (ICMP port unreachable): as samplicator, carry on
                }
            }
        }
    }
}
