package io.streamtee.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Apache Kafka broker for tests: one KRaft node, broker and controller combined, started in the test's JVM
 * from Kafka's own artifacts ({@link KafkaClusterTestKit}) on free loopback ports, its logs in a temporary
 * directory deleted on close. Other modules' tests use it through this module's test jar.
 */
public final class KafkaBroker implements AutoCloseable {
    private static KafkaBroker shared;

    /** The SASL user that may do anything on {@link #startSasl()}'s broker, and its password. */
    static final String ADMIN = JaasUtils.KAFKA_PLAIN_ADMIN;
    static final String ADMIN_PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;
    /** A SASL user {@link #startSasl()}'s broker knows but lets do nothing (no ACL), and its password. */
    static final String NOBODY = JaasUtils.KAFKA_PLAIN_USER1;
    static final String NOBODY_PASSWORD = JaasUtils.KAFKA_PLAIN_USER1_PASSWORD;

    private final KafkaClusterTestKit cluster;
    /** The properties this fixture's own clients (admin, writer) need to connect: SASL's on a SASL broker. */
    private final Map<String, Object> client;

    private KafkaBroker(KafkaClusterTestKit cluster, Map<String, Object> client) {
        this.cluster = cluster;
        this.client = client;
    }

    public static KafkaBroker start() throws Exception {
        return start(SecurityProtocol.PLAINTEXT);
    }

    /**
     * A broker whose clients (and controller) must log in with SASL PLAIN: {@link #ADMIN} may do
     * anything, {@link #NOBODY} is known and allowed nothing (Kafka's ACL authorizer, no ACL), others are refused.
     */
    static KafkaBroker startSasl() throws Exception {
        return start(SecurityProtocol.SASL_PLAINTEXT);
    }

    /**
     * A broker whose clients must connect with TLS (its controller listener stays plain): its certificate, for
     * {@code localhost} and {@code 127.0.0.1}, made now with the JDK's keytool in {@code dir}, where
     * {@code dir/ca.pem} is the certificate a client must trust.
     */
    static KafkaBroker startTls(Path dir) throws Exception {
        Path keystore = dir.resolve("broker.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "broker-secret", "-keypass", "broker-secret");
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass",
                "broker-secret", "-file", dir.resolve("ca.pem").toString());
        // the test kit sets up PLAINTEXT and SASL_PLAINTEXT listeners only; its protocol map yields to one given
        return start(SecurityProtocol.PLAINTEXT, Map.of("listener.security.protocol.map",
                "EXTERNAL:SSL,CONTROLLER:PLAINTEXT", "ssl.keystore.location", keystore.toString(),
                "ssl.keystore.password", "broker-secret", "ssl.key.password", "broker-secret",
                "ssl.keystore.type", "PKCS12", "ssl.truststore.type", "PEM", "ssl.truststore.location",
                dir.resolve("ca.pem").toString()), Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM",
                "ssl.truststore.location", dir.resolve("ca.pem").toString()));
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }

    private static KafkaBroker start(SecurityProtocol protocol) throws Exception {
        Map<String, Object> client = protocol == SecurityProtocol.PLAINTEXT ? Map.of() : Map.of(
                "security.protocol", protocol.name, "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                        + "\" password=\"" + ADMIN_PASSWORD + "\";");
        return start(protocol, Map.of(), client);
    }

    private static KafkaBroker start(SecurityProtocol protocol, Map<String, String> brokerProps,
            Map<String, Object> client) throws Exception {
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                .setBrokerSecurityProtocol(protocol).setControllerSecurityProtocol(protocol).build());
        brokerProps.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder
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
        return new KafkaBroker(cluster, client);
    }

    private Map<String, Object> client(Map<String, Object> more) {
        Map<String, Object> all = new HashMap<>(client);
        all.putAll(more);
        all.put("bootstrap.servers", bootstrap());
        return all;
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
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client(Map.of("acks", "all")),
                new ByteArraySerializer(), new ByteArraySerializer())) {
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
        try (Admin admin = Admin.create(client(Map.of()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
