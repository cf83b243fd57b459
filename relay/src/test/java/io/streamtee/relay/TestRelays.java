package io.streamtee.relay;

import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RouteConfig;
import java.util.List;
import java.util.Map;

/** Relays for tests: one route, {@code cam}, with no allow-list and the relay-wide settings at their defaults. */
public final class TestRelays {
    private TestRelays() {
    }

    /** A started relay with route {@code cam} from {@code input} to {@code outputs}; the caller closes it. */
    public static Relay relay(String input, String... outputs) {
        return new Relay(ConfigLoader.check(new RelayConfig(Map.of("cam", RouteConfig.of(input, List.of(),
                List.of(outputs))), "0", null))).start();
    }
}
