package io.streamtee.kafka;

import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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
 * topic in a consumer group and hands each record's value on as one datagram, in batches of at most {@value #CHUNK},
 * in order within each partition. The hand-off is {@link DatagramSink#offer}: when the route or service has no room
 * (a replay of a backlog comes faster than a recorder writes), the rest of the poll is held and the partitions are
 * paused until it has room, so nothing is dropped on the way in. Offsets are committed for what was taken only
 * (asynchronously after each hand-off, synchronously when partitions are taken away and on close), so a restarted
 * input, or another member of the group given its partitions, resumes after the last datagram handed on.
 * {@code from=<time>} seeks a partition to that time when the group has no committed offset for it (a new group:
 * the replay of a time range); where it has one, the group resumes there. See {@link KafkaUrl} for the options.
 *
 * <p>A broker that is absent or not Kafka, or a topic that is not there, is not an error Kafka's consumer reports: it
 * waits. When this input has been given no partition for a while (15 s), it says so in one line, with what a
 * connection to the first broker says, and keeps waiting; {@code partitions} in its counters stays 0.
 */
final class KafkaInput implements Input {
    private static final Logger log = LoggerFactory.getLogger(KafkaInput.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a poll waits while records are held for a sink that had no room: how soon they are offered again. */
    private static final Duration HELD_POLL = Duration.ofMillis(5);
    /** The most datagrams handed on in one batch. */
    static final int CHUNK = 256;
    static final long DEFAULT_QUIET_MILLIS = 15_000;

    private final String where;
    private final String firstBroker;
    private final long quietNanos;
    private final String topic;
    private final Instant from;
    /** Who takes the records of a key; for a plain input, its one sink takes every record. */
    private final Claims claims;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final LongAdder records = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder unclaimed = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder commitErrors = new LongAdder();
    private final LongAdder pollErrors = new LongAdder();
    private final LongAdder rebalances = new LongAdder();
    private final LongAdder paused = new LongAdder();
    private final AtomicLong partitions = new AtomicLong();
    /** Records polled and not yet taken, per partition, in offset order. Consumer thread only. */
    private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> held = new LinkedHashMap<>();
    /** How long the records of a key no input here claims wait for one (just started; just withdrawn). */
    static final long CLAIM_GRACE_NANOS = 10_000_000_000L;
    private final long startedNanos = System.nanoTime();
    /** Partitions given and not yet sought to {@code from=<time>}. Consumer thread only. */
    private final Set<TopicPartition> toSeek = new HashSet<>();
    /** Keys whose records were passed over, said once each. Consumer thread only. */
    private final Set<String> passedOver = new HashSet<>();
    private volatile int heldCount;
    /** The offset after the last record handed on, per partition held. Consumer thread only. */
    private final Map<TopicPartition, OffsetAndMetadata> handed = new HashMap<>();
    private volatile boolean stopped;
    private String logged;
    private volatile String lastTrouble;

    /** @throws io.streamtee.config.ConfigException when Kafka's client refuses the properties (one line) */
    KafkaInput(String route, KafkaUrl url, DatagramSink sink, long quietMillis) {
        this(route, url, Claims.all(sink), quietMillis);
    }

    /**
     * An input whose records go where {@code claims} says by their key (a record no one here claims is passed over,
     * counted {@code unclaimed}, and committed).
     *
     * @throws io.streamtee.config.ConfigException when Kafka's client refuses the properties (one line)
     */
    KafkaInput(String route, KafkaUrl url, Claims claims, long quietMillis) {
        this(route, "route " + route + " input " + url.masked(), url, claims, quietMillis);
    }

    /**
     * @param name  names the consumer's thread ({@code kafka-in-NAME}) and client ({@code streamtee-NAME})
     * @param where how log lines name this input
     */
    KafkaInput(String name, String where, KafkaUrl url, Claims claims, long quietMillis) {
        String route = name;
        this.where = where;
        this.firstBroker = url.brokers().split(",")[0];
        this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
        this.topic = url.topic();
        this.from = url.fromTime();
        this.claims = claims;
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
        if (claims.keyed()) {
            m.put("unclaimed", unclaimed.sum());
        }
        m.put("partitions", partitions.get());
        m.put("rebalances", rebalances.sum());
        m.put("paused", paused.sum());
        m.put("commits", commits.sum());
        m.put("errors.commit", commitErrors.sum());
        m.put("errors.poll", pollErrors.sum());
        return m;
    }

    @Override
    public Map<String, Double> gauges() {
        return Map.of("held", (double) heldCount);
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
                if (!toSeek.isEmpty()) {
                    seekToTime();
                }
                ConsumerRecords<byte[], byte[]> polled;
                try {
                    polled = consumer.poll(heldCount == 0 && toSeek.isEmpty() ? POLL : HELD_POLL);
                } catch (WakeupException e) {
                    break;
                } catch (KafkaException e) {
                    pollErrors.increment();
                    trouble("poll failed: " + KafkaClients.describe(e));
                    pause();
                    continue;
                }
                if (stopped) {
                    break;
                }
                for (TopicPartition tp : polled.partitions()) {
                    held.computeIfAbsent(tp, k -> new ArrayDeque<>()).addAll(polled.records(tp));
                }
                if (!held.isEmpty()) {
                    handOff();
                }
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

    /**
     * Offers each partition's held records, in offset order, {@value #CHUNK} at a time and in runs of one claim (one
     * camera), until its claim refuses a batch or all are taken, and commits the offsets after what was taken. A
     * partition whose records wait is paused (the consumer keeps polling, for the group and the other partitions,
     * and fetches nothing more for it); all taken, it resumes. A record no input here claims waits too, while this
     * input has just started or its key was just withdrawn ({@link #CLAIM_GRACE_NANOS}: a camera's input not yet
     * registered, or closing with its process); after that it is passed over, counted {@code unclaimed}, and said.
     */
    private void handOff() {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        List<byte[]> batch = new ArrayList<>(CHUNK);
        List<TopicPartition> waiting = new ArrayList<>();
        int left = 0;
        for (Iterator<Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>>> it =
                held.entrySet().iterator(); it.hasNext();) {
            Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> e = it.next();
            ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = e.getValue();
            while (!queue.isEmpty()) {
                batch.clear();
                byte[] key = queue.peek().key();
                Claims.Claim claim = claims.claim(key);
                int n = 0;
                long size = 0;
                for (ConsumerRecord<byte[], byte[]> r : queue) {
                    if (n == CHUNK || (n > 0 && claims.claim(r.key()) != claim)) {
                        break;
                    }
                    n++;
                    if (r.value() != null) {
                        batch.add(r.value());
                        size += r.value().length;
                    }
                }
                if (claim == null ? mayClaimSoon(key) : !batch.isEmpty() && !claim.sink().offer(batch)) {
                    break;
                }
                ConsumerRecord<byte[], byte[]> last = null;
                for (int i = 0; i < n; i++) {
                    last = queue.poll();
                }
                next.put(e.getKey(), new OffsetAndMetadata(last.offset() + 1));
                if (claim == null) {
                    unclaimed.add(n);
                    passOver(key);
                    continue;
                }
                claim.took(batch.size(), size);
                records.add(batch.size());
                bytes.add(size);
                batches.increment();
            }
            if (queue.isEmpty()) {
                it.remove();
            } else {
                waiting.add(e.getKey());
                left += queue.size();
            }
        }
        heldCount = left;
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition tp : paused) {
            if (!held.containsKey(tp) && !toSeek.contains(tp)) {
                resume.add(tp);
            }
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        if (!waiting.isEmpty()) {
            if (!paused.containsAll(waiting)) {
                this.paused.increment();
            }
            consumer.pause(waiting);
        }
        if (next.isEmpty()) {
            return;
        }
        handed.putAll(next);
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

    /** Whether the records of {@code key}, which no input here claims now, should wait for one. */
    private boolean mayClaimSoon(byte[] key) {
        long now = System.nanoTime();
        if (now - startedNanos < CLAIM_GRACE_NANOS) {
            return true;
        }
        Long withdrawn = claims.withdrawnAt(key);
        return withdrawn != null && now - withdrawn < CLAIM_GRACE_NANOS;
    }

    private void passOver(byte[] key) {
        String k = key == null ? "(none)" : new String(key, java.nio.charset.StandardCharsets.UTF_8);
        if (passedOver.add(k)) {
            log.warn("{}: records of key '{}' are passed over: no input here takes them (give every member of the"
                    + " group the same cameras)", where, k);
        }
    }

    /** Forgets the held records of partitions no longer this input's: their next owner reads them again. */
    private void forget(Collection<TopicPartition> gone) {
        if (held.isEmpty() || gone.isEmpty()) {
            return;
        }
        gone.forEach(held::remove);
        heldCount = held.values().stream().mapToInt(ArrayDeque::size).sum();
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
            forget(revoked);
            partitions.addAndGet(-revoked.size());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            lost.forEach(handed::remove);
            forget(lost);
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
            if (from == null || assigned.isEmpty()) {
                return;
            }
            toSeek.addAll(assigned);
            seekToTime();
        }
    }

    /**
     * Seeks the partitions given since to {@code from=<time>} where the group has no commit. The lookups may fail (a
     * slow coordinator); then those partitions stay paused, and this is tried again before the next poll, so that a
     * replay of an hour never becomes a replay of the whole topic. Consumer thread only.
     */
    private void seekToTime() {
        toSeek.retainAll(consumer.assignment());
        if (toSeek.isEmpty()) {
            return;
        }
        try {
            // the time counts where the group has not been yet; where it has, it resumes after its last commit
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(toSeek),
                    Duration.ofSeconds(5));
            Map<TopicPartition, Long> times = new HashMap<>();
            for (TopicPartition tp : toSeek) {
                if (committed.get(tp) == null) {
                    times.put(tp, from.toEpochMilli());
                }
            }
            Map<TopicPartition, OffsetAndTimestamp> found = times.isEmpty() ? Map.of()
                    : consumer.offsetsForTimes(times, Duration.ofSeconds(5));
            List<TopicPartition> toEnd = new ArrayList<>();
            for (TopicPartition tp : times.keySet()) {
                OffsetAndTimestamp at = found.get(tp);
                if (at != null) {
                    consumer.seek(tp, at.offset());
                } else {
                    toEnd.add(tp);
                }
            }
            if (!toEnd.isEmpty()) { // (an empty collection would mean every partition held)
                consumer.seekToEnd(toEnd);
            }
            List<TopicPartition> done = new ArrayList<>(toSeek);
            toSeek.clear();
            done.removeIf(held::containsKey);
            consumer.resume(done);
        } catch (KafkaException e) {
            consumer.pause(toSeek);
            trouble("could not find where " + from + " is (" + KafkaClients.describe(e) + ")");
        }
    }
}
