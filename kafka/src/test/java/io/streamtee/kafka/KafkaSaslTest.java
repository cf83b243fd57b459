package io.streamtee.kafka;

import static io.streamtee.kafka.Cameras.assertSameInOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.Relay;
import io.streamtee.relay.output.DatagramOutput;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A cluster that wants a login (SASL PLAIN, Kafka's ACL authorizer; a real broker in this JVM): a relay with the user
 * and password in its URLs writes and reads it, byte-identical and in order; a wrong password and a user allowed
 * nothing are each one clear line, counted, retried, never fatal; the password shows in no log line.
 */
@Timeout(120)
class KafkaSaslTest {
    private static KafkaBroker broker;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.startSasl();
        broker.createTopic("secure", 1);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    private static String url(String user, String password, String query) {
        return "kafka://" + user + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@"
                + broker.bootstrap() + "/secure" + query;
    }

    private void assertNoLogLineHas(String secret) {
        assertThat(List.copyOf(logs.list)).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getFormattedMessage()).doesNotContain(secret);
            if (e.getThrowableProxy() != null) {
                assertThat(e.getThrowableProxy().getMessage()).doesNotContain(secret);
            }
        });
    }

    @Test
    void theRightUserAndPasswordWriteAndReadTheClusterAndThePasswordIsNeverLogged() throws Exception {
        List<byte[]> sent = Cameras.datagrams(0, 0, 300);
        try (UdpReceiver consumer = UdpReceiver.open("127.0.0.1");
                Relay toKafka = Cameras.relay("cam", "udp://127.0.0.1:0",
                        url(KafkaBroker.ADMIN, KafkaBroker.ADMIN_PASSWORD, "?sasl=plain"));
                Relay fromKafka = Cameras.relay("replay", url(KafkaBroker.ADMIN, KafkaBroker.ADMIN_PASSWORD,
                        "?group=players&from=earliest"), consumer.url());
                UdpSender camera = UdpSender.to(toKafka.route("cam").localAddress())) {
            camera.sendPaced(sent, 64, consumer::count);
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.count() >= sent.size());
            assertSameInOrder(consumer.datagrams(), sent);
            assertThat(toKafka.route("cam").outputs().get(0).toString()).contains(KafkaBroker.ADMIN + ":***@")
                    .doesNotContain(KafkaBroker.ADMIN_PASSWORD);
        }
        assertNoLogLineHas(KafkaBroker.ADMIN_PASSWORD);
    }

    @Test
    void aWrongPasswordIsOneLineCountedRetriedAndNeverLogged() throws Exception {
        String wrong = "not-the-password";
        DatagramOutput out = new KafkaOutputFactory().start("cam", Endpoint.parse(url(KafkaBroker.ADMIN, wrong,
                "?producer.max.block.ms=500"), Endpoint.Role.OUTPUT));
        KafkaInput in = new KafkaInput("replay", KafkaUrl.of(Endpoint.parse(url(KafkaBroker.ADMIN, wrong,
                "?group=g"), Endpoint.Role.INPUT)), batch -> { }, KafkaInput.DEFAULT_QUIET_MILLIS).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                out.offer(new byte[1316]);
                return out.counters().get("errors.refused") >= 2 && in.trouble() != null;
            });
            assertThat(((KafkaOutput) out).trouble()).startsWith("refused by the broker (authentication or"
                    + " authorization) (").contains("Authentication failed").doesNotContain("\n");
            assertThat(in.trouble()).startsWith("poll failed: ").contains("Authentication failed")
                    .doesNotContain("\n");
            assertThat(in.counters().get("errors.poll")).isPositive();
        } finally {
            out.close();
            in.close();
        }
        assertNoLogLineHas(wrong);
    }

    @Test
    void aUserTheClusterAllowsNothingIsToldSoInOneLine() throws Exception {
        DatagramOutput out = new KafkaOutputFactory().start("cam", Endpoint.parse(url(KafkaBroker.NOBODY,
                KafkaBroker.NOBODY_PASSWORD, "?producer.max.block.ms=500"), Endpoint.Role.OUTPUT));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                out.offer(new byte[1316]);
                return out.counters().get("errors.refused") >= 1;
            });
            assertThat(((KafkaOutput) out).trouble()).startsWith("refused by the broker (authentication or"
                    + " authorization) (").contains("secure").doesNotContain("\n");
            assertThat(out.counters().get("records")).isZero();
        } finally {
            out.close();
        }
        assertNoLogLineHas(KafkaBroker.NOBODY_PASSWORD);
    }
}
