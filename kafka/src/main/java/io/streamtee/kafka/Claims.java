package io.streamtee.kafka;

import io.streamtee.input.DatagramSink;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Who takes the records a {@link KafkaInput} consumes: one sink for every record (a plain input), or a sink per
 * record key (a camera), registered and withdrawn while the input runs ({@link KeyedConsumers}).
 */
final class Claims {
    /** A sink and what it took. */
    static final class Claim {
        private final DatagramSink sink;
        final LongAdder records = new LongAdder();
        final LongAdder bytes = new LongAdder();

        Claim(DatagramSink sink) {
            this.sink = sink;
        }

        DatagramSink sink() {
            return sink;
        }

        void took(int datagrams, long size) {
            records.add(datagrams);
            bytes.add(size);
        }
    }

    private final Claim all;
    private final Map<String, Claim> byKey;
    /** When each key's last claim was withdrawn ({@link System#nanoTime()}). */
    private final Map<String, Long> withdrawn = new ConcurrentHashMap<>();

    private Claims(Claim all, Map<String, Claim> byKey) {
        this.all = all;
        this.byKey = byKey;
    }

    /** Every record to {@code sink}. */
    static Claims all(DatagramSink sink) {
        return new Claims(new Claim(sink), null);
    }

    /** Each record to the sink registered for its key, if any. */
    static Claims byKey() {
        return new Claims(null, new ConcurrentHashMap<>());
    }

    boolean keyed() {
        return byKey != null;
    }

    /** The claim on records with {@code key} (UTF-8), or null when no one here takes them. */
    Claim claim(byte[] key) {
        if (all != null) {
            return all;
        }
        return key == null ? null : byKey.get(new String(key, StandardCharsets.UTF_8));
    }

    /** Registers {@code sink} for {@code key}; false when the key has one already. */
    boolean register(String key, Claim claim) {
        return byKey.putIfAbsent(key, claim) == null;
    }

    void withdraw(String key, Claim claim) {
        if (byKey.remove(key, claim)) {
            withdrawn.put(key, System.nanoTime());
        }
    }

    /** When the claim on {@code key} (UTF-8) was last withdrawn, or null if never. */
    Long withdrawnAt(byte[] key) {
        return key == null || byKey == null ? null : withdrawn.get(new String(key, StandardCharsets.UTF_8));
    }

    /** How many keys are claimed. */
    int size() {
        return byKey == null ? 1 : byKey.size();
    }
}
