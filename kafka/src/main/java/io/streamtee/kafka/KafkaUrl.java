package io.streamtee.kafka;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.config.Units;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What a {@code kafka://broker1:9092,broker2:9092/topic?...} URL asks for, checked: the broker list, the topic, and
 * the Kafka client properties made from the URL's options. Every error is one line naming the option (the URL
 * masked).
 *
 * <p>Output options: {@code key} (the record key; the route's name by default, so one camera stays in one
 * partition), {@code acks} ({@code all}, the default, with the idempotent producer; {@code 1} or {@code 0}),
 * {@code linger} (default {@value #DEFAULT_LINGER_MS} ms), {@code batch} (bytes per partition batch, default
 * {@value #DEFAULT_BATCH} bytes), {@code compression} ({@code none}, the default: video does not compress;
 * {@code gzip}, {@code snappy}, {@code lz4}, {@code zstd}), {@code buffer} (datagrams waiting for the producer,
 * default {@value #DEFAULT_BUFFER}; past it they are dropped and counted), {@code partitions} (create the topic
 * with that many partitions if it is not there; without it the output never creates a topic) and
 * {@code producer.<property>}, any Kafka
 * producer property (SASL, SSL), which wins over the options above.
 *
 * <p>Input options: {@code key} (take only the records of this key, a camera: the inputs of one process on the same
 * topic and group then share one consumer, see {@link KeyedConsumers}), {@code group} (the consumer group;
 * {@code streamtee-<route>} by default, {@code streamtee-<topic>} with {@code key}), {@code from}
 * ({@code latest}, the default, {@code earliest}, or an ISO-8601 time such as {@code 2026-11-30T20:00:00Z}: where a
 * partition starts when the group has no committed offset for it; where it has one, the group resumes there), and {@code consumer.<property>}, any Kafka consumer
 * property.
 *
 * <p>Both: a user and password in the URL ({@code kafka://USER:PASSWORD@broker:9092/topic}, percent-encoded where
 * needed) log in with SASL, {@code sasl=plain} (the default), {@code scram-sha-256} or {@code scram-sha-512};
 * {@code tls=true} encrypts the connection, trusting the JVM's certificate authorities, or with {@code ca=FILE} (which
 * implies {@code tls=true}) those of a PEM file. The password shows nowhere: the URL is logged {@link Endpoint#masked() masked}.
 */
record KafkaUrl(String masked, String brokers, String topic, Map<String, String> params, String user,
        String password) {
    static final int DEFAULT_LINGER_MS = 5;
    static final int DEFAULT_BATCH = 256 * 1024;
    static final int DEFAULT_BUFFER = 8192;
    /** How long a send waits for the topic's metadata (an absent broker) unless {@code producer.max.block.ms}. */
    static final int DEFAULT_MAX_BLOCK_MS = 5_000;

    static KafkaUrl of(Endpoint endpoint) {
        if (!endpoint.scheme().equals("kafka")) {
            throw new IllegalArgumentException("not a kafka:// URL: " + endpoint.masked());
        }
        String rest = endpoint.url().strip();
        rest = rest.substring(rest.indexOf("://") + 3);
        int end = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            if (rest.charAt(i) == '/' || rest.charAt(i) == '?') {
                end = i;
                break;
            }
        }
        String authority = rest.substring(0, end);
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            int colon = info.indexOf(':');
            try {
                user = percentDecoded(colon < 0 ? info : info.substring(0, colon));
                password = colon < 0 ? "" : percentDecoded(info.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("bad URL '" + endpoint.masked() + "': the user or password is not"
                        + " percent-encoded (a '%' starts %XX: write '%' as %25)");
            }
            authority = authority.substring(at + 1);
        }
        List<String> brokers = new ArrayList<>();
        for (String b : authority.split(",")) {
            boolean hasPort = b.startsWith("[") ? !b.endsWith("]") : b.lastIndexOf(':') >= 0;
            brokers.add(hasPort ? b : b + ":" + Endpoint.KAFKA_PORT);
        }
        return new KafkaUrl(endpoint.masked(), String.join(",", brokers), endpoint.path().substring(1),
                endpoint.params(), user, password);
    }

    /** {@code %xx} decoded, and nothing else ('+' stays '+'): user info is not a form. */
    private static String percentDecoded(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Never the password: a record's generated toString would show it. */
    @Override
    public String toString() {
        return masked;
    }

    /**
     * Puts the connection's security into {@code p}: {@code security.protocol} from the user info ({@code SASL_}) and
     * {@code tls=true} ({@code SSL}); with a user, the SASL mechanism ({@code sasl=plain}, the default,
     * {@code scram-sha-256} or {@code scram-sha-512}) and its login module's JAAS line carrying the user and password.
     * {@code producer.}/{@code consumer.} properties given in the URL are put after this and win.
     */
    private void security(Properties p) {
        String ca = params.get("ca");
        String tlsValue = params.getOrDefault("tls", ca != null ? "true" : "false");
        if (!tlsValue.equals("true") && !tlsValue.equals("false")) {
            throw bad("tls '" + tlsValue + "' is not true or false");
        }
        boolean tls = tlsValue.equals("true");
        if (ca != null) {
            if (!tls) {
                throw bad("ca= is for an encrypted connection: drop tls=false");
            }
            if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(ca))) {
                throw bad("ca '" + ca + "' is not a readable file (PEM certificates the brokers' must chain to)");
            }
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.location", ca);
        }
        String sasl = params.get("sasl");
        if (sasl != null && user == null) {
            throw bad("sasl=" + sasl + " needs a user and password: kafka://USER:PASSWORD@broker:9092/topic");
        }
        if (user == null) {
            p.put("security.protocol", tls ? "SSL" : "PLAINTEXT");
            return;
        }
        String mechanism = switch (sasl == null ? "plain" : sasl.toLowerCase(Locale.ROOT)) {
            case "plain" -> "PLAIN";
            case "scram-sha-256" -> "SCRAM-SHA-256";
            case "scram-sha-512" -> "SCRAM-SHA-512";
            default -> throw bad("sasl '" + sasl + "' is not one of plain, scram-sha-256, scram-sha-512");
        };
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        p.put("security.protocol", tls ? "SASL_SSL" : "SASL_PLAINTEXT");
        p.put("sasl.mechanism", mechanism);
        p.put("sasl.jaas.config", module + " required username=\"" + jaasQuoted(user) + "\" password=\""
                + jaasQuoted(password) + "\";");
    }

    /** {@code s} inside a JAAS double-quoted string (Kafka's parser takes backslash escapes there). */
    private static String jaasQuoted(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** The record key of every datagram: {@code key=}, or the route's name. */
    String key(String route) {
        String k = params.get("key");
        return k == null || k.isEmpty() ? route : k;
    }

    /** How many datagrams may wait for the producer ({@code buffer=}). */
    int buffer() {
        String v = params.get("buffer");
        if (v == null) {
            return DEFAULT_BUFFER;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= 1_000_000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw bad("buffer '" + v + "' is not a number of datagrams in 1-1000000");
    }

    /**
     * How many partitions to create the topic with when it is not there ({@code partitions=}), or 0: the output does
     * not create it (the broker may, if {@code auto.create.topics.enable}).
     */
    int partitions() {
        String v = params.get("partitions");
        if (v == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= 100_000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw bad("partitions '" + v + "' is not a number in 1-100000");
    }

    /** The admin client's properties for {@code route}: the producer's that an admin client knows (brokers, security). */
    Properties admin(String route) {
        Properties p = new Properties();
        Set<String> known = AdminClientConfig.configNames();
        producer(route).forEach((k, v) -> {
            if (known.contains(k.toString())) {
                p.put(k, v);
            }
        });
        return p;
    }

    /** The producer's properties: the options, then every {@code producer.} property over them. */
    Properties producer(String route) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "streamtee-" + route);
        String acks = params.getOrDefault("acks", "all");
        if (!Set.of("all", "1", "0").contains(acks)) {
            throw bad("acks '" + acks + "' is not one of all, 1, 0");
        }
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(acks.equals("all")));
        if (!acks.equals("all")) {
            // without idempotence, a retried batch could land after the next one: one request at a time keeps a
            // camera's datagrams in order in its partition (a producer.max.in.flight... given in the URL wins)
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        }
        p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(params.containsKey("linger")
                ? checked(() -> Units.duration("linger", params.get("linger")).toMillis()) : DEFAULT_LINGER_MS));
        long batch = params.containsKey("batch") ? checked(() -> Units.bytes("batch", params.get("batch")))
                : DEFAULT_BATCH;
        if (batch < 1 || batch > 64L << 20) {
            throw bad("batch '" + params.get("batch") + "' is out of range 1 byte-64MiB");
        }
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Long.toString(batch));
        String compression = params.getOrDefault("compression", "none").toLowerCase(Locale.ROOT);
        if (!Set.of("none", "gzip", "snappy", "lz4", "zstd").contains(compression)) {
            throw bad("compression '" + compression + "' is not one of none, gzip, snappy, lz4, zstd");
        }
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(DEFAULT_MAX_BLOCK_MS));
        security(p);
        passThrough("producer.", ProducerConfig.configNames(), p);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /**
     * The consumer group ({@code group=}), by default {@code streamtee-<route>}, or with {@code key=} (the inputs of
     * one process share a consumer) {@code streamtee-<topic>}.
     */
    String group(String route) {
        String g = params.get("group");
        if (g == null || g.isEmpty()) {
            return "streamtee-" + (params.containsKey("key") ? topic : route);
        }
        return g;
    }

    /** The time to start from ({@code from=<ISO time>}), or null for {@code earliest} / {@code latest}. */
    Instant fromTime() {
        String v = params.getOrDefault("from", "latest");
        if (v.equals("earliest") || v.equals("latest")) {
            return null;
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(v);
            } catch (DateTimeParseException e2) {
                throw bad("from '" + v + "' is not earliest, latest or an ISO-8601 time (e.g. 2026-11-30T20:00:00Z)");
            }
        }
    }

    /** The consumer's properties: the options, then every {@code consumer.} property over them. */
    Properties consumer(String route) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamtee-" + route);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group(route));
        // a time: the consumer seeks to it when given a partition; where it has no offset for it, the earliest
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromTime() == null ? params.getOrDefault("from", "latest")
                : "earliest");
        security(p);
        passThrough("consumer.", ConsumerConfig.configNames(), p);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // committed after each hand-off
        return p;
    }

    private void passThrough(String prefix, Set<String> known, Properties into) {
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String name = e.getKey().substring(prefix.length());
            if (!known.contains(name)) {
                throw bad("unknown Kafka client property '" + e.getKey() + "'");
            }
            if (name.endsWith("serializer") || name.endsWith("deserializer")) {
                throw bad("'" + e.getKey() + "' cannot be set: datagrams are bytes");
            }
            into.put(name, e.getValue());
        }
    }

    private long checked(LongSupplier value) {
        try {
            return value.getAsLong();
        } catch (ConfigException e) {
            throw bad(e.getMessage());
        }
    }

    ConfigException bad(String what) {
        return new ConfigException("bad URL '" + masked + "': " + what);
    }
}
