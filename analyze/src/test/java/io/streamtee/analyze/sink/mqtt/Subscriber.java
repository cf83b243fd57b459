package io.streamtee.analyze.sink.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A second Paho client, as Home Assistant would be: subscribes to {@code streamtee/#} and records what arrives. */
final class Subscriber implements AutoCloseable {
    /** One message as it arrived. */
    record Received(String topic, String text, boolean retained) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final MqttClient client;

    Subscriber(int port, String user, String password) throws MqttException {
        client = new MqttClient("tcp://127.0.0.1:" + port, MqttClient.generateClientId(), new MemoryPersistence());
        client.setTimeToWait(10_000);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setConnectionTimeout(10);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.toCharArray());
        }
        client.connect(o);
        client.subscribe("streamtee/#", 1, (topic, message) -> received.add(
                new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.isRetained())));
    }

    Subscriber(int port) throws MqttException {
        this(port, null, null);
    }

    List<Received> on(String topic) {
        return received.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    /** Waits until {@code topic} got {@code n} messages, and returns them. */
    List<Received> await(String topic, int n) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> on(topic).size() >= n);
        return on(topic);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2000);
            }
        } catch (MqttException e) {
            // closing anyway
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // closing anyway
        }
    }
}
