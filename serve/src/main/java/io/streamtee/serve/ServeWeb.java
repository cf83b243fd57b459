package io.streamtee.serve;

import io.javalin.http.Context;
import io.streamtee.config.ApiSettings;
import io.streamtee.http.Web;
import io.streamtee.http.WebServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code serve}'s one web server: the page, the JSON API under {@code /api/} and {@code /metrics}, for every camera
 * {@link Serve} runs now (cameras come and go on reload, so every route looks its camera up per request).
 */
public final class ServeWeb implements AutoCloseable {
    private final Serve serve;
    private final WebServer web;

    /** @throws io.streamtee.config.ConfigException naming {@code web.listen} when the address needs a token */
    public ServeWeb(Serve serve, ApiSettings at) {
        this.serve = serve;
        this.web = new WebServer("web.listen", at.listen().getAddress().getHostAddress(), at.listen().getPort(),
                at.token());
    }

    /**
     * Binds and starts serving.
     *
     * @throws io.streamtee.cli.CommandException one line when the port cannot be bound
     */
    public ServeWeb start() {
        web.start("another streamtee serve", config -> {
            config.routes.get("/healthz", ctx -> Web.json(ctx, 200, Map.of("status", "ok",
                    "cameras", serve.cameras().size())));
            config.routes.get("/api/cameras", this::cameras);
        });
        return this;
    }

    private void cameras(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CameraServices c : serve.cameras()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("input", c.config().route().input().masked());
            m.put("record", c.recorder() != null);
            m.put("analyze", c.analyzer() != null);
            m.put("view", c.feed() != null);
            out.add(m);
        }
        Web.json(ctx, 200, out);
    }

    /** {@code http://host:port/}. */
    public String url() {
        return web.url();
    }

    public int port() {
        return web.port();
    }

    /** Stops serving. Idempotent. */
    @Override
    public void close() {
        web.close();
    }
}
