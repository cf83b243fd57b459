package io.streamtee.kafka;

import io.streamtee.relay.output.DatagramOutput;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kafka://broker1:9092,broker2:9092/topic?key=...} as a route output: one record per datagram, its value the
 * datagram's bytes as they came, its key the route's name ({@code key=} overrides: one camera stays in one partition,
 * in order), its timestamp the time the datagram reached the output, and a {@value #ROUTE_HEADER} header naming the
 * route (the relay's source). The producer is Kafka's own, idempotent with {@code acks=all} unless the URL says
 * otherwise, batched (linger, batch size), not compressed; see {@link KafkaUrl} for the options. Outputs with the
 * same brokers and settings share one producer ({@link SharedProducers}): its figures among each output's counters
 * ({@code producer.*}) are the shared producer's.
 *
 * <p>{@link #offer} never blocks: it puts the datagram in a bounded queue ({@code buffer=}) that one thread of the
 * output's own hands to the producer; when the queue is full (the producer waits for an absent or slow broker: its
 * send blocks up to {@code max.block.ms}, 5 s by default), the datagram is refused and the route counts it
 * {@code buffer_full}. No more than {@code buffer=} datagrams of one output wait in the shared producer either (sent,
 * not yet acknowledged): one output whose partition's broker stops answering cannot take the whole producer's
 * memory from the others. A failed send is counted ({@code errors.*}) and logged once per change of trouble, naming the
 * route and the masked URL; the producer keeps trying, nothing is fatal.
 */
final class KafkaOutput implements DatagramOutput {
    private static final Logger log = LoggerFactory.getLogger(KafkaOutput.class);
    static final String ROUTE_HEADER = "streamtee.route";
    /** The producer's totals among {@link #counters()}, under {@code producer.<name>}. */
    static final List<String> PRODUCER_TOTALS = List.of("record-send-total", "record-error-total",
            "record-retry-total");
    /** The producer's rates, averages and levels among {@link #gauges()}, under {@code producer.<name>}. */
    static final List<String> PRODUCER_GAUGES = List.of("record-send-rate", "batch-size-avg", "request-latency-avg",
            "buffer-available-bytes", "buffer-total-bytes", "waiting-threads");

    /** How long this output's share of the producer stays full before it says why. */
    private static final long FULL_FOR_NANOS = 1_000_000_000L;

    /** What went wrong with the last send, as logged and counted. */
    enum Trouble {
        UNREACHABLE("unreachable", "no Kafka broker answered"),
        NO_TOPIC("no_topic", "the broker answers, but the topic is not there"),
        SLOW("slow", "the broker takes datagrams slower than they come"),
        REFUSED("refused", "refused by the broker (authentication or authorization)"),
        TOO_LARGE("too_large", "a datagram is larger than the broker or producer accepts (max.request.size)"),
        OTHER("other", "send failed");

        final String key;
        final String text;

        Trouble(String key, String text) {
            this.key = key;
            this.text = text;
        }

        static Trouble of(Throwable t) {
            if (t instanceof BufferExhaustedException) {
                return SLOW;
            }
            if (t instanceof TimeoutException) {
                return UNREACHABLE;
            }
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return REFUSED;
            }
            if (t instanceof RecordTooLargeException) {
                return TOO_LARGE;
            }
            return OTHER;
        }
    }

    private record Pending(long arrivedMillis, byte[] value) {
    }

    private final String where;
    private final KafkaUrl url;
    private final String topic;
    private final String key;
    private final List<Header> headers;
    private final String route;
    /** Partitions to create the topic with when it is not there; 0: never create it. */
    private final int partitions;
    private long lastCreateNanos;
    private final SharedProducers.Lease lease;
    private final KafkaProducer<String, byte[]> producer;
    private final int buffer;
    /** Records sent to the producer and not yet acknowledged or failed. */
    private final AtomicInteger unacked = new AtomicInteger();
    private final BlockingQueue<Pending> queue;
    private final Thread thread;
    private final LongAdder records = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Map<Trouble, LongAdder> errors = new LinkedHashMap<>();
    private final Callback acked = this::acked;
    private volatile boolean stopped;
    private volatile Trouble logged;
    /** The last failure the producer's callback saw, for the output's thread to log. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile String lastTrouble;
    /** Whether something listened at the first broker when last probed (output's thread writes; true until then). */
    private volatile boolean listening = true;
    private KafkaClients.Probe lastProbe;
    private long lastProbeNanos;

    /** @throws io.streamtee.config.ConfigException when Kafka's client refuses the properties (one line) */
    KafkaOutput(String route, KafkaUrl url) {
        this.where = "route " + route + " output " + url.masked();
        this.url = url;
        this.topic = url.topic();
        this.key = url.key(route);
        this.headers = List.of(new RecordHeader(ROUTE_HEADER, route.getBytes(StandardCharsets.UTF_8)));
        this.route = route;
        this.partitions = url.partitions();
        this.buffer = url.buffer();
        this.queue = new ArrayBlockingQueue<>(buffer);
        for (Trouble t : Trouble.values()) {
            errors.put(t, new LongAdder());
        }
        this.lease = SharedProducers.acquire(url.producer(route), url::bad);
        this.producer = lease.producer();
        this.thread = Thread.ofPlatform().name("kafka-out-" + route).daemon().unstarted(this::run);
    }

    KafkaOutput start() {
        thread.start();
        return this;
    }

    @Override
    public boolean offer(byte[] datagram) {
        return !stopped && queue.offer(new Pending(System.currentTimeMillis(), datagram));
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("records", records.sum());
        m.put("bytes", bytes.sum());
        for (Map.Entry<Trouble, LongAdder> e : errors.entrySet()) {
            m.put("errors." + e.getKey().key, e.getValue().sum());
        }
        Map<String, Double> producerMetrics = producerMetrics();
        for (String name : PRODUCER_TOTALS) {
            m.put("producer." + name, Math.round(producerMetrics.getOrDefault(name, 0.0)));
        }
        return m;
    }

    @Override
    public Map<String, Double> gauges() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("queued", (double) queue.size());
        Map<String, Double> producerMetrics = producerMetrics();
        for (String name : PRODUCER_GAUGES) {
            m.put("producer." + name, producerMetrics.getOrDefault(name, 0.0));
        }
        return m;
    }

    /** The producer's metrics of its group {@code producer-metrics} that are numbers, by name: one pass. */
    private Map<String, Double> producerMetrics() {
        Map<String, Double> m = new java.util.HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().group().equals("producer-metrics") && e.getValue().metricValue() instanceof Number n) {
                double d = n.doubleValue();
                m.put(e.getKey().name(), Double.isNaN(d) || Double.isInfinite(d) ? 0 : d);
            }
        }
        return m;
    }

    /** How many outputs share this one's producer now (itself included). */
    int producerSharedBy() {
        return lease.sharedBy();
    }

    /** The last trouble as logged (one line), or null when the last send went through. */
    String trouble() {
        return lastTrouble;
    }

    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        thread.interrupt(); // wakes a send waiting for metadata or for room in the producer
        try {
            thread.join(3_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
        lease.close(); // the last output of the producer closes it: what is batched gets 2 s to go
    }

    private void run() {
        if (partitions > 0) {
            createTopic();
        }
        while (!stopped) {
            Throwable f = failure.getAndSet(null);
            if (f != null) {
                failed(f, false); // failed on the producer's thread, counted there: said here, where a probe may wait
            }
            Pending p;
            try {
                p = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (p == null) {
                continue;
            }
            try {
                long since = System.nanoTime();
                boolean said = false;
                while (unacked.get() >= buffer && !stopped) {
                    Thread.sleep(5); // this output's share of the producer is full: its own queue takes the wait
                    if (!said && System.nanoTime() - since > FULL_FOR_NANOS) {
                        said = true;
                        full();
                    }
                }
            } catch (InterruptedException e) {
                break;
            }
            try {
                unacked.incrementAndGet();
                producer.send(new ProducerRecord<>(topic, null, p.arrivedMillis(), key, p.value(), headers), acked);
            } catch (KafkaException | IllegalStateException e) {
                unacked.decrementAndGet();
                if (stopped) {
                    break;
                }
                failed(e, true);
            }
        }
    }

    private void acked(RecordMetadata metadata, Exception e) {
        unacked.decrementAndGet();
        if (e == null) {
            records.increment();
            bytes.add(Math.max(0, metadata.serializedValueSize()));
            failure.set(null); // a failure not yet said is over
            listening = true;
            if (logged != null) {
                logged = null;
                lastTrouble = null;
                log.info("{}: sending again", where);
            }
        } else if (!stopped) {
            // on the producer's I/O thread: counted now, said by the output's own thread (a probe may take 1 s)
            errors.get(kind(e)).increment();
            failure.set(e);
        }
    }

    /**
     * What went wrong: a timeout while the first broker accepts connections, after a broker has answered, is taken
     * for the topic's metadata that never came; while nothing listens there (as last probed), for a broker gone.
     */
    private Trouble kind(Throwable e) {
        Trouble t = Trouble.of(e);
        return t == Trouble.UNREACHABLE && listening && answered() ? Trouble.NO_TOPIC : t;
    }

    /** Connects to the first broker, at most every 2 s, and remembers whether something listens there. */
    private KafkaClients.Probe probe() {
        long now = System.nanoTime();
        if (lastProbe == null || now - lastProbeNanos > 2_000_000_000L) {
            lastProbe = KafkaClients.connect(url.brokers().split(",")[0]);
            lastProbeNanos = now;
            listening = lastProbe.listening();
        }
        return lastProbe;
    }

    /**
     * Logs a failed send once per change of trouble, on the output's own thread; {@code count}: count it too (one
     * thrown by {@code send}; the producer's callback counts its own).
     */
    private void failed(Throwable e, boolean count) {
        Trouble base = Trouble.of(e);
        KafkaClients.Probe probe = base == Trouble.UNREACHABLE || base == Trouble.SLOW ? probe() : null;
        Trouble t = probe != null && !probe.listening() ? Trouble.UNREACHABLE : kind(e);
        if (t == Trouble.NO_TOPIC && partitions > 0 && System.nanoTime() - lastCreateNanos > 5_000_000_000L) {
            createTopic();
        }
        if (count) {
            errors.get(t).increment();
        }
        if (t != logged) {
            logged = t;
            String detail = switch (t) {
                case UNREACHABLE -> probe().text();
                case NO_TOPIC -> "no topic '" + topic + "': create it, give the output partitions=N to create it,"
                        + " or let the broker create topics (auto.create.topics.enable)";
                default -> KafkaClients.describe(e);
            };
            lastTrouble = t.text + " (" + detail + ")";
            log.warn("{}: {}; the producer keeps trying, datagrams it cannot take are dropped and counted", where,
                    lastTrouble);
        }
    }

    /**
     * Says why {@code buffer=} datagrams of this output have waited for the broker's acknowledgement for a second:
     * nothing listens at the first broker any more (a broker gone after it answered: the producer holds the records
     * until {@code delivery.timeout.ms}), or it is slow. Its own queue fills meanwhile, and the route counts
     * {@code buffer_full}. On the output's thread (the probe may take a second).
     */
    private void full() {
        KafkaClients.Probe probe = probe();
        Trouble t = probe.listening() ? Trouble.SLOW : Trouble.UNREACHABLE;
        if (t != logged) {
            logged = t;
            lastTrouble = t.text + " (" + (probe.listening() ? buffer + " datagrams sent and not yet acknowledged"
                    : probe.text()) + ")";
            log.warn("{}: {}; the producer keeps trying, datagrams it cannot take are dropped and counted", where,
                    lastTrouble);
        }
    }

    /**
     * Creates the topic with {@code partitions=} partitions (the broker's default replication), unless it is there;
     * a failure is one line, and the output tries again when a send finds no topic (at most every 5 s).
     */
    private void createTopic() {
        lastCreateNanos = System.nanoTime();
        Properties props = url.admin(route);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(props)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
                        .all().get(10, TimeUnit.SECONDS);
                log.info("{}: created topic '{}' with {} partitions", where, topic, partitions);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    log.warn("{}: could not create topic '{}': {}", where, topic, KafkaClients.describe(e.getCause()));
                }
            } catch (java.util.concurrent.TimeoutException e) {
                log.warn("{}: could not create topic '{}': no answer in 10 s ({})", where, topic,
                        KafkaClients.probe(url.brokers().split(",")[0]));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                admin.close(java.time.Duration.ofSeconds(1));
            }
        } catch (KafkaException e) {
            log.warn("{}: could not create topic '{}': {}", where, topic, KafkaClients.describe(e));
        }
    }

    /** Whether a Kafka broker has answered the producer at all (then a send that timed out lacks its topic). */
    private boolean answered() {
        return KafkaClients.metric(producer.metrics(), "producer-metrics", "response-total") > 0;
    }
}
