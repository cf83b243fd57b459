package io.streamtee.kafka;

import static io.streamtee.kafka.Cameras.assertSameInOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.Endpoint;
import io.streamtee.relay.Relay;
import io.streamtee.relay.output.DatagramOutput;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that takes TLS only, with a self-signed certificate (a real broker in this JVM): {@code ca=FILE} trusts
 * it, end to end; without it the JVM's authorities do not, and that is one line, counted, retried.
 */
@Timeout(120)
class KafkaTlsTest {
    @TempDir
    static Path dir;
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.startTls(dir);
        broker.createTopic("sealed", 1);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void withTheBrokersCertificateAuthorityEveryDatagramGoesThroughEncrypted() throws Exception {
        String ca = dir.resolve("ca.pem").toString();
        List<byte[]> sent = Cameras.datagrams(0, 0, 300);
        try (UdpReceiver consumer = UdpReceiver.open("127.0.0.1");
                Relay toKafka = Cameras.relay("cam", "udp://127.0.0.1:0", "kafka://" + broker.bootstrap()
                        + "/sealed?ca=" + ca);
                Relay fromKafka = Cameras.relay("replay", "kafka://" + broker.bootstrap()
                        + "/sealed?group=players&from=earliest&tls=true&ca=" + ca, consumer.url());
                UdpSender camera = UdpSender.to(toKafka.route("cam").localAddress())) {
            camera.sendPaced(sent, 64, consumer::count);
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.count() >= sent.size());
            assertSameInOrder(consumer.datagrams(), sent);
        }
    }

    @Test
    void aCertificateTheClientDoesNotTrustIsOneLineCountedAndRetried() throws Exception {
        DatagramOutput out = new KafkaOutputFactory().start("cam", Endpoint.parse("kafka://" + broker.bootstrap()
                + "/sealed?tls=true&producer.max.block.ms=500", Endpoint.Role.OUTPUT));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                out.offer(new byte[1316]);
                return out.counters().get("errors.refused") >= 2;
            });
            assertThat(((KafkaOutput) out).trouble()).startsWith("refused by the broker (authentication or"
                    + " authorization) (SSL handshake failed").doesNotContain("\n");
            assertThat(out.counters().get("records")).isZero();
        } finally {
            out.close();
        }
    }
}
