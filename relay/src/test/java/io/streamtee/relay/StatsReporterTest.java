package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RouteConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsReporterTest {
    private static Route route() {
        return new Route(ConfigLoader.checkRoute("cam", RouteConfig.of("udp://127.0.0.1:0", List.of(),
                List.of("127.0.0.1:8101", "127.0.0.1:8102"))));
    }

    @Test
    void summaryLineCountsEveryOutputAndItsDropsByReason() throws Exception {
        Route r = route();
        try (StatsReporter reporter = new StatsReporter(List.of(r), Duration.ZERO)) {
            assertThat(reporter.summary(r)).isEqualTo("route cam: in 0 datagrams, 0 B, 0 bit/s, nothing received yet"
                    + " | 127.0.0.1:8101 0 sent | 127.0.0.1:8102 0 sent");
            r.stats().received(1000, 1_316_000, System.currentTimeMillis());
            r.stats().denied(InetAddress.getByName("10.9.9.9"));
            r.outputStats().get(0).sent(1000, 1_316_000, System.currentTimeMillis());
            r.outputStats().get(1).sent(990, 1_302_840, System.currentTimeMillis());
            r.outputStats().get(1).dropped(DropReason.REFUSED, 7);
            r.outputStats().get(1).dropped(DropReason.BUFFER_FULL, 10);
            assertThat(reporter.summary(r)).startsWith("route cam: in 1000 datagrams, 1.3 MB, ")
                    .endsWith(", 1 denied | 127.0.0.1:8101 1000 sent"
                            + " | 127.0.0.1:8102 990 sent, 17 dropped (refused 7, buffer_full 10)");
        }
    }

    @Test
    void theExitSummaryAveragesOverTheTimeDataFlowedAndSaysSo() {
        Route r = route();
        long t0 = System.currentTimeMillis() - 60_000; // the relay ran a minute, data flowed for 2 s of it
        r.stats().received(500, 500_000, t0);
        r.stats().received(500, 500_000, t0 + 2_000);
        try (StatsReporter reporter = new StatsReporter(List.of(r), Duration.ZERO)) {
            assertThat(reporter.exitSummary(r)).startsWith(
                    "route cam: in 1000 datagrams, 1.0 MB, 4.0 Mbit/s average over the 2.0 s data flowed, ");
        }
    }

    @Test
    void anIdleInputIsSaidToBeIdle() {
        Route r = route();
        r.stats().received(1, 188, System.currentTimeMillis() - 5_000);
        try (StatsReporter reporter = new StatsReporter(List.of(r), Duration.ZERO)) {
            assertThat(reporter.summary(r)).contains(", last datagram 5 s ago");
        }
    }
}
