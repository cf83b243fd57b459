package io.streamtee.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.relay.DropReason;
import io.streamtee.relay.OutputStats;
import io.streamtee.relay.Relay;
import io.streamtee.relay.TestRelays;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RouteConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelayMetricsTest {
    @Test
    void aRestartedRouteKeepsItsSeries() {
        try (Relay relay = TestRelays.relay("udp://127.0.0.1:0", "127.0.0.1:9")) {
            RelayMetrics metrics = new RelayMetrics(relay, () -> 0);
            assertThat(metrics.scrape()).contains("streamtee_route_received_datagrams_total{route=\"cam\"}")
                    .contains("streamtee_output_sent_datagrams_total{output=\"o1\",route=\"cam\"");
            String input = "udp://127.0.0.1:" + relay.route("cam").localAddress().getPort();
            relay.apply(ConfigLoader.check(new RelayConfig(Map.of("cam", new RouteConfig(input, List.of(),
                    List.of("127.0.0.1:9"), "4MiB", null, null, null)), "0", null)));
            String after = metrics.scrape();
            assertThat(after).contains("streamtee_route_received_datagrams_total{route=\"cam\"}")
                    .contains("streamtee_route_input_bits_per_second{route=\"cam\"}")
                    .contains("streamtee_output_sent_datagrams_total{output=\"o1\",route=\"cam\"");
        }
    }

    @Test
    void theSentCounterNeverGoesDownWhenAFailureIsReportedAfterAScrape() {
        try (Relay relay = TestRelays.relay("udp://127.0.0.1:0", "127.0.0.1:9")) {
            RelayMetrics metrics = new RelayMetrics(relay, () -> 0);
            OutputStats out = relay.route("cam").outputStats().get(0);
            String series = "streamtee_output_sent_datagrams_total{output=\"o1\",route=\"cam\",url=\"127.0.0.1:9\"} ";
            long base = out.snapshot().datagrams();

            out.sent(10, 13_160, 0);
            assertThat(metrics.scrape()).contains(series + (base + 10) + ".0");
            out.failed(DropReason.REFUSED, 4, -1); // the kernel reports 4 of them refused, after the scrape
            assertThat(out.snapshot().datagrams()).isEqualTo(base + 6);
            assertThat(metrics.scrape()).as("a counter that went down would read as a restart")
                    .contains(series + (base + 10) + ".0");
            out.sent(10, 13_160, 0);
            assertThat(metrics.scrape()).contains(series + (base + 16) + ".0");
        }
    }
}
