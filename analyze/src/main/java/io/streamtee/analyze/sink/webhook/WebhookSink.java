package io.streamtee.analyze.sink.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.sink.SinkUrl;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Units;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each event as JSON to a URL: a home automation hook, a chat bot, anything that takes an HTTP request. The
 * body is the event as {@link io.streamtee.analyze.event.JsonLinesSink} writes it (one JSON object), with
 * {@code snapshot} set to where the snapshot can be fetched, and with {@code ?snapshot=inline} also
 * {@code snapshotJpeg}: the JPEG itself, base64.
 *
 * <p>Configured from one URL (see {@link #parse}). Every request carries {@code Content-Type: application/json} and
 * {@code User-Agent: streamtee/0.1}; with {@code ?secret=} also {@code X-Streamtee-Signature: sha256=<hex>}, the
 * HMAC-SHA256 of the exact body bytes keyed with the secret, lower-case hex (the scheme of GitHub's
 * {@code X-Hub-Signature-256}). A receiver checks it by computing the same over the raw body it received, before
 * parsing it, and comparing in constant time, e.g. in Python:
 *
 * <pre>{@code
 * expected = "sha256=" + hmac.new(secret.encode(), request_body, hashlib.sha256).hexdigest()
 * if not hmac.compare_digest(expected, request.headers["X-Streamtee-Signature"]): reject(401)
 * }</pre>
 *
 * <p>A delivery fails (and {@link io.streamtee.analyze.event.SinkQueue} tries it again) when the server cannot be
 * reached within the connect timeout (5 s), does not answer within the request timeout (10 s, {@code ?timeout=}),
 * or answers anything but 2xx ({@code HTTP 500 from https://host/path}). Nothing connects before the first
 * delivery, so a server that is down at start is not an error. The secret, the query and any user:password of the
 * URL never appear in {@link #name()}, in errors or in logs.
 */
public final class WebhookSink implements EventSink {
    /** How long connecting to the server may take. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long the server may take to answer a request, by default. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** The signature header, present when a secret is set. */
    public static final String SIGNATURE_HEADER = "X-Streamtee-Signature";
    static final String USER_AGENT = "streamtee/0.1";

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where the sink finds an event's snapshot: the JPEG itself (for {@code ?snapshot=inline}) and the URL a
     * receiver can fetch it from.
     */
    public interface Snapshots {
        /** The snapshot's JPEG bytes, or null when the event has none (or it is gone). */
        byte[] jpeg(Event event) throws IOException;

        /**
         * Where a receiver fetches the snapshot, or null for none; by default the event's own
         * {@link Event#snapshot()} path. An implementation that knows the analyzer's public address makes it
         * absolute.
         */
        default String url(Event event) {
            return event.snapshot();
        }
    }

    private final URI target;
    private final String shown;
    private final String authorization;
    private final byte[] secret;
    private final boolean inline;
    private final Snapshots snapshots;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private HttpClient client;

    /**
     * @param target         where to POST (its query is sent as is)
     * @param secret         the HMAC key, or null for no signature
     * @param inline         whether to attach the snapshot JPEG (when {@code snapshots} is given)
     * @param snapshots      where snapshots come from, or null: the event's snapshot path is sent as is
     * @param connectTimeout how long connecting may take
     * @param requestTimeout how long the server may take to answer
     */
    public WebhookSink(URI target, String secret, boolean inline, Snapshots snapshots, Duration connectTimeout,
            Duration requestTimeout) {
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || target.getHost() == null) {
            throw new IllegalArgumentException("webhook: need an http(s)://host/... URL");
        }
        String origin = scheme + "://" + target.getHost() + (target.getPort() < 0 ? "" : ":" + target.getPort());
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        this.shown = origin + path;
        this.target = URI.create(shown + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()));
        String userInfo = target.getUserInfo();
        this.authorization = userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.inline = inline;
        this.snapshots = snapshots;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    /** As {@link #parse(String, Snapshots)} with no snapshot source: the event's snapshot path is sent as is. */
    public static WebhookSink parse(String url) {
        return parse(url, null);
    }

    /**
     * A sink from how users write it: {@code webhook:https://host/path} or plainly {@code https://host/path}
     * ({@code http://} too), with options in the query:
     * <ul>
     * <li>{@code secret=...} sign each body (HMAC-SHA256, see the class comment);</li>
     * <li>{@code snapshot=inline} attach the snapshot JPEG as base64 (needs {@code snapshots}), or {@code url}
     * (the default) send only where to fetch it;</li>
     * <li>{@code timeout=10s} how long the server may take to answer.</li>
     * </ul>
     * Any other query parameter is the receiver's and is sent along. {@code https://user:pass@host/} sends HTTP Basic
     * authentication.
     *
     * @param snapshots where snapshots come from, or null
     * @throws ConfigException naming the sink (without its secret) and what is wrong
     */
    public static WebhookSink parse(String url, Snapshots snapshots) {
        String text = url == null ? "" : url.strip();
        String bare = text.regionMatches(true, 0, "webhook:", 0, 8) ? text.substring(8) : text;
        String label = "sink '" + redact(text) + "'";
        URI uri;
        try {
            uri = new URI(bare);
        } catch (URISyntaxException e) {
            throw new ConfigException(label + ": not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ConfigException(label + ": a webhook needs an http:// or https:// URL, e.g. "
                    + "webhook:https://hooks.example.org/streamtee");
        }
        if (uri.getHost() == null) {
            throw new ConfigException(label + ": the URL has no host");
        }
        String secret = null;
        boolean inline = false;
        Duration timeout = REQUEST_TIMEOUT;
        List<String> passOn = new ArrayList<>();
        for (SinkUrl.Param param : SinkUrl.params(uri.getRawQuery())) {
            String key = param.key();
            String value = param.value();
            switch (key) {
                case "secret" -> {
                    if (value.isEmpty()) {
                        throw new ConfigException(label + ": ?secret= is empty");
                    }
                    secret = value;
                }
                case "snapshot" -> {
                    switch (value) {
                        case "inline" -> inline = true;
                        case "url" -> inline = false;
                        default -> throw new ConfigException(label + ": ?snapshot= must be inline or url, not '"
                                + value + "'");
                    }
                }
                case "timeout" -> {
                    timeout = Units.duration(label + ": ?timeout=", value);
                    if (timeout.isZero() || timeout.isNegative()) {
                        throw new ConfigException(label + ": ?timeout= must be more than 0");
                    }
                }
                default -> passOn.add(param.raw());
            }
        }
        URI target;
        try {
            target = new URI(scheme + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath())
                    + (passOn.isEmpty() ? "" : "?" + String.join("&", passOn)));
        } catch (URISyntaxException e) {
            throw new ConfigException(label + ": not a URL (" + e.getReason() + ")");
        }
        return new WebhookSink(target, secret, inline, snapshots, CONNECT_TIMEOUT, timeout);
    }


    /** The URL as a person may see it: no user:password, no query (where secrets live). */
    private static String redact(String url) {
        String s = url.replaceFirst("(?<=//)[^/@?#]*@", "");
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q);
    }

    /** {@code webhook:https://host/path}: no query, no user:password. */
    @Override
    public String name() {
        return "webhook:" + shown;
    }

    /** Where requests go, with its query (for tests and diagnostics; may hold the receiver's own tokens). */
    URI target() {
        return target;
    }

    /** The body for an event: its JSON, with the snapshot's URL and, with {@code inline}, its JPEG. */
    byte[] body(Event event) {
        ObjectNode json = JSON.valueToTree(event);
        if (snapshots != null) {
            json.put("snapshot", snapshots.url(event));
            if (inline) {
                try {
                    byte[] jpeg = snapshots.jpeg(event);
                    if (jpeg != null) {
                        json.put("snapshotJpeg", Base64.getEncoder().encodeToString(jpeg));
                    }
                } catch (IOException e) { // the event matters more than its picture: send it without
                    LOG.debug("sink {}: no snapshot for {}: {}", name(), event.id(), e.toString());
                }
            }
        }
        try {
            return JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new IllegalStateException("event " + event.id() + " cannot be written as JSON", e);
        }
    }

    /** {@code sha256=<hex>}: the HMAC-SHA256 of {@code body} keyed with {@code secret}. */
    public static String signature(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e); // every JDK has it
        }
    }

    /**
     * POSTs the event and waits for the answer, at most the request timeout.
     *
     * @throws IOException with a one-line message naming the URL: unreachable, no answer in time, or not 2xx
     */
    @Override
    public void deliver(Event event) throws IOException, InterruptedException {
        byte[] body = body(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            request.header(SIGNATURE_HEADER, signature(secret, body));
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<Void> response;
        try {
            response = client().send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (HttpConnectTimeoutException e) {
            throw new IOException("could not connect to " + shown + " within " + Units.formatDuration(connectTimeout),
                    e);
        } catch (HttpTimeoutException e) {
            throw new IOException("no answer from " + shown + " within " + Units.formatDuration(requestTimeout), e);
        } catch (IOException e) {
            throw new IOException(shown + ": " + reason(e), e);
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new IOException("HTTP " + status + " from " + shown);
        }
    }

    /** The first message in the chain of causes ("Connection refused"), else the exception's kind; one line. */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage().lines().findFirst().orElse("");
            }
        }
        return e.getClass().getSimpleName();
    }

    private HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        }
        return client;
    }

    /** Drops the connections at once (a request in flight fails). Safe to call twice. */
    @Override
    public void close() {
        if (client != null) {
            client.shutdownNow();
            client = null;
        }
    }
}
