package io.streamtee.kafka;

import io.streamtee.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;

/**
 * One Kafka producer for all the outputs of this process whose URLs ask for the same brokers and the same producer
 * settings (Kafka's advice: a producer is thread-safe, and one shared is faster than many): one connection per
 * broker, one network thread, and the records of many cameras in each request, where a producer per output would
 * send a request per camera. Each output {@link #acquire acquires} a lease; the producer closes with its last one.
 */
final class SharedProducers {
    private static final Map<Map<String, String>, Shared> OPEN = new HashMap<>();

    private SharedProducers() {
    }

    /** A producer and how many outputs hold it. */
    private static final class Shared {
        final Map<String, String> key;
        final KafkaProducer<String, byte[]> producer;
        int leases;

        Shared(Map<String, String> key, KafkaProducer<String, byte[]> producer) {
            this.key = key;
            this.producer = producer;
        }
    }

    /** An output's hold on a shared producer. Closing it (idempotent) closes the producer if it was the last. */
    static final class Lease implements AutoCloseable {
        private final Shared shared;
        private boolean closed;

        private Lease(Shared shared) {
            this.shared = shared;
        }

        KafkaProducer<String, byte[]> producer() {
            return shared.producer;
        }

        /** How many outputs share this producer now. */
        int sharedBy() {
            synchronized (SharedProducers.class) {
                return shared.leases;
            }
        }

        @Override
        public void close() {
            boolean last;
            synchronized (SharedProducers.class) {
                if (closed) {
                    return;
                }
                closed = true;
                last = --shared.leases == 0;
                if (last) {
                    OPEN.remove(shared.key);
                }
            }
            if (last) {
                // what is batched gets 2 s to go; outside the lock: another output may open meanwhile
                shared.producer.close(Duration.ofSeconds(2));
            }
        }
    }

    /**
     * The producer for {@code properties} (its {@code client.id} aside: the first output's names the producer),
     * opened if no output holds one.
     *
     * @throws ConfigException when Kafka's client refuses the properties, via {@code bad}
     */
    static synchronized Lease acquire(Properties properties, java.util.function.Function<String, ConfigException> bad) {
        Map<String, String> key = new TreeMap<>();
        properties.forEach((k, v) -> key.put(k.toString(), v.toString()));
        key.remove(ProducerConfig.CLIENT_ID_CONFIG);
        Shared shared = OPEN.get(key);
        if (shared == null) {
            try {
                shared = new Shared(key, new KafkaProducer<>(properties));
            } catch (KafkaException e) {
                throw bad.apply(KafkaClients.describe(e));
            }
            OPEN.put(key, shared);
        }
        shared.leases++;
        return new Lease(shared);
    }
}
