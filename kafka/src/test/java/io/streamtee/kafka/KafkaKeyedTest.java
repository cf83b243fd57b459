package io.streamtee.kafka;

import static io.streamtee.kafka.Cameras.assertSameInOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import java.util.concurrent.atomic.AtomicInteger;
import io.streamtee.relay.Relay;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code key=} inputs on a real broker: two members (two processes in life; here two consumers told apart by
 * {@code consumer.client.id}) each with an input per camera of a 3-camera topic. The group splits the cameras between
 * them, each camera's datagrams go to that camera's input alone, and when one member stops the other's inputs for
 * its cameras go on from the last commit: per camera, nothing lost, nothing twice, in order.
 */
@Timeout(180)
class KafkaKeyedTest {
    private static final int PER_CAMERA = 300;
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.shared();
    }

    /** A member: a relay with a route per camera, each taking its camera's records and sending them to its port. */
    private static Relay member(String name, List<String> cameras, List<UdpReceiver> to) {
        Map<String, RouteConfig> routes = new LinkedHashMap<>();
        for (int i = 0; i < cameras.size(); i++) {
            routes.put(cameras.get(i), RouteConfig.of("kafka://" + broker.bootstrap() + "/keyed?group=recorders"
                    + "&from=earliest&key=" + cameras.get(i) + "&consumer.client.id=" + name, List.of(),
                    List.of(to.get(i).url())));
        }
        return new Relay(ConfigLoader.check(new RelayConfig(routes, "0", null))).start();
    }

    private static long counter(Relay relay, String route, String name) {
        return relay.route(route).stats().inputCounters().getOrDefault(name, 0L);
    }

    private static int count(List<UdpReceiver> receivers) {
        return receivers.stream().mapToInt(UdpReceiver::count).sum();
    }

    @Test
    void twoMembersSplitTheCamerasAndTheOneLeftTakesOverFromTheLastCommit() throws Exception {
        broker.createTopic("keyed", 3);
        List<String> cameras = Cameras.onPartitions("door", 3);
        List<List<byte[]>> first = new ArrayList<>();
        List<List<byte[]>> then = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            first.add(Cameras.datagrams(c, 0, PER_CAMERA));
            then.add(Cameras.datagrams(c, PER_CAMERA, PER_CAMERA));
        }
        List<UdpReceiver> a = new ArrayList<>();
        List<UdpReceiver> b = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            a.add(UdpReceiver.open("127.0.0.1"));
            b.add(UdpReceiver.open("127.0.0.1"));
        }
        List<UdpReceiver> all = new ArrayList<>(a);
        all.addAll(b);
        List<UdpSender> senders = new ArrayList<>();
        try (Relay toKafka = Cameras.relay(cameras, "kafka://" + broker.bootstrap() + "/keyed");
                Relay memberB = member("member-b", cameras, b)) {
            Relay memberA = member("member-a", cameras, a);
            try {
                for (String c : cameras) {
                    senders.add(UdpSender.to(toKafka.route(c).localAddress()));
                }
                String any = cameras.get(0);
                await().atMost(Duration.ofSeconds(60)).until(() -> counter(memberA, any, "partitions") > 0
                        && counter(memberB, any, "partitions") > 0
                        && counter(memberA, any, "partitions") + counter(memberB, any, "partitions") == 3);
                Cameras.sendInterleaved(senders, first, 64, () -> count(all));
                await().atMost(Duration.ofSeconds(30)).until(() -> count(all) >= 3 * PER_CAMERA);
                for (int c = 0; c < 3; c++) {
                    // camera c's datagrams went to camera c's input of one member, and only there
                    assertThat(a.get(c).count() == 0 || b.get(c).count() == 0).as("camera %d at one member", c)
                            .isTrue();
                    for (int other = 0; other < 3; other++) {
                        int o = other;
                        assertThat(Stream.of(a.get(c), b.get(c)).flatMap(r -> r.datagrams().stream())
                                .filter(d -> Cameras.camera(d) == o).count()).isEqualTo(o == c ? PER_CAMERA : 0);
                    }
                }
                assertThat(counter(memberA, any, "unclaimed") + counter(memberB, any, "unclaimed")).isZero();
                memberA.close(); // commits what it handed on, leaves the group
                await().atMost(Duration.ofSeconds(60)).until(() -> counter(memberB, any, "partitions") == 3);
                Cameras.sendInterleaved(senders, then, 64, () -> count(all));
                await().atMost(Duration.ofSeconds(30)).until(() -> count(all) >= 6 * PER_CAMERA);
            } finally {
                for (UdpSender s : senders) {
                    s.close();
                }
                memberA.close();
            }
            for (int c = 0; c < 3; c++) {
                List<byte[]> sent = new ArrayList<>(first.get(c));
                sent.addAll(then.get(c));
                List<byte[]> merged = new ArrayList<>(a.get(c).datagrams());
                merged.addAll(b.get(c).datagrams());
                assertSameInOrder(merged, sent);
            }
        } finally {
            for (UdpReceiver r : all) {
                r.close();
            }
        }
    }

    @Test
    void twoInputsOfOneProcessClaimingOneKeyIsOneLine() {
        String url = "kafka://127.0.0.1:9/keyed2?group=g&key=door";
        var first = new KafkaInputFactory().start("one", Endpoint.parse(url, Endpoint.Role.INPUT), batch -> { });
        try {
            assertThatThrownBy(() -> new KafkaInputFactory().start("two", Endpoint.parse(url, Endpoint.Role.INPUT),
                    batch -> { })).isInstanceOf(ConfigException.class)
                    .hasMessage("bad URL '" + url + "': key 'door' is taken by another input here on the same topic"
                            + " and group");
        } finally {
            first.close();
        }
    }

    @Test
    void aCameraWhoseServiceIsFullStallsOnlyItsOwnPartition() throws Exception {
        broker.createTopic("stall", 2);
        String[] cams = Cameras.onPartitions("gate", 2).toArray(String[]::new);
        String base = "kafka://" + broker.bootstrap() + "/stall?group=gs&from=earliest&key=";
        DatagramSink full = new DatagramSink() {
            @Override
            public void accept(List<byte[]> d) {
            }

            @Override
            public boolean offer(List<byte[]> d) {
                return false;
            }
        };
        AtomicInteger toY = new AtomicInteger();
        Input x = new KafkaInputFactory().start(cams[0], Endpoint.parse(base + cams[0], Endpoint.Role.INPUT), full);
        Input y = new KafkaInputFactory().start(cams[1], Endpoint.parse(base + cams[1], Endpoint.Role.INPUT),
                batch -> toY.addAndGet(batch.size()));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> y.counters().get("partitions") == 2);
            broker.writeDatagrams("stall", cams[0], new byte[10 * 1316], 1316);
            await().atMost(Duration.ofSeconds(30)).until(() -> y.gauges().get("held") > 0);
            broker.writeDatagrams("stall", cams[1], new byte[10 * 1316], 1316);
            await().atMost(Duration.ofSeconds(15)).until(() -> toY.get() == 10);
            assertThat(x.counters().get("records")).isZero();
        } finally {
            x.close();
            y.close();
        }
    }

    @Test
    void theRecordsOfACameraWhoseInputClosedFirstWaitForTheConsumerToLeave() throws Exception {
        broker.createTopic("withdrawn", 1);
        String base = "kafka://" + broker.bootstrap() + "/withdrawn?group=gw&from=earliest&key=";
        AtomicInteger toX = new AtomicInteger();
        Input x = new KafkaInputFactory().start("x", Endpoint.parse(base + "x", Endpoint.Role.INPUT),
                batch -> toX.addAndGet(batch.size()));
        Input y = new KafkaInputFactory().start("y", Endpoint.parse(base + "y", Endpoint.Role.INPUT), batch -> { });
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> y.counters().get("partitions") == 1);
            x.close(); // camera x's route closes first, as a process's routes close one by one
            broker.writeDatagrams("withdrawn", "x", new byte[100 * 1316], 1316);
            // they wait (their partition paused, so maybe not all of them fetched) rather than being passed over
            await().atMost(Duration.ofSeconds(30)).until(() -> y.gauges().get("held") > 0);
            assertThat(y.counters().get("unclaimed")).isZero();
        } finally {
            y.close();
        }
        assertThat(toX.get()).isZero();
        // nothing committed past what an input took: the member that takes the partition over reads camera x's 100
        AtomicInteger later = new AtomicInteger();
        Input again = new KafkaInputFactory().start("x", Endpoint.parse(base + "x", Endpoint.Role.INPUT),
                batch -> later.addAndGet(batch.size()));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> later.get() == 100);
        } finally {
            again.close();
        }
    }
}
