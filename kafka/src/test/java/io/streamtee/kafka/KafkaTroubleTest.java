package io.streamtee.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.DropReason;
import io.streamtee.relay.OutputStats;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.RouteOutput;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.relay.http.ControlServer;
import io.streamtee.relay.http.RelayMetrics;
import io.streamtee.relay.output.DatagramOutput;
import io.streamtee.testing.Figures;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a Kafka output and input do when there is no broker, or something that is not one: no Kafka here. */
@Timeout(60)
class KafkaTroubleTest {

    /** A loopback TCP port where nothing listens (bound, then closed). */
    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void withTheBrokerDownTheUdpOutputLosesNothingAndTheKafkaOutputCountsDrops() throws Exception {
        List<byte[]> sent = Cameras.datagrams(0, 0, 2000);
        try (UdpReceiver consumer = UdpReceiver.open("127.0.0.1");
                Relay relay = Cameras.relay("cam", "udp://127.0.0.1:0", consumer.url(), "kafka://127.0.0.1:"
                        + deadPort() + "/cams?buffer=16&producer.max.block.ms=500");
                UdpSender camera = UdpSender.to(relay.route("cam").localAddress())) {
            Route route = relay.route("cam");
            camera.sendPaced(sent, 64, consumer::count);
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.count() >= sent.size());
            Cameras.assertSameInOrder(consumer.datagrams(), sent);
            OutputStats.Snapshot udp = route.outputStats().get(0).snapshot();
            OutputStats.Snapshot kafka = route.outputStats().get(1).snapshot();
            assertThat(udp.dropped()).isZero();
            assertThat(udp.datagrams()).isEqualTo(sent.size());
            assertThat(kafka.dropped(DropReason.BUFFER_FULL)).isPositive();
            assertThat(kafka.datagrams() + kafka.dropped()).isEqualTo(sent.size());
            Figures.of("fault.kafka.down").put("sent", sent.size())
                    .put("lost_udp_output", sent.size() - consumer.count())
                    .put("udp_output_dropped", udp.dropped())
                    .put("kafka_dropped_counted", kafka.dropped())
                    .put("kafka_dropped_buffer_full", kafka.dropped(DropReason.BUFFER_FULL))
                    .record(getClass(), "withTheBrokerDownTheUdpOutputLosesNothingAndTheKafkaOutputCountsDrops");
        }
    }

    @Test
    void aBrokerThatIsNotKafkaIsOneClearLineRetriedAndNeverFatal() throws Exception {
        try (ServerSocket garbage = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answer = Thread.ofVirtual().start(() -> {
                while (!garbage.isClosed()) {
                    try (Socket s = garbage.accept(); OutputStream out = s.getOutputStream()) {
                        byte[] noise = new byte[64];
                        Arrays.fill(noise, (byte) 0xff);
                        out.write(noise);
                        out.flush();
                    } catch (java.io.IOException e) {
                        // closed, or the client went first
                    }
                }
            });
            DatagramOutput out = new KafkaOutputFactory().start("cam", Endpoint.parse("kafka://127.0.0.1:"
                    + garbage.getLocalPort() + "/cams?producer.max.block.ms=300", Endpoint.Role.OUTPUT));
            try {
                KafkaOutput kafka = (KafkaOutput) out;
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    out.offer(new byte[1316]);
                    return out.counters().get("errors.unreachable") >= 3;
                });
                assertThat(kafka.trouble()).startsWith("no Kafka broker answered (127.0.0.1:" + garbage.getLocalPort()
                        + " accepts connections but gave no Kafka answer: is it a Kafka broker").doesNotContain("\n");
                assertThat(out.counters().get("records")).isZero();
            } finally {
                long start = System.nanoTime();
                out.close();
                out.close();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
            garbage.close();
            answer.join(5_000);
        }
    }

    @Test
    void outputsWithTheSameBrokersAndSettingsShareOneProducerAndTheLastToCloseClosesIt() throws Exception {
        String url = "kafka://127.0.0.1:" + deadPort() + "/cams?producer.max.block.ms=300";
        KafkaOutputFactory factory = new KafkaOutputFactory();
        KafkaOutput door = (KafkaOutput) factory.start("door", Endpoint.parse(url, Endpoint.Role.OUTPUT));
        KafkaOutput yard = (KafkaOutput) factory.start("yard", Endpoint.parse(url, Endpoint.Role.OUTPUT));
        KafkaOutput other = (KafkaOutput) factory.start("gate", Endpoint.parse(url + "&acks=1",
                Endpoint.Role.OUTPUT));
        try {
            assertThat(door.producerSharedBy()).isEqualTo(2);
            assertThat(yard.producerSharedBy()).isEqualTo(2);
            assertThat(other.producerSharedBy()).isEqualTo(1);
            door.close();
            door.close();
            assertThat(yard.producerSharedBy()).isEqualTo(1);
            KafkaOutput again = (KafkaOutput) factory.start("door", Endpoint.parse(url, Endpoint.Role.OUTPUT));
            assertThat(again.producerSharedBy()).isEqualTo(2);
            again.close();
        } finally {
            yard.close();
            other.close();
        }
    }

    @Test
    void anAbsentBrokerIsNamedWithWhatTheConnectionSaid() throws Exception {
        int port = deadPort();
        DatagramOutput out = new KafkaOutputFactory().start("cam", Endpoint.parse("kafka://127.0.0.1:" + port
                + "/cams?producer.max.block.ms=300", Endpoint.Role.OUTPUT));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                out.offer(new byte[188]);
                return out.counters().get("errors.unreachable") >= 1;
            });
            assertThat(((KafkaOutput) out).trouble()).startsWith("no Kafka broker answered (127.0.0.1:" + port + ": ")
                    .contains("refused");
        } finally {
            out.close();
        }
    }

    @Test
    void aBadUrlOrUnknownOptionStopsTheRelayWithOneLineNamingIt() {
        assertThatThrownBy(() -> Cameras.relay("cam", "udp://127.0.0.1:0", "kafka://127.0.0.1:9092/cams?lingr=5ms"))
                .isInstanceOf(ConfigException.class).message()
                .contains("unknown parameter 'lingr' for a kafka output").doesNotContain("\n");
        assertThatThrownBy(() -> Cameras.relay("cam", "udp://127.0.0.1:0",
                "kafka://127.0.0.1:9092/cams?producer.lingr.ms=5&producer.ssl.key.password=hunter2"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad URL 'kafka://127.0.0.1:9092/cams?producer.lingr.ms=5&producer.ssl.key.password=***':"
                        + " unknown Kafka client property 'producer.lingr.ms'");
        assertThatThrownBy(() -> Cameras.relay("cam", "kafka://127.0.0.1:9092/cams?from=yesterday",
                "udp://127.0.0.1:9"))
                .isInstanceOf(ConfigException.class).message()
                .contains("from 'yesterday' is not earliest, latest or an ISO-8601 time").doesNotContain("\n");
        assertThatThrownBy(() -> Cameras.relay("cam", "udp://127.0.0.1:0",
                "kafka://127.0.0.1:9092/cams?producer.batch.size=lots"))
                .isInstanceOf(ConfigException.class).message()
                .startsWith("bad URL 'kafka://127.0.0.1:9092/cams?producer.batch.size=lots': ")
                .contains("batch.size").doesNotContain("\n");
    }

    @Test
    void anInputWithNoBrokerSaysSoInOneLineAndKeepsWaiting() throws Exception {
        int port = deadPort();
        KafkaInput in = new KafkaInput("replay", KafkaUrl.of(Endpoint.parse("kafka://127.0.0.1:" + port
                + "/cams?group=g", Endpoint.Role.INPUT)), batch -> { }, 300);
        try {
            in.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> in.trouble() != null);
            assertThat(in.trouble()).startsWith("no partition of topic 'cams' given in 0 s (127.0.0.1:" + port + ": ")
                    .contains("refused").doesNotContain("\n");
            assertThat(in.counters()).containsEntry("partitions", 0L).containsEntry("records", 0L);
        } finally {
            in.close();
        }
    }

    @Test
    void anInputWithNoBrokerWaitsAndClosesPromptly() throws Exception {
        try (Relay relay = Cameras.relay("replay", "kafka://127.0.0.1:" + deadPort() + "/cams?group=g",
                "udp://127.0.0.1:9")) {
            Route route = relay.route("replay");
            assertThat(route.stats().inputCounters()).containsEntry("partitions", 0L).containsEntry("records", 0L);
            long start = System.nanoTime();
            relay.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    void aReloadWithTheSameSettingsKeepsAnOutputWhoseUrlHoldsASecret() throws Exception {
        String url = "kafka://127.0.0.1:" + deadPort() + "/cams?producer.max.block.ms=300"
                + "&producer.ssl.truststore.password=hunter2";
        try (Relay relay = Cameras.relay("cam", "udp://127.0.0.1:0", url)) {
            String before = relay.route("cam").outputs().get(0).id();
            String summary = relay.apply(ConfigLoader.check(new RelayConfig(Map.of("cam", RouteConfig.of(
                    "udp://127.0.0.1:0", List.of(), List.of(url))), "0", null)));
            assertThat(summary).doesNotContain("added").doesNotContain("removed");
            assertThat(relay.route("cam").outputs().get(0).id()).as("the same output, not a new one").isEqualTo(before);
        }
    }

    @Test
    void secretsInAKafkaUrlNeverShowInTheApiOrMetricsWhereTheOutputsCountersDo() throws Exception {
        String url = "kafka://127.0.0.1:" + deadPort() + "/cams?producer.max.block.ms=300"
                + "&producer.sasl.jaas.config=x%20password%3Dhunter2";
        try (Relay relay = Cameras.relay("cam", "udp://127.0.0.1:0", url)) {
            Route route = relay.route("cam");
            RouteOutput added = route.addOutput(url.replace("/cams", "/more"));
            assertThat(added.url()).doesNotContain("hunter2").endsWith("producer.sasl.jaas.config=***");
            String api = ControlServer.describe(route).toString();
            assertThat(api).doesNotContain("hunter2").contains("producer.sasl.jaas.config=***")
                    .contains("producer.record-send-total");
            String metrics = new RelayMetrics(relay, () -> 0).scrape();
            assertThat(metrics).doesNotContain("hunter2").contains("producer.record-send-total")
                    .contains("errors.unreachable");
        }
    }
}
