package io.streamtee.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An address given as a URL: {@code udp://host:port?param=value}, {@code udp://[::1]:8100}, a bare
 * {@code host:port} (UDP), {@code tcp://host:port}, {@code http://host[:port]/path} (inputs), or
 * {@code kafka://broker1:9092,broker2:9092/topic} (whose address is the first broker, whose path is the topic). The host is resolved
 * once, when the endpoint is parsed (a TCP output or HTTP input that reconnects goes to the same address).
 *
 * <p>Parameters: for inputs {@code iface} (name or address of the interface to join a multicast group on) and
 * {@code source} (source-specific multicast); for outputs {@code ttl}, {@code iface} and {@code loop}; for
 * {@code kafka://} the options the kafka module reads, and any {@code producer.} (output) or {@code consumer.} (input)
 * property, handed to Kafka's client.
 *
 * @param url     the text as the user wrote it, used in logs and metrics
 * @param address the resolved socket address
 * @param params  the query parameters, already checked against the role's known names
 */
public record Endpoint(String url, String scheme, InetSocketAddress address, String path, Map<String, String> params) {

    /** Where an endpoint is used; decides which schemes and query parameters are allowed. */
    public enum Role {
        INPUT(Map.of("udp", Set.of("iface", "source"), "tcp", Set.of("framing"), "http", Set.of("framing"),
                "rtsp", Set.of("transport", "audio"), "rtsps", Set.of("transport", "audio"),
                "srt", Set.of("mode", "passphrase", "latency", "streamid"), "kafka", Set.of("group", "from", "key", "sasl", "tls", "ca")),
                "consumer."),
        OUTPUT(Map.of("udp", Set.of("ttl", "iface", "loop"), "tcp", Set.of("framing"),
                "srt", Set.of("mode", "passphrase", "latency", "streamid"),
                "kafka", Set.of("key", "acks", "linger", "batch", "compression", "buffer", "partitions", "sasl", "tls",
                        "ca")),
                "producer.");

        private final Map<String, Set<String>> params;
        /** The prefix of a {@code kafka://} parameter handed to Kafka's client as it is ({@code producer.acks=1}). */
        private final String kafkaPrefix;

        Role(Map<String, Set<String>> params, String kafkaPrefix) {
            this.params = params;
            this.kafkaPrefix = kafkaPrefix;
        }
    }

    /** The port of a {@code kafka://} broker written without one. */
    public static final int KAFKA_PORT = 9092;

    public Endpoint {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public boolean isUdp() {
        return scheme.equals("udp");
    }

    /**
     * Parses and resolves {@code text}.
     *
     * @throws ConfigException naming the text and what is wrong with it
     */
    public static Endpoint parse(String given, Role role) {
        if (given == null || given.isBlank()) {
            throw new ConfigException("empty address (expected udp://host:port)");
        }
        String text = mask(given); // what errors show: never the password
        String rest = given.strip();
        int schemeEnd = rest.indexOf("://");
        String scheme = "udp";
        if (schemeEnd >= 0) {
            scheme = rest.substring(0, schemeEnd).toLowerCase(java.util.Locale.ROOT);
            if (!role.params.containsKey(scheme)) {
                throw new ConfigException("bad URL '" + text + "': scheme '" + scheme + "' is not supported for an "
                        + role.name().toLowerCase(java.util.Locale.ROOT) + " (use "
                        + String.join(", ", new java.util.TreeSet<>(role.params.keySet()).stream()
                                .map(x -> x + "://").toList()) + ")");
            }
            rest = rest.substring(schemeEnd + 3);
        }
        boolean camera = scheme.equals("rtsp") || scheme.equals("rtsps");
        boolean kafka = scheme.equals("kafka");
        Map<String, String> params = new LinkedHashMap<>();
        int query = rest.indexOf('?');
        if (query >= 0) {
            parseQuery(text, rest.substring(query + 1), role, scheme, params, camera);
            rest = rest.substring(0, query);
        }
        String path = "";
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            path = rest.substring(slash);
            rest = rest.substring(0, slash);
        }
        if (kafka && path.contains("@") && rest.indexOf('@') < 0) {
            // a topic has no '@': a '/' typed into the password (masked by mask(), which looks past it)
            throw new ConfigException("bad URL '" + mask(text) + "': the user or password has a '/': write it %2F");
        }
        int at = rest.lastIndexOf('@');
        if (kafka) {
            rest = firstKafkaBroker(text, rest.substring(at + 1), path); // a user and password: SASL's
            at = -1;
        }
        if (at >= 0) {
            if (!camera) {
                throw new ConfigException("bad URL '" + text + "': a " + scheme + ":// address takes no user or password");
            }
            rest = rest.substring(at + 1);
        }
        if (scheme.equals("http") || camera) {
            path = path.isEmpty() ? "/" : path;
            if (!rest.startsWith("[") && rest.lastIndexOf(':') < 0 || rest.endsWith("]")) {
                rest = rest + ":" + switch (scheme) {
                    case "rtsp" -> 554;
                    case "rtsps" -> 322;
                    default -> 80;
                };
            }
        }
        String host;
        String portText;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new ConfigException("bad URL '" + text + "': expected [ipv6-address]:port");
            }
            host = rest.substring(1, close);
            portText = rest.substring(close + 2);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException("bad URL '" + text + "': no port (expected host:port)");
            }
            host = rest.substring(0, colon);
            portText = rest.substring(colon + 1);
            if (host.contains(":")) {
                throw new ConfigException("bad URL '" + text + "': write an IPv6 address in brackets, e.g. udp://[::1]:8100");
            }
        }
        if (host.isEmpty()) {
            throw new ConfigException("bad URL '" + text + "': no host (use 0.0.0.0 or [::] to listen on every address)");
        }
        int port = parsePort(text, portText, role);
        if (!path.isEmpty() && !path.equals("/") && !scheme.equals("http") && !camera && !kafka) {
            throw new ConfigException("bad URL '" + text + "': a " + scheme + ":// address has no path");
        }
        InetAddress resolved;
        try {
            resolved = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigException("cannot resolve host '" + host + "' in '" + text + "'");
        }
        Endpoint endpoint = new Endpoint(given, scheme, new InetSocketAddress(resolved, port), path, params);
        endpoint.validateParams();
        return endpoint;
    }

    private static int parsePort(String text, String portText, Role role) {
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new ConfigException("bad URL '" + text + "': port '" + portText + "' is not a number");
        }
        int min = role == Role.INPUT ? 0 : 1;
        if (port < min || port > 65535) {
            throw new ConfigException("bad URL '" + text + "': port " + port + " is out of range " + min + "-65535");
        }
        return port;
    }

    /**
     * Checks the broker list and topic of a {@code kafka://b1:9092,b2:9092/topic} URL and returns the first broker as
     * {@code host:port} (the endpoint's address; Kafka's client resolves the list itself).
     */
    private static String firstKafkaBroker(String text, String brokers, String path) {
        String topic = path.isEmpty() ? "" : path.substring(1);
        if (topic.isEmpty()) {
            throw new ConfigException("bad URL '" + text + "': no topic (expected kafka://broker:9092/topic)");
        }
        if (topic.length() > 249 || !topic.matches("[a-zA-Z0-9._-]+")) {
            throw new ConfigException("bad URL '" + text + "': topic '" + topic
                    + "' is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)");
        }
        String first = null;
        for (String broker : brokers.split(",", -1)) {
            if (broker.isEmpty()) {
                throw new ConfigException("bad URL '" + text + "': an empty broker in the list (expected"
                        + " kafka://broker1:9092,broker2:9092/topic)");
            }
            String hostPort = broker.startsWith("[") ? (broker.endsWith("]") ? broker + ":" + KAFKA_PORT : broker)
                    : broker.lastIndexOf(':') < 0 ? broker + ":" + KAFKA_PORT : broker;
            int colon = hostPort.lastIndexOf(':');
            parsePort(text, hostPort.substring(colon + 1), Role.OUTPUT);
            if (first == null) {
                first = hostPort;
            }
        }
        return first;
    }

    /**
     * @param passThrough whether unknown parameters are kept rather than refused: a camera's own (an RTSP URL such as
     *                    {@code /cam/realmonitor?channel=1&subtype=0}), handed to the camera as they are
     */
    private static void parseQuery(String text, String query, Role role, String scheme, Map<String, String> into,
            boolean passThrough) {
        Set<String> known = role.params.getOrDefault(scheme, Set.of());
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key;
            String value;
            try {
                key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) { // a % not followed by two hex digits; the value may be a secret
                throw new ConfigException("bad URL '" + text + "': parameter '" + (eq < 0 ? pair : pair.substring(0, eq))
                        + "' is not validly percent-encoded (a % must be followed by two hex digits)");
            }
            boolean kafkaProperty = scheme.equals("kafka") && key.startsWith(role.kafkaPrefix)
                    && key.length() > role.kafkaPrefix.length();
            if (!known.contains(key) && !passThrough && !kafkaProperty) {
                throw new ConfigException("bad URL '" + text + "': unknown parameter '" + key + "' for a " + scheme
                        + " " + role.name().toLowerCase(java.util.Locale.ROOT)
                        + (known.isEmpty() ? "" : " (known: " + String.join(", ", new java.util.TreeSet<>(known))
                                + (scheme.equals("kafka") ? ", " + role.kafkaPrefix + "<any Kafka client property>" : "")
                                + ")"));
            }
            into.put(key, value);
        }
    }

    private void validateParams() {
        String url = masked();
        if (params.containsKey("transport")) {
            transport();
        }
        if (params.containsKey("audio")) {
            audio();
        }
        if (scheme.equals("srt")) {
            srtMode();
            srtLatency();
            srtPassphrase();
        }
        if (params.containsKey("ttl")) {
            int ttl = ttl();
            if (ttl < 0 || ttl > 255) {
                throw new ConfigException("bad URL '" + url + "': ttl " + ttl + " is out of range 0-255");
            }
        }
        if (params.containsKey("loop")) {
            loop();
        }
        if (params.containsKey("framing")) {
            framing();
        }
        if (params.containsKey("iface")) {
            networkInterface();
        }
        if (params.containsKey("source")) {
            InetAddress source = source();
            if (!isMulticast()) {
                throw new ConfigException("bad URL '" + url + "': source= needs a multicast group address");
            }
            if ((source instanceof Inet6Address) != (address.getAddress() instanceof Inet6Address)) {
                throw new ConfigException("bad URL '" + url + "': source and group must both be IPv4 or both IPv6");
            }
        }
    }

    /**
     * How an RTSP input asks the camera for RTP: {@code tcp} (interleaved in the RTSP connection, the default: it
     * crosses NAT and firewalls and loses nothing) or {@code udp}.
     */
    public String transport() {
        String v = params.getOrDefault("transport", "tcp");
        if (!v.equals("tcp") && !v.equals("udp")) {
            throw new ConfigException("bad URL '" + masked() + "': transport '" + v + "' is not one of tcp, udp");
        }
        return v;
    }

    /**
     * What an RTSP input does with the camera's audio: {@code copy} (the default: AAC into the MPEG-TS as it is) or
     * {@code drop}.
     */
    public String audio() {
        String v = params.getOrDefault("audio", "copy");
        if (!v.equals("copy") && !v.equals("drop")) {
            throw new ConfigException("bad URL '" + masked() + "': audio '" + v + "' is not one of copy, drop");
        }
        return v;
    }

    /**
     * How an SRT endpoint connects: {@code listener} (waits for the peer: the default for an input),
     * {@code caller} (connects to it) or {@code rendezvous} (both sides call).
     */
    public String srtMode() {
        String v = params.getOrDefault("mode", "listener");
        if (!v.equals("listener") && !v.equals("caller") && !v.equals("rendezvous")) {
            throw new ConfigException("bad URL '" + masked() + "': mode '" + v
                    + "' is not one of listener, caller, rendezvous");
        }
        return v;
    }

    /** SRT's latency budget for retransmission ({@code latency=120ms}), or null for libsrt's default (120 ms). */
    public java.time.Duration srtLatency() {
        String v = params.get("latency");
        if (v == null) {
            return null;
        }
        java.time.Duration d = Units.duration("latency", v);
        if (d.isNegative() || d.toMillis() > 60_000) {
            throw new ConfigException("bad URL '" + masked() + "': latency '" + v + "' is out of range 0-60s");
        }
        return d;
    }

    /** SRT's passphrase (AES encryption and the peer's admission), or null for none; 10 to 79 characters. */
    public String srtPassphrase() {
        String v = params.get("passphrase");
        if (v != null && (v.length() < 10 || v.length() > 79)) {
            throw new ConfigException("bad URL '" + masked() + "': passphrase must be 10 to 79 characters long");
        }
        return v;
    }

    /**
     * The URL as logs, metrics, the API and the status page show it: a password, a passphrase or a secret Kafka
     * client property ({@code producer.sasl.jaas.config}, {@code consumer.ssl.key.password}, ...) replaced by
     * {@code ***}.
     */
    public String masked() {
        return mask(url);
    }

    /**
     * {@code text} with the password of its user info, if any, replaced by {@code ***}:
     * {@code rtsp://admin:secret@cam/1} becomes {@code rtsp://admin:***@cam/1}. Text without one is returned as is.
     */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        text = maskPassphrase(text);
        int start = text.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        int end = text.length();
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int at = text.lastIndexOf('@', end - 1);
        if (at < start && end < text.length() && text.charAt(end) == '/') {
            // a '/' typed into the password: the user info still ends at the last '@' before the query
            int query = text.indexOf('?', end);
            at = text.lastIndexOf('@', (query < 0 ? text.length() : query) - 1);
            end = at < 0 ? end : at + 1;
        }
        if (at < start) {
            return text;
        }
        int colon = text.indexOf(':', start);
        if (colon < 0 || colon > at) {
            return text; // a user and no password
        }
        return text.substring(0, colon + 1) + "***" + text.substring(at);
    }

    /**
     * {@code text} with the value of each secret query parameter replaced by {@code ***}: SRT's {@code passphrase},
     * and any whose name ends in {@code passphrase} or {@code password} or {@code .key} (a PEM private key) or contains {@code jaas},
     * {@code secret} or {@code token}.
     */
    private static String maskPassphrase(String text) {
        int query = text.indexOf('?');
        if (query < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.substring(0, query + 1));
        String[] pairs = text.substring(query + 1).split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            String pair = pairs[i];
            int eq = pair.indexOf('=');
            String key = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(java.util.Locale.ROOT);
            boolean secret = key.endsWith("passphrase") || key.endsWith("password") || key.contains("jaas")
                    || key.contains("secret") || key.contains("token") || key.endsWith(".key");
            out.append(i == 0 ? "" : "&").append(secret && eq >= 0 ? pair.substring(0, eq) + "=***" : pair);
        }
        return out.toString();
    }

    /** How a stream (TCP, HTTP) carries datagrams: {@code ts} (188-byte MPEG-TS packets, the default) or {@code length}. */
    public String framing() {
        String v = params.getOrDefault("framing", "ts");
        if (!v.equals("ts") && !v.equals("length")) {
            throw new ConfigException("bad URL '" + url + "': framing '" + v + "' is not one of ts, length");
        }
        return v;
    }

    public boolean isMulticast() {
        return address.getAddress().isMulticastAddress();
    }

    public boolean isIpv6() {
        return address.getAddress() instanceof Inet6Address;
    }

    /** The multicast TTL (hop limit); 1 unless {@code ttl=} is given. */
    public int ttl() {
        String v = params.get("ttl");
        if (v == null) {
            return 1;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException("bad URL '" + url + "': ttl '" + v + "' is not a number");
        }
    }

    /** Whether multicast sent by this output loops back to this host; the kernel default (on) unless {@code loop=}. */
    public boolean loop() {
        String v = params.get("loop");
        if (v == null) {
            return true;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "on", "yes" -> true;
            case "0", "false", "off", "no" -> false;
            default -> throw new ConfigException("bad URL '" + url + "': loop '" + v + "' is not one of 1/0/true/false");
        };
    }

    /** The source address for source-specific multicast, or null. */
    public InetAddress source() {
        String v = params.get("source");
        if (v == null) {
            return null;
        }
        try {
            return InetAddress.getByName(v);
        } catch (UnknownHostException e) {
            throw new ConfigException("bad URL '" + url + "': cannot resolve source '" + v + "'");
        }
    }

    /** The interface named by {@code iface=} (a name such as {@code eth0} or one of its addresses), or null. */
    public NetworkInterface networkInterface() {
        String v = params.get("iface");
        if (v == null) {
            return null;
        }
        try {
            NetworkInterface byName = NetworkInterface.getByName(v);
            if (byName != null) {
                return byName;
            }
            if (!v.isEmpty() && (Character.isDigit(v.charAt(0)) || v.contains(":"))) {
                NetworkInterface byAddress = NetworkInterface.getByInetAddress(InetAddress.getByName(v));
                if (byAddress != null) {
                    return byAddress;
                }
            }
        } catch (SocketException | UnknownHostException e) {
            // fall through to the error below
        }
        throw new ConfigException("bad URL '" + url + "': no network interface '" + v + "' on this machine");
    }

    /** The {@linkplain #masked() masked} URL: safe to log. */
    @Override
    public String toString() {
        return masked();
    }
}
