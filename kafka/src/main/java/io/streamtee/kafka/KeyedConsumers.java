package io.streamtee.kafka;

import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * {@code kafka://broker:9092/cameras?group=recorders&key=front-door} inputs: the inputs of one process that read the
 * same topic in the same group with the same settings share one consumer, and each takes the records of its key (a
 * camera: the relay's Kafka output keys records by route). Processes configured with the same cameras (two
 * {@code serve}s with the same file, or recorders started with the same cameras) then form one consumer group that
 * splits the cameras by partition; when one stops, another is given its partitions, and its inputs for those keys go
 * on from the last offset committed. The records of a key no input here claims are passed over and committed,
 * counted {@code unclaimed}: give every member the same cameras.
 */
final class KeyedConsumers {
    private static final Map<Map<String, String>, Shared> OPEN = new HashMap<>();

    private KeyedConsumers() {
    }

    /** One consumer and the claims on it. */
    private static final class Shared {
        final Map<String, String> id;
        final Claims claims = Claims.byKey();
        KafkaInput input;
        int users;

        Shared(Map<String, String> id) {
            this.id = id;
        }
    }

    /**
     * Starts {@code route}'s input of the records keyed {@code url}'s {@code key=}, on the process's consumer for
     * the URL's topic, group and settings (started now if none runs).
     *
     * @throws io.streamtee.config.ConfigException when another input here claims the same key there, or Kafka's
     *                                             client refuses the properties
     */
    static Input join(String route, KafkaUrl url, DatagramSink sink, long quietMillis) {
        String key = url.params().get("key");
        Map<String, String> id = new TreeMap<>();
        url.consumer(route).forEach((k, v) -> id.put(k.toString(), v.toString()));
        id.remove(ConsumerConfig.CLIENT_ID_CONFIG, "streamtee-" + route); // the route's own: not a setting
        id.put("topic", url.topic());
        id.put("from", url.params().getOrDefault("from", "latest"));
        Claims.Claim claim = new Claims.Claim(sink);
        Shared shared;
        synchronized (KeyedConsumers.class) {
            shared = OPEN.get(id);
            if (shared == null) {
                shared = new Shared(id);
                // named by topic and group, not by the route that happened to come first
                String shown = url.masked().replaceAll("([?&])key=[^&]*&?", "$1").replaceAll("[?&]$", "");
                shared.input = new KafkaInput(url.topic(), "kafka input " + shown + " (the consumer of this"
                        + " process's key= inputs)", url, shared.claims, quietMillis);
                OPEN.put(id, shared);
                shared.input.start();
            }
            if (!shared.claims.register(key, claim)) {
                if (shared.users == 0) {
                    OPEN.remove(id);
                    shared.input.close();
                }
                throw url.bad("key '" + key + "' is taken by another input here on the same topic and group");
            }
            shared.users++;
        }
        return new Handle(shared, key, claim);
    }

    /** One route's or service's share: its key's figures, the consumer's own beside them. */
    private static final class Handle implements Input {
        private final Shared shared;
        private final String key;
        private final Claims.Claim claim;
        private boolean closed;

        Handle(Shared shared, String key, Claims.Claim claim) {
            this.shared = shared;
            this.key = key;
            this.claim = claim;
        }

        @Override
        public Map<String, Long> counters() {
            Map<String, Long> m = new LinkedHashMap<>(shared.input.counters());
            // this key's own records and bytes; the consumer's over all keys under consumer.*
            m.put("consumer.records", m.get("records"));
            m.put("consumer.bytes", m.get("bytes"));
            m.put("records", claim.records.sum());
            m.put("bytes", claim.bytes.sum());
            return m;
        }

        @Override
        public Map<String, Double> gauges() {
            return shared.input.gauges();
        }

        @Override
        public void close() {
            boolean last;
            synchronized (KeyedConsumers.class) {
                if (closed) {
                    return;
                }
                closed = true;
                shared.claims.withdraw(key, claim);
                last = --shared.users == 0;
                if (last) {
                    OPEN.remove(shared.id);
                }
            }
            if (last) {
                shared.input.close();
            }
        }
    }
}
