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
 * <li>a consumer catching up on a backlog: datagrams read per second and per CPU-second;</li>
 * <li>100 cameras of 380 datagrams/s (4 Mbit/s) in one relay, with UDP outputs, then UDP and Kafka outputs: CPU per
 * datagram and cores;</li>
 * <li>the highest rate, among those given, at which camera -> relay -> Kafka -> relay -> UDP delivers every datagram
 * (1316 bytes) in order, with the Kafka output's and the Kafka input's CPU per datagram at each rate.</li>
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
            catchUp(broker, 50_000);
            for (String outputs : List.of("udp", "kafka", "udp+kafka")) {
                manyCameras(broker, MANY, MANY_RATE, Math.max(seconds, 5), outputs);
            }
            int best = 0;
            for (int rate : rates) {
                String topic = "rate" + rate;
                broker.createTopic(topic, 1);
                long sent;
                long received;
                long outOfOrder;
                long producerNanos;
                long consumerNanos;
                try (Receiver sink = new Receiver();
                        Relay in = Cameras.relay("out", "kafka://" + broker.bootstrap() + "/" + topic
                                + "?group=bench&from=earliest", sink.url());
                        Relay out = Cameras.relay("cam", "udp://127.0.0.1:0", "kafka://" + broker.bootstrap() + "/"
                                + topic)) {
                    Thread.sleep(3_000); // the consumer joins its group
                    long producerBefore = cpu(PRODUCER_THREADS);
                    long consumerBefore = cpu(CONSUMER_THREADS);
                    Run run = send(out.route("cam").localAddress(), rate, seconds, sink);
                    long deadline = System.nanoTime() + 15_000_000_000L;
                    while (sink.count.get() < run.sent && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    producerNanos = cpu(PRODUCER_THREADS) - producerBefore;
                    consumerNanos = cpu(CONSUMER_THREADS) - consumerBefore;
                    sent = run.sent;
                    received = sink.count.get();
                    outOfOrder = sink.outOfOrder.get();
                }
                boolean clean = received == sent && outOfOrder == 0;
                if (clean) {
                    best = rate;
                }
                System.out.printf(Locale.ROOT, "{\"run\": \"through-kafka\", \"rate\": %d, \"seconds\": %.1f,"
                        + " \"sent\": %d, \"received\": %d, \"out_of_order\": %d, \"lossless\": %b,"
                        + " \"kafka_output_cpu_us_per_datagram\": %.2f, \"kafka_input_cpu_us_per_datagram\": %.2f}%n",
                        rate, seconds, sent, received, outOfOrder, clean, producerNanos / 1000.0 / Math.max(1, sent),
                        consumerNanos / 1000.0 / Math.max(1, received));
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

    /** Cameras in the many-cameras run, and each one's datagrams per second (a 4 Mbit/s camera: about 380). */
    private static final int MANY = Integer.getInteger("bench.cameras", 100);
    private static final int MANY_RATE = Integer.getInteger("bench.cameraRate", 380);

    /**
     * {@code cameras} routes in one relay, each a camera of {@code perCamera} datagrams/s, each sent to one UDP
     * output, or to one UDP output and a Kafka output (one topic of 12 partitions, key = route): the relay's CPU
     * (event loops, Kafka outputs' threads, producers' network threads) per datagram and in cores, after a warm-up
     * of the same length.
     */
    private static void manyCameras(KafkaBroker broker, int cameras, int perCamera, double seconds, String outputs)
            throws Exception {
        boolean kafka = outputs.contains("kafka");
        boolean udp = outputs.contains("udp");
        String topic = "many-" + outputs.replace('+', '-');
        broker.createTopic(topic, 12);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < cameras; i++) {
            names.add("cam" + i);
        }
        try (Receiver sink = new Receiver()) {
            java.util.Map<String, io.streamtee.relay.config.RouteConfig> routes = new java.util.LinkedHashMap<>();
            for (String n : names) {
                List<String> outs = new ArrayList<>();
                if (udp) {
                    outs.add(sink.url());
                }
                if (kafka) {
                    outs.add("kafka://" + broker.bootstrap() + "/" + topic);
                }
                routes.put(n, io.streamtee.relay.config.RouteConfig.of("udp://127.0.0.1:0", List.of(), outs));
            }
            try (Relay relay = new Relay(io.streamtee.relay.config.ConfigLoader.check(
                    new io.streamtee.relay.config.RelayConfig(routes, "0", null))).start()) {
                List<InetSocketAddress> to = new ArrayList<>();
                for (String n : names) {
                    to.add(relay.route(n).localAddress());
                }
                sendAll(to, perCamera, seconds); // warm-up
                long sinkBefore = sink.count.get();
                long cpuBefore = relayCpu();
                long start = System.nanoTime();
                long sent = sendAll(to, perCamera, seconds);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (udp && sink.count.get() - sinkBefore < sent && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                while (kafka && kafkaRecords(relay, names, udp ? 1 : 0) < 2 * sent && System.nanoTime() < deadline) {
                    Thread.sleep(20); // the warm-up's and the run's
                }
                long wall = System.nanoTime() - start;
                long cpuNanos = relayCpu() - cpuBefore;
                long kafkaDropped = 0;
                long kafkaRecords = 0;
                for (String n : names) {
                    var stats = relay.route(n).outputStats();
                    if (kafka) {
                        var out = stats.get(udp ? 1 : 0);
                        kafkaDropped += out.snapshot().dropped();
                        kafkaRecords += out.counters().getOrDefault("records", 0L);
                    }
                }
                System.out.printf(Locale.ROOT, "{\"run\": \"many-cameras\", \"outputs\": \"%s\", \"cameras\": %d,"
                        + " \"rate_per_camera\": %d, \"sent\": %d, \"received_udp\": %d, \"kafka_dropped\": %d,"
                        + " \"cpu_us_per_datagram\": %.2f, \"cores\": %.3f, \"threads\": %d%s}%n",
                        outputs, cameras, perCamera, sent, sink.count.get() - sinkBefore, kafkaDropped,
                        cpuNanos / 1000.0 / Math.max(1, sent), cpuNanos / (double) (long) (seconds * 1e9),
                        Thread.activeCount(), kafka ? String.format(Locale.ROOT,
                                ", \"kafka_records\": %d, \"stored_bytes_per_record\": %.1f", kafkaRecords,
                                topicBytes(broker, topic) / (double) Math.max(1, kafkaRecords)) : "");
            }
        }
    }

    private static long kafkaRecords(Relay relay, List<String> names, int output) {
        long sum = 0;
        for (String n : names) {
            sum += relay.route(n).outputStats().get(output).counters().getOrDefault("records", 0L);
        }
        return sum;
    }

    /** The bytes of {@code topic}'s logs on the broker (records, batch headers, indexes aside). */
    private static long topicBytes(KafkaBroker broker, String topic) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", broker.bootstrap()))) {
            long sum = 0;
            for (var dirs : admin.describeLogDirs(List.of(0)).allDescriptions().get().values()) {
                for (var dir : dirs.values()) {
                    for (var e : dir.replicaInfos().entrySet()) {
                        if (e.getKey().topic().equals(topic)) {
                            sum += e.getValue().size();
                        }
                    }
                }
            }
            return sum;
        }
    }

    /** Sends 1316-byte datagrams to each of {@code to} in turn, {@code perCamera}/s each, for {@code seconds}. */
    private static long sendAll(List<InetSocketAddress> to, int perCamera, double seconds) throws Exception {
        long rate = (long) perCamera * to.size();
        long total = (long) (rate * seconds);
        byte[] d = new byte[SIZE];
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            long start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = start + i * 1_000_000_000L / rate;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                ByteBuffer.wrap(d).putLong(0, i / to.size());
                ch.send(ByteBuffer.wrap(d), to.get((int) (i % to.size())));
            }
        }
        return total;
    }

    /** The Kafka output's own thread and its producer's network thread. */
    private static final String[] PRODUCER_THREADS = {"kafka-out-", "kafka-producer-network-thread | streamtee-"};
    /** The Kafka input's thread (it polls: fetches, hands on, commits) and its consumer's heartbeat thread. */
    private static final String[] CONSUMER_THREADS = {"kafka-in-", "kafka-coordinator-heartbeat-thread"};

    /**
     * A consumer catching up: {@code count} datagrams written to a topic first, then one relay reads them from the
     * start as fast as it can and sends each to a UDP socket; wall time and CPU of the whole relay (its event loop,
     * the input's thread, the heartbeat thread) until it has read them all: datagrams per CPU-second is what one core
     * of consumers takes.
     */
    private static void catchUp(KafkaBroker broker, int count) throws Exception {
        broker.createTopic("backlog", 1);
        broker.writeDatagrams("backlog", "cam", new byte[count * SIZE], SIZE);
        try (Receiver sink = new Receiver()) {
            long cpuBefore = cpu("relay-", "kafka-in-", "kafka-coordinator-heartbeat-thread");
            long start = System.nanoTime();
            try (Relay in = Cameras.relay("out", "kafka://" + broker.bootstrap() + "/backlog?group=catchup"
                    + "&from=earliest", sink.url())) {
                long deadline = start + 60_000_000_000L;
                while (in.route("out").stats().inputCounters().getOrDefault("records", 0L) < count
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                long wall = System.nanoTime() - start;
                long cpuNanos = cpu("relay-", "kafka-in-", "kafka-coordinator-heartbeat-thread") - cpuBefore;
                long read = in.route("out").stats().inputCounters().getOrDefault("records", 0L);
                System.out.printf(Locale.ROOT, "{\"run\": \"catch-up\", \"datagrams\": %d, \"read\": %d,"
                        + " \"seconds\": %.2f, \"datagrams_per_second\": %.0f, \"cpu_us_per_datagram\": %.2f,"
                        + " \"datagrams_per_cpu_second\": %.0f}%n", count, read, wall / 1e9, read * 1e9 / wall,
                        cpuNanos / 1000.0 / Math.max(1, read), read * 1e9 / Math.max(1, cpuNanos));
            }
        }
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
        return cpu("relay-", "kafka-out-", "kafka-in-", "kafka-producer-network-thread | streamtee-");
    }

    /** CPU time of the live threads whose names start with one of {@code prefixes}. */
    private static long cpu(String... prefixes) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            for (String p : prefixes) {
                if (t.getName().startsWith(p)) {
                    sum += Math.max(0, mx.getThreadCpuTime(t.threadId()));
                    break;
                }
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
