package io.streamtee.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.relay.OutputStats;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.Relay;
import io.streamtee.testing.Figures;
import io.streamtee.testing.UdpSender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A broker restart mid-stream: what the producer had acknowledged is all in the topic, in order, once. */
@Timeout(180)
class KafkaRestartTest {
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

    private static long counter(OutputStats stats, String name) {
        return stats.counters().getOrDefault(name, 0L);
    }

    private static long errors(OutputStats stats) {
        return stats.counters().entrySet().stream().filter(e -> e.getKey().startsWith("errors."))
                .mapToLong(Map.Entry::getValue).sum();
    }

    @Test
    void aBrokerRestartMidStreamLosesNothingTheProducerAcknowledged() throws Exception {
        broker.createTopic("restart", 1);
        List<byte[]> sent = Cameras.datagrams(0, 0, 900);
        try (Relay relay = Cameras.relay(List.of("cam"), "kafka://" + broker.bootstrap()
                + "/restart?producer.max.block.ms=1000&producer.request.timeout.ms=5000"
                + "&producer.delivery.timeout.ms=20000");
                UdpSender camera = UdpSender.to(relay.route("cam").localAddress())) {
            OutputStats out = relay.route("cam").outputStats().get(0);
            camera.sendPaced(sent.subList(0, 300), 64, () -> (int) counter(out, "records"));
            await().atMost(Duration.ofSeconds(20)).until(() -> counter(out, "records") == 300);
            broker.stopBroker();
            for (byte[] d : sent.subList(300, 600)) {
                camera.send(d);
            }
            long ackedBeforeStart = counter(out, "records");
            long[] firstAckNanos = {0};
            long restarting = System.nanoTime();
            broker.startBroker();
            long started = System.nanoTime();
            Thread watch = Thread.ofVirtual().start(() -> { // measures only: when the first record is acknowledged
                long deadline = started + Duration.ofSeconds(60).toNanos();
                while (firstAckNanos[0] == 0 && System.nanoTime() < deadline) {
                    if (counter(out, "records") > ackedBeforeStart) {
                        firstAckNanos[0] = System.nanoTime();
                    } else {
                        java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                    }
                }
            });
            camera.sendPaced(sent.subList(600, 900), 64, () -> (int) (counter(out, "records") - 300));
            // every copy the output took is either acknowledged or failed, once the producer is done with it
            await().atMost(Duration.ofSeconds(60)).until(() -> out.gauges().getOrDefault("queued", 0.0) == 0
                    && counter(out, "records") + errors(out) == out.snapshot().datagrams());
            long acked = counter(out, "records");
            assertThat(acked).isGreaterThanOrEqualTo(600);

            List<byte[]> topic = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                    broker.bootstrap(), "group.id", "check", "auto.offset.reset", "earliest",
                    "key.deserializer", ByteArrayDeserializer.class.getName(),
                    "value.deserializer", ByteArrayDeserializer.class.getName()))) {
                consumer.subscribe(List.of("restart"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        topic.add(r.value());
                    }
                    return topic.size() >= acked;
                });
            }
            assertThat(topic).hasSize((int) acked);
            int last = -1;
            for (byte[] d : topic) {
                int n = Cameras.number(d);
                assertThat(n).as("in order, once").isGreaterThan(last);
                assertThat(d).isEqualTo(sent.get(n));
                last = n;
            }
            // what was acknowledged before the restart, and everything after it, is there
            assertThat(topic.stream().map(Cameras::number).toList()).containsAll(
                    java.util.stream.IntStream.range(0, 300).boxed().toList());
            watch.join(Duration.ofSeconds(5));
            OutputStats.Snapshot snapshot = out.snapshot();
            Figures.of("fault.kafka.restart").put("broker_start_ms", (started - restarting) / 1_000_000)
                    .put("recovery_ms", firstAckNanos[0] == 0 ? -1 : (firstAckNanos[0] - started) / 1_000_000)
                    .put("sent", sent.size()).put("acknowledged", acked).put("in_topic", topic.size())
                    .put("lost_acknowledged", acked - topic.size())
                    .put("failed_counted", errors(out)).put("dropped_counted", snapshot.dropped())
                    .put("taken_by_output", snapshot.datagrams())
                    .record(getClass(), "aBrokerRestartMidStreamLosesNothingTheProducerAcknowledged");
        }
    }

    @Test
    void aBrokerGoneAfterItAnsweredIsNamedUnreachableAndTheOutputSaysWhenItSendsAgain() throws Exception {
        broker.createTopic("gone", 1);
        KafkaOutput out = (KafkaOutput) new KafkaOutputFactory().start("cam", Endpoint.parse("kafka://"
                + broker.bootstrap() + "/gone?buffer=20&producer.max.block.ms=1000"
                + "&producer.delivery.timeout.ms=60000", Endpoint.Role.OUTPUT));
        try {
            List<byte[]> datagrams = Cameras.datagrams(0, 0, 1000);
            assertThat(out.offer(datagrams.get(0))).isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> out.counters().get("records") == 1);
            broker.stopBroker();
            try {
                int[] next = {1};
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    out.offer(datagrams.get(next[0]++));
                    return out.trouble() != null;
                });
                assertThat(out.trouble()).startsWith("no Kafka broker answered (").contains("refused")
                        .doesNotContain("\n");
            } finally {
                broker.startBroker();
            }
            int[] next = {500};
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                out.offer(datagrams.get(next[0]++));
                return out.trouble() == null;
            });
        } finally {
            out.close();
        }
    }
}
