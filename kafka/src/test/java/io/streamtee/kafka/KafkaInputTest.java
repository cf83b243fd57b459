package io.streamtee.kafka;

import static io.streamtee.kafka.Cameras.assertSameInOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import io.streamtee.net.UdpReceiver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kafka input against a real broker, with sinks that have less room than a replayed backlog needs: nothing is
 * dropped on the way in, only what the sink took is committed, and {@code from=<time>} replays a time range for a
 * new group while a group with commits resumes where it was.
 */
@Timeout(120)
class KafkaInputTest {
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.shared();
    }

    /** A sink that takes what {@link #room} allows (whole batches or nothing) and keeps copies of what it took. */
    private static final class Sink implements DatagramSink {
        final List<byte[]> got = Collections.synchronizedList(new ArrayList<>());
        volatile int limit = Integer.MAX_VALUE;
        final boolean refuseEveryOther;
        private int offers;

        Sink(boolean refuseEveryOther) {
            this.refuseEveryOther = refuseEveryOther;
        }

        @Override
        public void accept(List<byte[]> batch) {
            // a sink that is full drops what it is given
        }

        @Override
        public boolean offer(List<byte[]> batch) {
            offers++;
            if (!room(batch.size())) {
                return false;
            }
            batch.forEach(d -> got.add(d.clone()));
            return true;
        }

        private boolean room(int n) {
            return !(refuseEveryOther && offers % 2 == 1) && got.size() + n <= limit;
        }
    }

    private static KafkaInput input(String topic, String query, DatagramSink sink) {
        return new KafkaInput("replay", KafkaUrl.of(Endpoint.parse("kafka://" + broker.bootstrap() + "/" + topic
                + "?" + query, Endpoint.Role.INPUT)), sink, KafkaInput.DEFAULT_QUIET_MILLIS).start();
    }

    private static void write(String topic, List<byte[]> datagrams, Instant t0) {
        write(topic, datagrams, 0, datagrams.size(), t0);
    }

    /** Writes datagrams {@code from} to {@code to} to partition 0 of {@code topic}, the i-th timed {@code t0 + i s}. */
    private static void write(String topic, List<byte[]> datagrams, int from, int to, Instant t0) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrap(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, 0, t0.toEpochMilli() + i * 1000L,
                        "cam".getBytes(StandardCharsets.UTF_8), datagrams.get(i)));
            }
            producer.flush();
        }
    }

    @Test
    void aBacklogFasterThanTheSinkTakesItArrivesWholeAndInOrder() throws Exception {
        broker.createTopic("backlog", 1);
        List<byte[]> sent = Cameras.datagrams(0, 0, 3000);
        write("backlog", sent, Instant.now());
        Sink sink = new Sink(true);
        try (KafkaInput in = input("backlog", "group=g&from=earliest", sink)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.got.size() == sent.size());
            assertSameInOrder(List.copyOf(sink.got), sent);
            assertThat(in.counters().get("paused")).isPositive();
            assertThat(in.counters()).containsEntry("records", (long) sent.size());
            await().atMost(Duration.ofSeconds(10)).until(() -> in.gauges().get("held") == 0.0);
        }
    }

    @Test
    void onlyWhatTheSinkTookIsCommittedAndTheNextMemberResumesRightAfterIt() throws Exception {
        broker.createTopic("taken", 1);
        List<byte[]> sent = Cameras.datagrams(0, 0, 2000);
        write("taken", sent, Instant.now());
        Sink first = new Sink(false);
        first.limit = 700; // then full for good
        try (KafkaInput in = input("taken", "group=g&from=earliest", first)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> in.counters().get("paused") > 0);
            assertThat(in.gauges().get("held")).isPositive();
        }
        int taken = first.got.size();
        assertThat(taken).isPositive().isLessThanOrEqualTo(700);
        assertSameInOrder(List.copyOf(first.got), sent.subList(0, taken));

        Sink next = new Sink(false);
        try (KafkaInput in = input("taken", "group=g&from=earliest", next)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> next.got.size() == sent.size() - taken);
            assertSameInOrder(List.copyOf(next.got), sent.subList(taken, sent.size()));
        }
    }

    @Test
    void fromATimeReplaysARangeForANewGroupAndAGroupWithCommitsResumesWhereItWas() throws Exception {
        broker.createTopic("timed", 1);
        List<byte[]> sent = Cameras.datagrams(0, 0, 100);
        Instant t0 = Instant.parse("2026-11-30T20:00:00Z");
        write("timed", sent, 0, 30, t0);
        Sink before = new Sink(false);
        try (KafkaInput in = input("timed", "group=resumer&from=earliest", before)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> before.got.size() == 30);
        }
        write("timed", sent, 30, 100, t0);

        Sink range = new Sink(false);
        try (KafkaInput in = input("timed", "group=fresh&from=" + t0.plusSeconds(50), range)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> range.got.size() >= 50);
            assertSameInOrder(List.copyOf(range.got), sent.subList(50, 100));
        }
        Sink after = new Sink(false);
        try (KafkaInput in = input("timed", "group=resumer&from=" + t0.plusSeconds(80), after)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> after.got.size() == 70);
            assertSameInOrder(List.copyOf(after.got), sent.subList(30, 100));
        }
    }

    private static long committed(String group, String topic, int partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(new TopicPartition(topic, partition));
            return o == null ? 0 : o.offset();
        }
    }

    @Test
    void aServiceClosingHandsItsListenerEverythingTheInputHandedOver() throws Exception {
        broker.createTopic("queued", 1);
        int datagram = 7 * 188;
        byte[] ts = new byte[2000 * datagram];
        for (int i = 0; i < ts.length; i += 188) {
            ts[i] = 0x47;
        }
        broker.writeDatagrams("queued", "cam", ts, datagram);
        AtomicInteger heard = new AtomicInteger();
        UdpReceiver.Listener slow = (buf, off, len, nanos) -> {
            heard.incrementAndGet();
            LockSupport.parkNanos(2_000_000); // a recorder slower than the replay
        };
        UdpReceiver in = new UdpReceiver(Endpoint.parse("kafka://" + broker.bootstrap()
                + "/queued?group=gq&from=earliest", Endpoint.Role.INPUT), UdpReceiver.Options.of("recorder"), slow)
                .start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> in.stats().input().getOrDefault("records", 0L) > 500);
        } finally {
            in.close();
        }
        long committed = committed("gq", "queued", 0);
        assertThat(committed).isPositive();
        assertThat(in.stats().datagrams()).as("datagrams the receive thread took, of those committed")
                .isEqualTo(committed);
        assertThat(in.stats().dropped()).isLessThanOrEqualTo(1); // the first, before a PAT: not the stream yet
    }
}
