package io.streamtee.kafka;

import static io.streamtee.kafka.Cameras.assertSameInOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.Endpoint;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.output.DatagramOutput;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cameras -> relay -> a real Kafka broker (KRaft, in this JVM) -> relay -> UDP consumers, on loopback: every
 * datagram arrives byte-identical and in order per camera; a consumer group of two relays splits the cameras, and
 * when one stops the other takes its cameras over from the last commit with nothing lost.
 */
@Timeout(180)
class KafkaRelayTest {
    private static final int PER_CAMERA = 300;
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static List<UdpSender> senders(Relay relay, List<String> cameras) throws Exception {
        List<UdpSender> senders = new ArrayList<>();
        for (String c : cameras) {
            senders.add(UdpSender.to(relay.route(c).localAddress()));
        }
        return senders;
    }

    private static void close(List<UdpSender> senders) throws Exception {
        for (UdpSender s : senders) {
            s.close();
        }
    }

    @Test
    void threeCamerasGoThroughKafkaAndBackByteIdenticalAndInOrder() throws Exception {
        broker.createTopic("cams", 3);
        List<String> cameras = Cameras.onPartitions("cam", 3);
        List<List<byte[]>> sent = List.of(Cameras.datagrams(0, 0, PER_CAMERA), Cameras.datagrams(1, 0, PER_CAMERA),
                Cameras.datagrams(2, 0, PER_CAMERA));
        try (UdpReceiver consumer = UdpReceiver.open("127.0.0.1");
                Relay toKafka = Cameras.relay(cameras, "kafka://" + broker.bootstrap() + "/cams");
                Relay fromKafka = Cameras.relay("replay", "kafka://" + broker.bootstrap()
                        + "/cams?group=players&from=earliest", consumer.url())) {
            List<UdpSender> senders = senders(toKafka, cameras);
            try {
                Cameras.sendInterleaved(senders, sent, 64, consumer::count);
                await().atMost(Duration.ofSeconds(30)).until(() -> consumer.count() >= 3 * PER_CAMERA);
            } finally {
                close(senders);
            }
            List<byte[]> got = consumer.datagrams();
            assertThat(got).hasSize(3 * PER_CAMERA);
            for (int c = 0; c < 3; c++) {
                assertSameInOrder(Cameras.of(c, got), sent.get(c));
            }
            for (String c : cameras) {
                assertThat(toKafka.route(c).outputStats().get(0).snapshot().dropped()).isZero();
            }
            assertThat(fromKafka.route("replay").stats().inputCounters()).containsEntry("records",
                    3L * PER_CAMERA).containsEntry("partitions", 3L);
        }
    }

    @Test
    void aGroupOfTwoSplitsTheCamerasAndTheOneLeftTakesOverWithNothingLost() throws Exception {
        broker.createTopic("group", 3);
        List<String> cameras = Cameras.onPartitions("cam", 3);
        String input = "kafka://" + broker.bootstrap() + "/group?group=recorders&from=earliest";
        List<List<byte[]>> first = List.of(Cameras.datagrams(0, 0, PER_CAMERA), Cameras.datagrams(1, 0, PER_CAMERA),
                Cameras.datagrams(2, 0, PER_CAMERA));
        List<List<byte[]>> then = List.of(Cameras.datagrams(0, PER_CAMERA, PER_CAMERA),
                Cameras.datagrams(1, PER_CAMERA, PER_CAMERA), Cameras.datagrams(2, PER_CAMERA, PER_CAMERA));
        try (UdpReceiver a = UdpReceiver.open("127.0.0.1");
                UdpReceiver b = UdpReceiver.open("127.0.0.1");
                Relay toKafka = Cameras.relay(cameras, "kafka://" + broker.bootstrap() + "/group");
                Relay recorderB = Cameras.relay("b", input, b.url())) {
            Relay recorderA = Cameras.relay("a", input, a.url());
            Route inA = recorderA.route("a");
            Route inB = recorderB.route("b");
            List<UdpSender> senders = senders(toKafka, cameras);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> partitions(inA) > 0 && partitions(inB) > 0
                        && partitions(inA) + partitions(inB) == 3);
                Cameras.sendInterleaved(senders, first, 64, () -> a.count() + b.count());
                await().atMost(Duration.ofSeconds(30)).until(() -> a.count() + b.count() >= 3 * PER_CAMERA);
                // each camera went to one of the two, and each got at least one camera
                List<byte[]> gotA = a.datagrams();
                List<byte[]> gotB = b.datagrams();
                assertThat(gotA).isNotEmpty();
                assertThat(gotB).isNotEmpty();
                for (int c = 0; c < 3; c++) {
                    assertThat(Cameras.of(c, gotA).isEmpty() || Cameras.of(c, gotB).isEmpty())
                            .as("camera %d in one recorder only", c).isTrue();
                }
                recorderA.close(); // commits what it handed on, leaves the group
                await().atMost(Duration.ofSeconds(60)).until(() -> partitions(inB) == 3);
                Cameras.sendInterleaved(senders, then, 64, () -> a.count() + b.count());
                await().atMost(Duration.ofSeconds(30)).until(() -> a.count() + b.count() >= 6 * PER_CAMERA);
            } finally {
                close(senders);
                recorderA.close();
            }
            List<byte[]> gotA = a.datagrams();
            List<byte[]> gotB = b.datagrams();
            assertThat(gotA.size() + gotB.size()).isEqualTo(6 * PER_CAMERA);
            for (int c = 0; c < 3; c++) {
                List<byte[]> all = new ArrayList<>(first.get(c));
                all.addAll(then.get(c));
                List<byte[]> merged = new ArrayList<>(Cameras.of(c, gotA));
                merged.addAll(Cameras.of(c, gotB));
                assertSameInOrder(merged, all);
            }
        }
    }

    @Test
    void anUnknownTopicIsOneClearLineOnEachSideAndNothingIsFatal() throws Exception {
        DatagramOutput out = new KafkaOutputFactory().start("cam", Endpoint.parse("kafka://" + broker.bootstrap()
                + "/nosuch?producer.max.block.ms=500", Endpoint.Role.OUTPUT));
        KafkaInput in = new KafkaInput("replay", KafkaUrl.of(Endpoint.parse("kafka://" + broker.bootstrap()
                + "/nosuch?group=g", Endpoint.Role.INPUT)), batch -> { }, 1_000);
        try {
            in.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                out.offer(new byte[188]);
                return out.counters().get("errors.no_topic") >= 2;
            });
            assertThat(((KafkaOutput) out).trouble()).isEqualTo("the broker answers, but the topic is not there"
                    + " (no topic 'nosuch': create it, give the output partitions=N to create it, or let the broker"
                    + " create topics (auto.create.topics.enable))");
            assertThat(out.counters().get("errors.unreachable")).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> in.trouble() != null);
            assertThat(in.trouble()).isEqualTo("no partition of topic 'nosuch' given in 1 s (the broker answers: is"
                    + " the topic there, or has the group more members than the topic partitions?)");
        } finally {
            out.close();
            in.close();
        }
    }

    @Test
    void anOutputWithPartitionsCreatesItsMissingTopicAndSends() throws Exception {
        List<byte[]> sent = Cameras.datagrams(0, 0, 50);
        try (UdpReceiver consumer = UdpReceiver.open("127.0.0.1");
                Relay toKafka = Cameras.relay("cam", "udp://127.0.0.1:0", "kafka://" + broker.bootstrap()
                        + "/made?partitions=4");
                Relay fromKafka = Cameras.relay("replay", "kafka://" + broker.bootstrap()
                        + "/made?group=players&from=earliest", consumer.url());
                UdpSender camera = UdpSender.to(toKafka.route("cam").localAddress())) {
            camera.sendPaced(sent, 16, consumer::count);
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.count() >= sent.size());
            assertSameInOrder(consumer.datagrams(), sent);
            assertThat(partitions(fromKafka.route("replay"))).isEqualTo(4);
        }
    }

    private static long partitions(Route route) {
        return route.stats().inputCounters().getOrDefault("partitions", 0L);
    }
}
