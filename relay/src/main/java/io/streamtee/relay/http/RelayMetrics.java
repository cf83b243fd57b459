package io.streamtee.relay.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.DropReason;
import io.streamtee.relay.OutputStats;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.RouteOutput;
import io.streamtee.relay.RouteStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The relay's counters as Prometheus series. All but the bit-rate gauge are counters, so {@code rate()} gives bit
 * rates and drop rates:
 *
 * <pre>
 * streamtee_route_received_datagrams_total{route}       streamtee_route_received_bytes_total{route}
 * streamtee_route_denied_datagrams_total{route}         streamtee_route_input_errors_total{route}
 * streamtee_output_sent_datagrams_total{route,output,url}   streamtee_output_sent_bytes_total{route,output,url}
 * streamtee_output_dropped_datagrams_total{route,output,url,reason}
 * streamtee_http_unauthorized_total
 * streamtee_route_input_bits_per_second{route}          (a gauge: the input's bit rate over the last 10 s)
 * </pre>
 *
 * The gauge is computed from per-second byte counts kept by the route ({@link RouteStats#bitsPerSecond}), so it is
 * the same for every scraper and on the first scrape. Routes and outputs come and go while the relay runs, so the meters are brought in line with the relay at each
 * {@link #scrape}: new ones registered, those of removed outputs and stopped routes removed.
 */
public final class RelayMetrics {
    private final Relay relay;
    private final LongSupplier unauthorized;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The meters registered for each counters object (a RouteStats or an OutputStats), by identity. */
    private final Map<Object, List<Meter>> meters = new HashMap<>();
    /** @param unauthorized requests the web server refused for a missing or wrong token */
    public RelayMetrics(Relay relay, LongSupplier unauthorized) {
        this.relay = relay;
        this.unauthorized = unauthorized;
        // Micrometer holds the counted object weakly: count through this (held by the server), not the lambda.
        FunctionCounter.builder("streamtee.http.unauthorized", this, m -> m.unauthorized.getAsLong())
                .description("HTTP requests refused for a missing or wrong token")
                .register(registry);
    }

    /** The Prometheus text exposition of every series, after following the relay's routes and outputs. */
    public synchronized String scrape() {
        sync();
        return registry.scrape();
    }

    private void sync() {
        List<Route> routes = relay.routes();
        Set<Object> live = new HashSet<>();
        for (Route route : routes) {
            live.add(route.stats());
            route.outputs().forEach(o -> live.add(o.stats()));
        }
        // Remove the gone first: a restarted route's new meters have the same names and tags as its old ones.
        for (var it = meters.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!live.contains(e.getKey())) {
                e.getValue().forEach(registry::remove);
                it.remove();
            }
        }
        for (Route route : routes) {
            RouteStats rs = route.stats();
            meters.computeIfAbsent(rs, k -> routeMeters(route.name(), rs));
            for (RouteOutput out : route.outputs()) {
                OutputStats os = out.stats();
                meters.computeIfAbsent(os, k -> outputMeters(route.name(), out.id(), Endpoint.mask(out.url()), os));
            }
        }
    }

    private List<Meter> routeMeters(String route, RouteStats stats) {
        Tags tags = Tags.of("route", route);
        List<Meter> list = new ArrayList<>(routeInputMeters(tags, stats));
        for (String event : stats.inputCounters().keySet()) {
            list.add(counter("streamtee.route.input.events",
                    "Events of a pulled input (RTSP, SRT): connects, reconnects, errors by kind, SRT packets",
                    tags.and("event", event), stats, s -> s.inputCounters().getOrDefault(event, 0L)));
        }
        for (String gauge : stats.inputGauges().keySet()) {
            list.add(gauge("streamtee.route.input.gauges",
                    "Gauges of a pulled input: an SRT link's RTT and latency (ms), bandwidth and rates (Mbit/s)",
                    tags.and("gauge", gauge), stats, s -> s.inputGauges().getOrDefault(gauge, 0.0)));
        }
        return list;
    }

    private List<Meter> routeInputMeters(Tags tags, RouteStats stats) {
        return List.of(
                Gauge.builder("streamtee.route.input.bits.per.second", stats,
                                s -> s.bitsPerSecond(System.currentTimeMillis()))
                        .description("The input's bit rate over the last " + RouteStats.RATE_WINDOW_SECONDS + " s")
                        .tags(tags).register(registry),
                counter("streamtee.route.received.datagrams", "Datagrams accepted from the route's input", tags,
                        stats, s -> s.snapshot().datagrams()),
                counter("streamtee.route.received.bytes", "Bytes accepted from the route's input", tags,
                        stats, s -> s.snapshot().bytes()),
                counter("streamtee.route.denied.datagrams", "Datagrams dropped by the route's allow list", tags,
                        stats, s -> s.snapshot().denied()),
                counter("streamtee.route.input.errors", "Receive errors on the route's input", tags,
                        stats, s -> s.snapshot().inputErrors()));
    }

    private List<Meter> outputMeters(String route, String id, String url, OutputStats stats) {
        Tags tags = Tags.of("route", route, "output", id, "url", url);
        List<Meter> list = new ArrayList<>();
        // Sent is "handed over minus reported failed", and an ICMP error may be reported after a scrape counted its
        // copy: a Prometheus counter must never go down (it would read as a reset), so it holds its highest value
        // until the output's count passes it again.
        AtomicLong sentHigh = new AtomicLong();
        AtomicLong sentBytesHigh = new AtomicLong();
        list.add(counter("streamtee.output.sent.datagrams",
                "Copies sent: handed to the socket and not reported failed since", tags,
                stats, s -> sentHigh.accumulateAndGet(s.snapshot().datagrams(), Math::max)));
        list.add(counter("streamtee.output.sent.bytes", "Bytes of the copies sent", tags,
                stats, s -> sentBytesHigh.accumulateAndGet(s.snapshot().bytes(), Math::max)));
        for (DropReason reason : DropReason.values()) {
            list.add(counter("streamtee.output.dropped.datagrams", "Copies the output lost, by reason",
                    tags.and("reason", reason.key()), stats, s -> s.snapshot().dropped(reason)));
        }
        for (String event : stats.counters().keySet()) {
            list.add(counter("streamtee.output.events",
                    "Events of a plugged output (SRT): connects, errors by kind, SRT packets, retransmissions",
                    tags.and("event", event), stats, s -> s.counters().getOrDefault(event, 0L)));
        }
        for (String gauge : stats.gauges().keySet()) {
            list.add(gauge("streamtee.output.gauges",
                    "Gauges of a plugged output: an SRT link's RTT and latency (ms), bandwidth and rates (Mbit/s)",
                    tags.and("gauge", gauge), stats, s -> s.gauges().getOrDefault(gauge, 0.0)));
        }
        return list;
    }

    private <T> Meter gauge(String name, String help, Tags tags, T obj, ToDoubleFunction<T> value) {
        return Gauge.builder(name, obj, value).description(help).tags(tags).register(registry);
    }

    private <T> Meter counter(String name, String help, Tags tags, T obj, ToDoubleFunction<T> value) {
        // The meter holds obj weakly; the route holds it as long as the output lives, and sync() removes it then.
        return FunctionCounter.builder(name, obj, value).description(help).tags(tags).register(registry);
    }
}
