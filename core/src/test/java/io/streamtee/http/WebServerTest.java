package io.streamtee.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.cli.CommandException;
import io.streamtee.config.ConfigException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebServerTest {
    private static final String TOKEN = "0123456789abcdef-token";
    private final HttpClient http = HttpClient.newHttpClient();
    private WebServer web;

    @AfterEach
    void close() {
        if (web != null) {
            web.close();
        }
    }

    private WebServer serve(String token) {
        web = new WebServer("--http", "127.0.0.1", 0, token).openPaths(Set.of("/"))
                .queryToken(path -> path.startsWith("/media/"));
        return web.start("another test", config -> {
            config.routes.get("/", ctx -> ctx.result("page"));
            config.routes.get("/api/ok", ctx -> Web.json(ctx, 200, java.util.Map.of("ok", true)));
            config.routes.get("/media/x", ctx -> ctx.result("bytes"));
            config.routes.ws("/media/ws", ws -> ws.onConnect(ctx -> ctx.send("hello")));
            config.routes.get("/api/missing", ctx -> {
                throw new Web.NotFound("no such thing");
            });
            config.routes.get("/api/bad", ctx -> {
                throw ConfigException.at("from", "not a time: 'x'\nsecond line");
            });
            config.routes.get("/api/broken", ctx -> {
                throw new IllegalStateException("boom");
            });
        });
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(web.url().replaceAll("/$", "") + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onlyALoopbackAddressMayGoWithoutAToken() {
        new WebServer("api", "127.0.0.1", 0, null).close();
        new WebServer("api", "127.0.0.2", 0, null).close();
        new WebServer("api", "::1", 0, null).close();
        for (String host : new String[] {"0.0.0.0", "::", "10.1.2.3"}) {
            assertThatThrownBy(() -> new WebServer("--http", host, 0, ""))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("--http: listening on " + host + " (not loopback) needs a token; set one, or listen"
                            + " on 127.0.0.1");
        }
        assertThatThrownBy(() -> new WebServer("api", "no-such-host.invalid", 0, null))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("api: cannot resolve host");
    }

    @Test
    void theBearerTokenIsComparedExactly() {
        Access access = new Access(TOKEN);

        assertThat(access.allows("Bearer " + TOKEN)).isTrue();
        assertThat(access.allows("bearer " + TOKEN)).isTrue();
        assertThat(access.allows(null)).isFalse();
        assertThat(access.allows(TOKEN)).isFalse();
        assertThat(access.allows("Bearer " + TOKEN + "x")).isFalse();
        assertThat(access.allows("Basic " + TOKEN)).isFalse();
        assertThat(new Access(null).allows(null)).isTrue();
    }

    @Test
    void theTokenRuleHoldsForEveryPathButTheOpenOnes() throws Exception {
        serve(TOKEN);

        assertThat(get("/", null).statusCode()).isEqualTo(200);
        assertThat(get("/api/ok", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/ok", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/api/ok", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/api/ok?token=" + TOKEN, null).statusCode()).as("?token= only where allowed").isEqualTo(401);
        assertThat(get("/media/x?token=" + TOKEN, null).statusCode()).isEqualTo(200);
        assertThat(get("/media/x?token=wrong", null).statusCode()).isEqualTo(401);
        assertThat(web.unauthorized()).isEqualTo(4);
    }

    @Test
    void aWebSocketUpgradeIsRefusedWithoutTheToken() throws Exception {
        serve(TOKEN);
        String ws = web.url().replace("http://", "ws://") + "media/ws";
        for (String uri : List.of(ws, ws + "?token=wrong")) {
            assertThatThrownBy(() -> http.newWebSocketBuilder().buildAsync(URI.create(uri),
                    new WebSocket.Listener() { }).get(5, TimeUnit.SECONDS)).as(uri)
                    .cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                            .isEqualTo(401));
        }
        CompletableFuture<String> got = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                got.complete(data.toString());
                return null;
            }
        };
        WebSocket query = http.newWebSocketBuilder().buildAsync(URI.create(ws + "?token=" + TOKEN), listener)
                .get(5, TimeUnit.SECONDS);
        assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
        query.abort();
        http.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
                .buildAsync(URI.create(ws), new WebSocket.Listener() { }).get(5, TimeUnit.SECONDS).abort();
        assertThat(web.unauthorized()).isEqualTo(2);
    }

    @Test
    void errorsAreOneLineJson() throws Exception {
        serve(null);

        HttpResponse<String> missing = get("/api/missing", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"error\":\"no such thing\"}");
        HttpResponse<String> bad = get("/api/bad", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        // a ConfigException escapes a line break in its message (JSON then escapes the backslash)
        assertThat(bad.body()).isEqualTo("{\"error\":\"from: not a time: 'x'\\\\nsecond line\"}");
        HttpResponse<String> broken = get("/api/broken", null);
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.body()).isEqualTo("{\"error\":\"boom\"}");
    }

    @Test
    void aPortInUseIsOneSentence() {
        serve(null);

        WebServer second = new WebServer("--http", "127.0.0.1", web.port(), null);
        assertThatThrownBy(() -> second.start("another recorder", config -> { }))
                .isInstanceOf(CommandException.class)
                .hasMessage("--http: cannot listen on 127.0.0.1:" + web.port() + ": address already in use (is another"
                        + " recorder or program listening on this port?)");
    }
}
