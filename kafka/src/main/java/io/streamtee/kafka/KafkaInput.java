package io.streamtee.kafka;

import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kafka://broker:9092/topic?group=recorders&from=earliest|latest|<time>} as a route input: consumes the
 * topic in a consumer group and hands each record's value to the route as one datagram, the records of one poll as
 * one batch, in order within each partition. Offsets are committed after the hand-off (asynchronously after each
 * batch, synchronously when partitions are taken away and on close), so a restarted input, or another member of
 * the group given its partitions, resumes after the last datagram handed on. {@code from=<time>} seeks each
 * partition to that time when this input is first given it. See {@link KafkaUrl} for the options.
 *
 * <p>A broker that is absent or not Kafka, or a topic that is not there, is not an error Kafka's consumer reports: it
 * waits. When this input has been given no partition for a while (15 s), it says so in one line, with what a
 * connection to the first broker says, and keeps waiting; {@code partitions} in its counters stays 0.
 */
final class KafkaInput implements Input {
    private static final Logger log = LoggerFactory.getLogger(KafkaInput.class);
    private static final Duration POLL = Duration.ofMillis(200);
    static final long DEFAULT_QUIET_MILLIS = 15_000;

    private final String where;
    private final String firstBroker;
    private final long quietNanos;
    private final String topic;
    private final Instant from;
    private final DatagramSink sink;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final LongAdder records = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder commitErrors = new LongAdder();
    private final LongAdder pollErrors = new LongAdder();
    private final LongAdder rebalances = new LongAdder();
    private final AtomicLong partitions = new AtomicLong();
    /** Partitions this input was given once: {@code from=<time>} seeks only the first time. Consumer thread only. */
    private final Set<TopicPartition> seen = new HashSet<>();
    /** The offset after the last record handed on, per partition held. Consumer thread only. */
    private final Map<TopicPartition, OffsetAndMetadata> handed = new HashMap<>();
    private volatile boolean stopped;
    private String logged;
    private volatile String lastTrouble;

    /** @throws io.streamtee.config.ConfigException when Kafka's client refuses the properties (one line) */
    KafkaInput(String route, KafkaUrl url, DatagramSink sink, long quietMillis) {
        this.where = "route " + route + " input " + url.masked();
        this.firstBroker = url.brokers().split(",")[0];
        this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
        this.topic = url.topic();
        this.from = url.fromTime();
        this.sink = sink;
        try {
            this.consumer = new KafkaConsumer<>(url.consumer(route));
        } catch (KafkaException e) {
            throw url.bad(KafkaClients.describe(e));
        }
        this.thread = Thread.ofPlatform().name("kafka-in-" + route).daemon().unstarted(this::run);
    }

    KafkaInput start() {
        thread.start();
        return this;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("records", records.sum());
        m.put("bytes", bytes.sum());
        m.put("batches", batches.sum());
        m.put("partitions", partitions.get());
        m.put("rebalances", rebalances.sum());
        m.put("commits", commits.sum());
        m.put("errors.commit", commitErrors.sum());
        m.put("errors.poll", pollErrors.sum());
        return m;
    }

    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new Listener());
            long since = System.nanoTime();
            while (!stopped) {
                if (partitions.get() > 0) {
                    since = System.nanoTime();
                } else if (System.nanoTime() - since > quietNanos) {
                    since = System.nanoTime();
                    boolean answered = KafkaClients.metric(consumer.metrics(), "consumer-metrics",
                            "response-total") > 0;
                    trouble("no partition of topic '" + topic + "' given in "
                            + TimeUnit.NANOSECONDS.toSeconds(quietNanos) + " s ("
                            + (answered ? "the broker answers: is the topic there, or has the group more members"
                                    + " than the topic partitions?" : KafkaClients.probe(firstBroker)) + ")");
                }
                ConsumerRecords<byte[], byte[]> polled;
                try {
                    polled = consumer.poll(POLL);
                } catch (WakeupException e) {
                    break;
                } catch (KafkaException e) {
                    pollErrors.increment();
                    trouble("poll failed: " + KafkaClients.describe(e));
                    pause();
                    continue;
                }
                if (polled.isEmpty() || stopped) {
                    continue;
                }
                handOff(polled);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.warn("{}: stopped: {}", where, KafkaClients.describe(e));
            log.debug("{}: stopped", where, e);
        } finally {
            try {
                commitSync(handed);
            } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(3)));
            }
        }
    }

    /** Hands the poll's records on as one batch, then commits the offsets after them. */
    private void handOff(ConsumerRecords<byte[], byte[]> polled) {
        List<byte[]> batch = new ArrayList<>(polled.count());
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition tp : polled.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = polled.records(tp);
            for (ConsumerRecord<byte[], byte[]> r : list) {
                byte[] value = r.value();
                if (value != null) {
                    batch.add(value);
                    bytes.add(value.length);
                }
            }
            next.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        sink.accept(batch);
        handed.putAll(next);
        records.add(batch.size());
        batches.increment();
        if (logged != null) {
            logged = null;
            lastTrouble = null;
            log.info("{}: receiving again", where);
        }
        consumer.commitAsync(next, (offsets, e) -> {
            if (e == null) {
                commits.increment();
            } else {
                commitErrors.increment();
                log.debug("{}: commit failed", where, e);
            }
        });
    }

    /** Commits {@code offsets} (what was handed on) now; a failure is counted, the next commit covers it. */
    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            try {
                consumer.commitSync(Map.copyOf(offsets), Duration.ofSeconds(3));
            } catch (WakeupException e) {
                // close() woke the consumer while it was not polling: the wake-up is spent, commit again
                consumer.commitSync(Map.copyOf(offsets), Duration.ofSeconds(3));
            }
            commits.increment();
        } catch (KafkaException e) {
            commitErrors.increment();
            log.debug("{}: commit failed", where, e);
        }
    }

    /** The last trouble as logged (one line), or null once records flow. */
    String trouble() {
        return lastTrouble;
    }

    private void trouble(String text) {
        lastTrouble = text;
        if (!text.equals(logged)) {
            logged = text;
            log.warn("{}: {}; trying again", where, text);
        }
    }

    private void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            stopped = true;
        }
    }

    /** Commits before partitions go to another member; seeks newly given ones to {@code from=<time>}. */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            Map<TopicPartition, OffsetAndMetadata> going = new HashMap<>();
            for (TopicPartition tp : revoked) {
                OffsetAndMetadata o = handed.remove(tp);
                if (o != null) {
                    going.put(tp, o);
                }
            }
            commitSync(going);
            partitions.addAndGet(-revoked.size());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            lost.forEach(handed::remove);
            partitions.addAndGet(-lost.size());
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            rebalances.increment();
            partitions.addAndGet(assigned.size());
            if (!assigned.isEmpty()) {
                log.info("{}: given partitions {}", where, assigned.stream().map(TopicPartition::partition)
                        .sorted().toList());
            }
            if (from == null) {
                return;
            }
            Map<TopicPartition, Long> times = new HashMap<>();
            for (TopicPartition tp : assigned) {
                if (seen.add(tp)) {
                    times.put(tp, from.toEpochMilli());
                }
            }
            if (times.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times, Duration.ofSeconds(5));
            List<TopicPartition> toEnd = new ArrayList<>();
            for (TopicPartition tp : times.keySet()) {
                OffsetAndTimestamp at = found.get(tp);
                if (at != null) {
                    consumer.seek(tp, at.offset());
                } else {
                    toEnd.add(tp);
                }
            }
            consumer.seekToEnd(toEnd);
        }
    }
}
