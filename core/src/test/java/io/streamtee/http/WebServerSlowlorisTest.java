package io.streamtee.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.Figures;
import io.streamtee.testing.Slowloris;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slowloris against the one web server (issue 16): while many connections send their headers a byte at a time and
 * others stall half way, a healthy client is still answered, and the stalled ones are closed by the idle timeout.
 */
class WebServerSlowlorisTest {
    private WebServer web;

    @AfterEach
    void close() {
        if (web != null) {
            web.close();
        }
    }

    @Test
    void aHealthyClientIsAnsweredWhileSlowClientsHoldConnectionsAndStalledOnesAreClosed() throws Exception {
        web = new WebServer("--http", "127.0.0.1", 0, "the-token").idleTimeout(Duration.ofSeconds(1))
                .start("another test", config -> config.routes.get("/api/ok",
                        ctx -> Web.json(ctx, 200, Map.of("ok", true))));
        Slowloris.Result r = new Slowloris(web.port(), 200, 50).byteEvery(Duration.ofMillis(400))
                .run(URI.create(web.url() + "api/ok"), Duration.ofSeconds(4), "Bearer the-token");

        assertThat(r.healthyRequests()).isGreaterThan(5);
        assertThat(r.healthyOk()).isEqualTo(r.healthyRequests());
        assertThat(r.healthyMaxMs()).isLessThan(3_000);
        assertThat(r.stalledClosed()).isEqualTo(r.stalled());
        Figures.of("hostile.slowloris").put("port", "core WebServer").put("trickling", r.trickling())
                .put("connections_held", r.tricklingHeld()).put("stalled", r.stalled())
                .put("stalled_closed", r.stalledClosed()).put("healthy_requests", r.healthyRequests())
                .put("healthy_request_ms", r.healthyMedianMs()).put("healthy_max_ms", r.healthyMaxMs())
                .record(getClass(), "aHealthyClientIsAnsweredWhileSlowClientsHoldConnectionsAndStalledOnesAreClosed");
    }
}
