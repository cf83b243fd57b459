package io.streamtee.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Apache Kafka broker for tests: one KRaft node, broker and controller combined, started in the test's JVM
 * from Kafka's own artifacts ({@link KafkaClusterTestKit}) on free loopback ports, its logs in a temporary
 * directory deleted on close. Other modules' tests use it through this module's test jar.
 */
public final class KafkaBroker implements AutoCloseable {
    private static KafkaBroker shared;

    private final KafkaClusterTestKit cluster;

    private KafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static KafkaBroker start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false") // tests create theirs; an unknown one stays unknown
                .setConfigProp("num.partitions", "1")
                .setDeleteOnClose(true)
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new KafkaBroker(cluster);
    }

    /**
     * One broker for every test class of this JVM that asks (started on the first call, stopped when the JVM exits):
     * a few seconds saved per class. Each test uses topics of its own.
     */
    public static synchronized KafkaBroker shared() throws Exception {
        if (shared == null) {
            KafkaBroker broker = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    broker.close();
                } catch (Exception e) {
                    // the JVM is going: its temporary directory goes with the test's
                }
            }));
            shared = broker;
        }
        return shared;
    }

    /**
     * Writes {@code ts} to {@code topic} as the relay's Kafka output would: one record per datagram of {@code
     * datagram} bytes (the last one shorter), key {@code key}, acknowledged by the broker before this returns.
     */
    public void writeDatagrams(String topic, String key, byte[] ts, int datagram) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap(),
                "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int at = 0; at < ts.length; at += datagram) {
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                        Arrays.copyOfRange(ts, at, Math.min(ts.length, at + datagram))));
            }
            producer.flush();
        }
    }

    /** {@code host:port} of the broker, for a {@code kafka://} URL. */
    public String bootstrap() {
        return cluster.bootstrapServers();
    }

    /** Stops the broker (the controller stays up), as a broker restart begins. */
    void stopBroker() {
        cluster.brokers().values().forEach(b -> b.shutdown());
    }

    /** Starts the broker stopped by {@link #stopBroker()} again, on its data. */
    void startBroker() throws Exception {
        cluster.brokers().values().forEach(b -> b.startup());
        cluster.waitForReadyBrokers();
    }

    public void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
