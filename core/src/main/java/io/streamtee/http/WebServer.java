package io.streamtee.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.streamtee.cli.CommandException;
import io.streamtee.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one web server of streamtee: every command that serves HTTP (the relay's control API, the recorder's playback,
 * the services to come) builds one of these and adds its routes. It holds, in one place:
 * <ul>
 *   <li>binding: {@code host:port}, port 0 for any free one, {@link #port()} tells which;</li>
 *   <li>the token rule: off loopback a token is required (refused at construction, naming the key); with a token,
 *       every request but the {@linkplain #openPaths open paths} carries it as {@code Authorization: Bearer}, or as
 *       {@code ?token=} on the paths that take it (media URLs a player fetches by itself, WebSockets); a WebSocket
 *       upgrade is checked as well (it is refused with 401 before it is upgraded); refusals are counted;</li>
 *   <li>errors as one-line JSON: {@link Web.NotFound} 404, {@link Web.BadRequest} and {@link ConfigException} 400,
 *       anything else 500 (logged);</li>
 *   <li>a bind failure as one sentence ({@code playback: cannot listen on 127.0.0.1:8081: address already in use
 *       (is another recorder ...)}).</li>
 * </ul>
 *
 * <pre>{@code
 * WebServer web = new WebServer("--http", "127.0.0.1", 0, null)
 *         .start("another recorder", config -> config.routes.get("/api/x", ctx -> ...));
 * }</pre>
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    /**
     * How long a connection may go without a byte either way before it is closed (Jetty's default, set here so it is
     * a stated bound): a client that stops half way through its request (slowloris) holds a connection no longer.
     */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final String key;
    private final String host;
    private final int requestedPort;
    private final Access access;
    private final AtomicLong unauthorized = new AtomicLong();
    private Set<String> openPaths = Set.of("/", "/favicon.ico");
    private Predicate<String> queryToken = path -> true;
    private Duration idleTimeout = IDLE_TIMEOUT;
    private Javalin app;
    private boolean closed;

    /**
     * @param key   the flag or config key that set the address, for errors ({@code api}, {@code --http})
     * @param host  the address to listen on; anything but loopback needs a token
     * @param port  the TCP port, 0 for any free one
     * @param token the bearer token requests must carry, or null/empty for none (loopback only)
     * @throws ConfigException naming {@code key} if the host does not resolve, or is not loopback and there is no token
     */
    public WebServer(String key, String host, int port, String token) {
        InetAddress bind;
        try {
            bind = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw ConfigException.at(key, "cannot resolve host " + host);
        }
        if (!bind.isLoopbackAddress() && (token == null || token.isEmpty())) {
            throw ConfigException.at(key, "listening on " + host + " (not loopback) needs a token; set one, or listen"
                    + " on 127.0.0.1");
        }
        this.key = key;
        this.host = host;
        this.requestedPort = port;
        this.access = new Access(token);
    }

    /** Paths anyone may fetch, token or not (the page itself, whose scripts then send the token). */
    public WebServer openPaths(Set<String> paths) {
        this.openPaths = Set.copyOf(paths);
        return this;
    }

    /** Which paths also take the token as {@code ?token=} (default: all). */
    public WebServer queryToken(Predicate<String> paths) {
        this.queryToken = paths;
        return this;
    }

    /** Sets the {@linkplain #IDLE_TIMEOUT idle timeout} of connections (tests shorten it). */
    public WebServer idleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
        return this;
    }

    /**
     * Binds and starts serving.
     *
     * @param who    what else may hold the port, for the bind error ("another relay")
     * @param routes adds the routes (and any extra exception handlers) to Javalin's config
     * @throws CommandException if the port cannot be bound
     */
    public synchronized WebServer start(String who, Consumer<JavalinConfig> routes) {
        if (app != null || closed) {
            throw new IllegalStateException("already started");
        }
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.concurrency.useVirtualThreads = true; // a blocked thread per streaming client, cheaply
            config.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(host);
                connector.setPort(requestedPort);
                connector.setIdleTimeout(idleTimeout.toMillis());
                return connector;
            });
            config.routes.before(this::authorize);
            config.routes.wsBeforeUpgrade(this::authorize); // HTTP before handlers do not see a WebSocket upgrade
            config.routes.exception(Web.NotFound.class, (e, ctx) -> answer(ctx, 404, e));
            config.routes.exception(Web.BadRequest.class, (e, ctx) -> answer(ctx, 400, e));
            config.routes.exception(ConfigException.class, (e, ctx) -> answer(ctx, 400, e));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.warn("{} {}: {}", ctx.method(), ctx.path(), e.toString());
                LOG.debug("details", e);
                answer(ctx, 500, e);
            });
            routes.accept(config);
        });
        try {
            javalin.start();
        } catch (RuntimeException e) {
            throw new CommandException(key + ": cannot listen on " + host + ":" + requestedPort + ": "
                    + Web.bindFailure(e, who), e);
        }
        app = javalin;
        return this;
    }

    /** The bound port (the real one when 0 was asked for). */
    public int port() {
        return app.port();
    }

    /** The host as given, bracketed if IPv6, for URLs. */
    public String host() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** {@code http://host:port/}. */
    public String url() {
        return "http://" + host() + ":" + port() + "/";
    }

    /** Whether requests go without a token ("no token" / "token required" in the start line). */
    public boolean open() {
        return access.open();
    }

    /** Requests refused for a missing or wrong token, since start. */
    public long unauthorized() {
        return unauthorized.get();
    }

    /** Stops serving. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (app != null) {
            app.stop();
        }
    }

    private void authorize(Context ctx) {
        String path = ctx.path();
        if (access.open() || openPaths.contains(path)) {
            return;
        }
        String query = ctx.queryParam("token");
        boolean ok = access.allows(ctx.header("Authorization"))
                || query != null && queryToken.test(path) && access.tokenEquals(query);
        if (!ok) {
            unauthorized.incrementAndGet();
            ctx.header("WWW-Authenticate", "Bearer");
            Web.json(ctx, 401, Web.error("missing or wrong token (send Authorization: Bearer <token>"
                    + (queryToken.test(path) ? ", or ?token=)" : ")")));
            ctx.skipRemainingHandlers();
        }
    }

    private static void answer(Context ctx, int status, Exception e) {
        if (!ctx.res().isCommitted()) { // a streamed body already under way cannot turn into an error
            Web.json(ctx, status, Web.error(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }
}
