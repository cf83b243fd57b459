package io.streamtee.http;

import java.util.Map;
import java.util.Set;

/**
 * A {@link WebServer} for {@link WebServerOffLoopbackTest}, run as its own process inside a network namespace:
 * {@code OffLoopbackServer HOST TOKEN} listens on HOST with TOKEN, prints {@code port N}, and serves until stdin ends.
 * {@code /api/unauthorized} (token required) answers the refusal count.
 */
public final class OffLoopbackServer {
    private OffLoopbackServer() {
    }

    public static void main(String[] args) throws Exception {
        try (WebServer web = new WebServer("--http", args[0], 0, args[1]).openPaths(Set.of("/"))
                .queryToken(path -> path.startsWith("/media/"))) {
            web.start("another test", config -> {
                config.routes.get("/", ctx -> ctx.result("page"));
                config.routes.get("/api/ok", ctx -> Web.json(ctx, 200, Map.of("ok", true)));
                config.routes.get("/media/x", ctx -> ctx.result("bytes"));
                config.routes.ws("/media/ws", ws -> ws.onConnect(ctx -> ctx.send("hello")));
                config.routes.get("/api/unauthorized", ctx -> Web.json(ctx, 200,
                        Map.of("unauthorized", web.unauthorized())));
            });
            System.out.println("port " + web.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the test closes stdin (or kills this process)
            }
        }
    }
}
