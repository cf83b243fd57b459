package io.streamtee.analyze.sink.mqtt;

import static io.streamtee.analyze.sink.mqtt.MqttMessagesTest.health;
import static io.streamtee.analyze.sink.mqtt.MqttMessagesTest.motion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.net.Backoff;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The MQTT sink against a real Mosquitto broker on loopback (skipped when mosquitto is not installed). */
@Timeout(90)
class MqttSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeLater = new CopyOnWriteArrayList<>();

    @BeforeEach
    void needsMosquitto() {
        Mosquitto.binary();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        closeLater.add(c);
        return c;
    }

    private Mosquitto broker() throws IOException {
        return later(new Mosquitto(dir, Mosquitto.freePort(), null)).start();
    }

    private Subscriber subscriber(int port) throws Exception {
        return later(new Subscriber(port));
    }

    private MqttSink sink(String url) {
        return later(new MqttSink(MqttSettings.parse(url, Map.<String, String>of()::get)));
    }

    @Test
    void aSubscriberGetsEveryEventAsJsonAndTheStateOfEachCamera() throws Exception {
        Mosquitto broker = broker();
        Subscriber ha = subscriber(broker.port());
        MqttSink sink = sink(broker.url() + "?client=streamtee-frontdoor");

        sink.deliver(motion("frontdoor", Event.Phase.START, 1));
        sink.deliver(motion("frontdoor", Event.Phase.UPDATE, 1));
        sink.deliver(health("yard", Event.Phase.START, "stream lost"));
        sink.deliver(motion("frontdoor", Event.Phase.END, 1));
        sink.deliver(health("yard", Event.Phase.END, "stream back after 12 s"));

        List<Subscriber.Received> events = ha.await("streamtee/events", 5);
        assertThat(events).extracting(r -> JSON.readTree(r.text()).get("type").asText())
                .containsExactly("new", "update", "new", "end", "end");
        assertThat(events).noneMatch(Subscriber.Received::retained);
        JsonNode first = JSON.readTree(events.get(0).text());
        assertThat(first.get("id").asText()).isEqualTo("frontdoor-1");
        assertThat(first.get("kind").asText()).isEqualTo("MOTION");
        assertThat(first.get("title").asText()).isEqualTo("motion in porch");
        assertThat(first.get("zones").get(0).asText()).isEqualTo("porch");
        assertThat(first.get("peakScore").asDouble()).isEqualTo(0.25);
        assertThat(first.get("boxes").get(0).get("x").asDouble()).isEqualTo(0.1);
        assertThat(first.get("snapshot").asText()).isEqualTo("/api/events/frontdoor-1/snapshot.jpg");
        assertThat(first.get("details").get("frames").asInt()).isEqualTo(1);
        assertThat(JSON.readTree(events.get(2).text()).get("title").asText()).isEqualTo("stream lost");

        assertThat(ha.await("streamtee/frontdoor/motion", 3)).extracting(Subscriber.Received::text)
                .containsExactly("ON", "ON", "OFF");
        assertThat(ha.await("streamtee/yard/health", 2)).extracting(Subscriber.Received::text)
                .containsExactly("stream lost", "ok");
        assertThat(ha.await("streamtee/available", 1)).extracting(Subscriber.Received::text).containsExactly("online");

        // a live subscriber gets them with retain 0 (MQTT 3.1.1, 3.3.1.3); one that comes later gets what was kept
        Subscriber late = subscriber(broker.port());
        assertThat(late.await("streamtee/frontdoor/motion", 1)).containsExactly(
                new Subscriber.Received("streamtee/frontdoor/motion", "OFF", true));
        assertThat(late.await("streamtee/yard/health", 1)).containsExactly(
                new Subscriber.Received("streamtee/yard/health", "ok", true));
        assertThat(late.await("streamtee/available", 1)).containsExactly(
                new Subscriber.Received("streamtee/available", "online", true));
        assertThat(late.on("streamtee/events")).as("events are not retained").isEmpty();

        sink.close();
        assertThat(late.await("streamtee/available", 2).get(1).text()).as("a clean close says so").isEqualTo("offline");
        sink.close(); // twice is fine
    }

    @Test
    void aSubscriberThatConnectsAfterTheStartSeesOn() throws Exception {
        Mosquitto broker = broker();
        MqttSink sink = sink(broker.url() + "?qos=2&prefix=streamtee/site1");
        sink.deliver(motion("porch", Event.Phase.START, 7));

        Subscriber late = subscriber(broker.port());
        assertThat(late.await("streamtee/site1/porch/motion", 1)).containsExactly(
                new Subscriber.Received("streamtee/site1/porch/motion", "ON", true));
        assertThat(late.await("streamtee/site1/available", 1)).containsExactly(
                new Subscriber.Received("streamtee/site1/available", "online", true));
        assertThat(late.on("streamtee/porch/motion")).as("only under the prefix").isEmpty();
    }

    @Test
    void aBrokerThatIsDownAtStartGetsTheEventsOnceItIsUp() throws Exception {
        Mosquitto broker = later(new Mosquitto(dir, Mosquitto.freePort(), null));
        MqttSink sink = sink(broker.url() + "?timeout=2s");
        SinkQueue queue = later(new SinkQueue(sink, 100, 1000, FAST, Duration.ofSeconds(10)).start());
        for (int n = 1; n <= 3; n++) {
            queue.offer(motion("cam" + n, Event.Phase.START, n));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.retried() >= 2);
        assertThat(queue.delivered()).isZero();

        broker.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> queue.delivered() == 3);
        Subscriber late = subscriber(broker.port());
        for (int n = 1; n <= 3; n++) {
            assertThat(late.await("streamtee/cam" + n + "/motion", 1)).extracting(Subscriber.Received::text)
                    .containsExactly("ON");
        }
        assertThat(late.await("streamtee/available", 1).get(0).text()).isEqualTo("online");
        assertThat(queue.failed()).isZero();
    }

    @Test
    void aBrokerKilledMidRunGetsTheLaterEventsOnceItIsBack() throws Exception {
        Mosquitto broker = broker();
        Subscriber ha = subscriber(broker.port());
        MqttSink sink = sink(broker.url() + "?timeout=2s");
        SinkQueue queue = later(new SinkQueue(sink, 100, 1000, FAST, Duration.ofSeconds(10)).start());
        queue.offer(motion("frontdoor", Event.Phase.START, 1));
        assertThat(ha.await("streamtee/events", 1)).hasSize(1);

        broker.kill();
        queue.offer(motion("frontdoor", Event.Phase.END, 1));
        queue.offer(motion("garage", Event.Phase.START, 2));
        await().atMost(Duration.ofSeconds(15)).until(() -> queue.retried() >= 2);
        assertThat(queue.delivered()).isEqualTo(1);

        broker.start(); // same port, nothing kept
        await().atMost(Duration.ofSeconds(20)).until(() -> queue.delivered() == 3);
        Subscriber back = subscriber(broker.port());
        assertThat(back.await("streamtee/frontdoor/motion", 1).get(0).text()).isEqualTo("OFF");
        assertThat(back.await("streamtee/garage/motion", 1).get(0).text()).isEqualTo("ON");
        assertThat(back.await("streamtee/available", 1).get(0).text()).isEqualTo("online");

        queue.offer(motion("garage", Event.Phase.END, 2));
        JsonNode later = JSON.readTree(back.await("streamtee/events", 1).get(0).text());
        assertThat(later.get("id").asText()).isEqualTo("garage-2");
        assertThat(later.get("type").asText()).isEqualTo("end");
        assertThat(queue.failed()).isZero();
    }

    @Test
    void theLastWillSaysOfflineWhenTheSinksConnectionDies() throws Exception {
        Mosquitto broker = broker();
        TcpCutter network = later(new TcpCutter(broker.port()));
        Subscriber ha = subscriber(broker.port());
        MqttSink sink = sink("mqtt://127.0.0.1:" + network.port() + "?timeout=2s");
        sink.deliver(motion("frontdoor", Event.Phase.START, 1));
        assertThat(ha.await("streamtee/available", 1).get(0).text()).isEqualTo("online");

        network.cutAll(); // no DISCONNECT reaches the broker: it publishes the will
        assertThat(ha.await("streamtee/available", 2).get(1).text()).isEqualTo("offline");
        Subscriber late = subscriber(broker.port());
        assertThat(late.await("streamtee/available", 1)).containsExactly(
                new Subscriber.Received("streamtee/available", "offline", true));

        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(
                () -> sink.deliver(motion("frontdoor", Event.Phase.END, 1))); // the first try may see the cut
        assertThat(network.accepted()).isEqualTo(2);
        assertThat(ha.await("streamtee/available", 3).get(2).text()).as("back").isEqualTo("online");
        assertThat(ha.await("streamtee/frontdoor/motion", 2).get(1).text()).isEqualTo("OFF");
    }

    @Test
    void aWrongPasswordIsRefusedAndRetriedAndTheRightOneDelivers() throws Exception {
        Path passwd = Mosquitto.passwordFile(dir, "cams", "s3cret pass");
        Mosquitto broker = later(new Mosquitto(dir, Mosquitto.freePort(), passwd)).start();
        Subscriber ha = later(new Subscriber(broker.port(), "cams", "s3cret pass"));

        MqttSink wrong = sink("mqtt://cams:guess@127.0.0.1:" + broker.port());
        assertThatThrownBy(() -> wrong.deliver(motion("frontdoor", Event.Phase.START, 1)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("connect failed: ")
                .hasMessageContaining("(5)") // not authorized
                .hasMessageNotContaining("guess");
        SinkQueue refused = later(new SinkQueue(wrong, 10, 3, FAST, Duration.ofSeconds(10)).start());
        refused.offer(motion("frontdoor", Event.Phase.START, 2));
        await().atMost(Duration.ofSeconds(15)).until(() -> refused.failed() == 1);
        assertThat(refused.retried()).isEqualTo(2);
        assertThat(refused.delivered()).isZero();

        Map<String, String> env = Map.of(MqttSettings.PASSWORD_ENV, "s3cret pass");
        MqttSink right = later(new MqttSink(MqttSettings.parse("mqtt://cams@127.0.0.1:" + broker.port(), env::get)));
        right.deliver(motion("frontdoor", Event.Phase.START, 3));
        assertThat(JSON.readTree(ha.await("streamtee/events", 1).get(0).text()).get("id").asText())
                .isEqualTo("frontdoor-3");
        assertThat(ha.on("streamtee/events")).hasSize(1);
    }

    @Test
    void aHangingBrokerFailsTheDeliveryInTimeAndNeverHoldsUpAnotherSink() throws Exception {
        SilentServer silent = later(new SilentServer());
        MqttSink mqtt = new MqttSink(MqttSettings.parse("mqtt://127.0.0.1:" + silent.port() + "?timeout=500ms",
                Map.<String, String>of()::get));
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        EventSink sink = new EventSink() {
            @Override
            public String name() {
                return mqtt.name();
            }

            @Override
            public void deliver(Event event) throws Exception {
                mqtt.deliver(event);
            }

            @Override
            public void close() {
                mqtt.close();
                closed.countDown();
            }
        };
        SinkQueue stuck = new SinkQueue(sink, 100, 2, FAST, Duration.ofSeconds(10)).start();
        List<String> got = new CopyOnWriteArrayList<>();
        SinkQueue ok = later(new SinkQueue(new EventSink() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public void deliver(Event event) {
                got.add(event.id());
            }
        }, 100, 2, FAST, Duration.ofSeconds(10)).start());

        for (int n = 1; n <= 20; n++) {
            assertThat(stuck.offer(motion("cam", Event.Phase.START, n))).isTrue();
            assertThat(ok.offer(motion("cam", Event.Phase.START, n))).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 20);
        // each try gives up after the timeout, drops its connection, and the queue goes on
        await().atMost(Duration.ofSeconds(20)).until(() -> stuck.failed() >= 2);
        assertThat(stuck.retried()).isGreaterThanOrEqualTo(2);
        assertThat(stuck.delivered()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> silent.ended() >= 4);
        assertThat(silent.accepted()).isLessThanOrEqualTo(silent.ended() + 1);
        stuck.close(Duration.ofMillis(100)); // interrupts the try that waits: the queue ends, not the next try
        assertThat(closed.await(3, java.util.concurrent.TimeUnit.SECONDS)).as("sink closed after the interrupt").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> silent.ended() == silent.accepted());
    }
}
