package io.streamtee.kafka;

import io.streamtee.relay.Relay;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Kafka benchmark behind {@code bench/kafka-bench.sh} (not a test: run by hand, on a quiet machine): an
 * in-process KRaft broker, then
 * <ol>
 * <li>CPU per datagram of a relay route with one UDP output, and of the same route with a Kafka output as well,
 * each after a warm-up run of the same length
 * (the CPU time of the relay's event loops, the Kafka output's thread and its producer's network thread, per
 * datagram; the difference is the Kafka output's cost);</li>
 * <li>the highest rate, among those given, at which camera -> relay -> Kafka -> relay -> UDP delivers every datagram
 * (1316 bytes) in order.</li>
 * </ol>
 * Prints one JSON line per run. Arguments: {@code rates} (comma-separated datagrams/s), {@code seconds} per run.
 */
public final class KafkaBench {
    private static final int SIZE = 1316;

    private KafkaBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> rates = new ArrayList<>();
        for (String r : (args.length > 0 ? args[0] : "2000,5000,10000,20000").split(",")) {
            rates.add(Integer.parseInt(r.strip()));
        }
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        try (KafkaBroker broker = KafkaBroker.start()) {
            int cpuRate = rates.get(0);
            for (boolean withKafka : new boolean[] {false, true}) {
                String topic = "cpu" + (withKafka ? 1 : 0);
                broker.createTopic(topic, 1);
                try (Receiver sink = new Receiver()) {
                    String[] outs = withKafka ? new String[] {sink.url(), "kafka://" + broker.bootstrap() + "/" + topic}
                            : new String[] {sink.url()};
                    try (Relay relay = Cameras.relay("cam", "udp://127.0.0.1:0", outs)) {
                        send(relay.route("cam").localAddress(), cpuRate, seconds, sink); // warm-up (JIT)
                        long before = sink.count.get();
                        Run run = send(relay.route("cam").localAddress(), cpuRate, seconds, sink);
                        System.out.printf(Locale.ROOT, "{\"run\": \"cpu\", \"outputs\": \"%s\", \"rate\": %d,"
                                + " \"sent\": %d, \"received\": %d, \"cpu_us_per_datagram\": %.2f}%n",
                                withKafka ? "udp+kafka" : "udp", cpuRate, run.sent, sink.count.get() - before,
                                run.cpuNanos / 1000.0 / Math.max(1, run.sent));
                    }
                }
            }
            int best = 0;
            for (int rate : rates) {
                String topic = "rate" + rate;
                broker.createTopic(topic, 1);
                long sent;
                long received;
                long outOfOrder;
                try (Receiver sink = new Receiver();
                        Relay in = Cameras.relay("out", "kafka://" + broker.bootstrap() + "/" + topic
                                + "?group=bench&from=earliest", sink.url());
                        Relay out = Cameras.relay("cam", "udp://127.0.0.1:0", "kafka://" + broker.bootstrap() + "/"
                                + topic)) {
                    Thread.sleep(3_000); // the consumer joins its group
                    Run run = send(out.route("cam").localAddress(), rate, seconds, sink);
                    long deadline = System.nanoTime() + 15_000_000_000L;
                    while (sink.count.get() < run.sent && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    sent = run.sent;
                    received = sink.count.get();
                    outOfOrder = sink.outOfOrder.get();
                }
                boolean clean = received == sent && outOfOrder == 0;
                if (clean) {
                    best = rate;
                }
                System.out.printf(Locale.ROOT, "{\"run\": \"through-kafka\", \"rate\": %d, \"seconds\": %.1f,"
                        + " \"sent\": %d, \"received\": %d, \"out_of_order\": %d, \"lossless\": %b}%n",
                        rate, seconds, sent, received, outOfOrder, clean);
                if (!clean) {
                    break;
                }
            }
            System.out.printf(Locale.ROOT, "{\"run\": \"summary\", \"highest_lossless_rate\": %d}%n", best);
        }
        System.exit(0);
    }

    private record Run(long sent, long cpuNanos) {
    }

    /** Sends numbered 1316-byte datagrams at {@code rate}/s for {@code seconds}; CPU of the relay's threads. */
    private static Run send(InetSocketAddress to, int rate, double seconds, Receiver sink) throws Exception {
        long total = (long) (rate * seconds);
        long base = sink.count.get();
        byte[] d = new byte[SIZE];
        long cpuBefore = relayCpu();
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            long start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = start + i * 1_000_000_000L / rate;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                ByteBuffer.wrap(d).putLong(0, i);
                ch.send(ByteBuffer.wrap(d), to);
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sink.count.get() - base < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return new Run(total, relayCpu() - cpuBefore);
    }

    /** CPU time of the relay's event loops, the Kafka outputs' threads and their producers' network threads. */
    private static long relayCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (n.startsWith("relay-") || n.startsWith("kafka-out-") || n.startsWith("kafka-in-")
                    || n.startsWith("kafka-producer-network-thread | streamtee-")) {
                long c = mx.getThreadCpuTime(t.threadId());
                sum += Math.max(0, c);
            }
        }
        return sum;
    }

    /** Counts the numbered datagrams it receives and those out of order. */
    private static final class Receiver implements AutoCloseable {
        final AtomicLong count = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        private final DatagramChannel ch;
        private final Thread thread;

        Receiver() throws Exception {
            ch = DatagramChannel.open(StandardProtocolFamily.INET);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = Thread.ofPlatform().daemon().name("bench-sink").start(this::run);
        }

        String url() throws Exception {
            return "udp://127.0.0.1:" + ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }

        private void run() {
            ByteBuffer b = ByteBuffer.allocate(65_536);
            long last = -1;
            while (ch.isOpen()) {
                try {
                    b.clear();
                    ch.receive(b);
                    long n = b.getLong(0);
                    if (n <= last) {
                        outOfOrder.incrementAndGet();
                    }
                    last = n;
                    count.incrementAndGet();
                } catch (Exception e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws Exception {
            ch.close();
            thread.join(1_000);
        }
    }
}
