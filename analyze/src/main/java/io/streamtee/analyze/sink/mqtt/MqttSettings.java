package io.streamtee.analyze.sink.mqtt;

import io.streamtee.analyze.sink.SinkUrl;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Units;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Where and how the MQTT sink publishes, from one URL:
 * {@code mqtt://[user[:password]@]host[:port][?prefix=streamtee&qos=1&client=streamtee-frontdoor&timeout=5s]}.
 * The password may instead come from the environment variable {@value #PASSWORD_ENV} (when the URL names a user but
 * no password); it never appears in {@link #name()}, {@link #toString()} or an error message.
 *
 * @param host     the broker's host name or address
 * @param port     its port, 1883 by default
 * @param user     the user name, or null to connect anonymously
 * @param password the password, or null
 * @param prefix   the first level of every topic ({@code streamtee}), without wildcards or a leading or trailing slash
 * @param qos      the quality of service of every message: 0, 1 (the default) or 2
 * @param clientId the MQTT client id; by default {@code streamtee-} and 8 random hex digits
 * @param timeout  how long connecting or publishing may take before the delivery fails, 5 s by default
 */
public record MqttSettings(String host, int port, String user, String password, String prefix, int qos,
        String clientId, Duration timeout) {

    /** The environment variable the password comes from when the URL names a user but no password. */
    public static final String PASSWORD_ENV = "STREAMTEE_MQTT_PASSWORD";
    public static final int DEFAULT_PORT = 1883;
    public static final String DEFAULT_PREFIX = "streamtee";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Parses {@code url}, taking a missing password from the process's environment. */
    public static MqttSettings parse(String url) {
        return parse(url, System::getenv);
    }

    /**
     * Parses {@code url}, taking a missing password from {@code env}.
     *
     * @throws ConfigException naming what is wrong, e.g. {@code sink 'mqtt://broker.lan': ?qos= must be 0, 1 or 2}
     */
    public static MqttSettings parse(String url, Function<String, String> env) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new ConfigException("sink '" + redact(url) + "': not a URL (" + e.getReason() + "); expected "
                    + "mqtt://[user[:password]@]host[:port][?prefix=streamtee&qos=1&client=ID&timeout=5s]");
        }
        return from(uri, env);
    }

    /** As {@link #parse(String, Function)}, from a parsed URI. */
    public static MqttSettings from(URI uri, Function<String, String> env) {
        String shown = redact(uri.toString());
        if (!"mqtt".equalsIgnoreCase(uri.getScheme())) {
            throw fail(shown, "the scheme must be mqtt:// (got " + (uri.getScheme() == null ? "none" : uri.getScheme()
                    + "://") + ")");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw fail(shown, "a host is required, as in mqtt://127.0.0.1:1883");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw fail(shown, "a path is not used (got " + uri.getRawPath() + "); set the topic with ?prefix=");
        }
        if (uri.getFragment() != null) {
            throw fail(shown, "a #fragment is not used");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();

        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = SinkUrl.decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : SinkUrl.decode(info.substring(colon + 1));
            if (user.isEmpty()) {
                throw fail(shown, "the user name before @ is empty");
            }
            if (password == null) {
                String fromEnv = env.apply(PASSWORD_ENV);
                password = fromEnv == null || fromEnv.isEmpty() ? null : fromEnv;
            }
        }

        Map<String, String> query = query(shown, uri.getRawQuery());
        String prefix = query.getOrDefault("prefix", DEFAULT_PREFIX);
        if (prefix.isEmpty() || prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("+")
                || prefix.contains("#") || prefix.contains("//") || prefix.indexOf('\0') >= 0) {
            throw fail(shown, "?prefix= must be a topic without wildcards (+ #) or a leading or trailing /, got '"
                    + prefix + "'");
        }
        int qos = switch (query.getOrDefault("qos", "1")) {
            case "0" -> 0;
            case "1" -> 1;
            case "2" -> 2;
            default -> throw fail(shown, "?qos= must be 0, 1 or 2, got '" + query.get("qos") + "'");
        };
        String clientId = query.containsKey("client") ? query.get("client")
                : "streamtee-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        if (clientId.isEmpty() || clientId.length() > 65535) {
            throw fail(shown, "?client= must not be empty");
        }
        Duration timeout = DEFAULT_TIMEOUT;
        if (query.containsKey("timeout")) {
            try {
                timeout = Units.duration("?timeout=", query.get("timeout"));
            } catch (ConfigException e) {
                throw fail(shown, e.getMessage());
            }
            if (timeout.toMillis() < 1) {
                throw fail(shown, "?timeout= must be at least 1ms, got '" + query.get("timeout") + "'");
            }
        }
        return new MqttSettings(uri.getHost(), port, user, password, prefix, qos, clientId, timeout);
    }

    private static Map<String, String> query(String shown, String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (SinkUrl.Param param : SinkUrl.params(raw)) {
            String key = param.key();
            String value = param.value();
            if (!key.equals("prefix") && !key.equals("qos") && !key.equals("client") && !key.equals("timeout")) {
                throw fail(shown, "?" + key + "= is not known (known: prefix, qos, client, timeout)");
            }
            if (out.put(key, value) != null) {
                throw fail(shown, "?" + key + "= is given twice");
            }
        }
        return out;
    }

    private static ConfigException fail(String shown, String what) {
        return new ConfigException("sink '" + shown + "': " + what);
    }

    /** {@code url} with the password, if any, replaced by {@code ***}. */
    static String redact(String url) {
        return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://[^:@/?#]*):[^/?#]*@", "$1:***@"); // to the last @
    }

    /** The broker as Paho wants it: {@code tcp://host:port}. */
    public String serverUri() {
        return "tcp://" + host + ":" + port;
    }

    /** How logs name the sink: {@code mqtt://[user@]host:port}, never with the password. */
    public String name() {
        return "mqtt://" + (user == null ? "" : user + "@") + host + ":" + port
                + (prefix.equals(DEFAULT_PREFIX) ? "" : "?prefix=" + prefix);
    }

    /** The same as {@link #name()} and the other settings; never the password. */
    @Override
    public String toString() {
        return "MqttSettings[" + name() + ", prefix=" + prefix + ", qos=" + qos + ", client=" + clientId
                + ", timeout=" + timeout + (password == null ? "" : ", password=***") + "]";
    }
}
