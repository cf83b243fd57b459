package io.streamtee.analyze.sink.mqtt;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import java.io.IOException;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Publishes events to an MQTT broker (Mosquitto, as Home Assistant users run it), in the topics
 * {@link MqttMessages} lays out. Connects on the first delivery (a broker that is down at start is not fatal), with
 * the last will {@code PREFIX/available = offline} (retained) so subscribers see the analyzer go away, and publishes
 * {@code online} once connected. A delivery that fails (broker down, refusing, or silent for longer than the
 * settings' timeout) drops the connection and throws; the next try connects again. {@link #close} publishes
 * {@code offline} and disconnects cleanly; it is safe to call twice.
 *
 * <p>An interrupt (the queue's close giving up on a delivery) ends a wait at once with an
 * {@link InterruptedException}.
 *
 * <p>Delivery is at least once: when one of an event's messages fails, the retry publishes all of them again.
 */
public final class MqttSink implements EventSink {
    private static final int KEEP_ALIVE_SECONDS = 30;

    private final MqttSettings settings;
    private MqttClient client;

    public MqttSink(MqttSettings settings) {
        this.settings = settings;
    }

    /** A sink from its URL, see {@link MqttSettings#parse(String)}. */
    public static MqttSink parse(String url) {
        return new MqttSink(MqttSettings.parse(url));
    }

    public MqttSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public void deliver(Event event) throws IOException, InterruptedException {
        List<MqttMessages.Publication> messages = MqttMessages.of(settings.prefix(), settings.qos(), event);
        MqttClient c = connected();
        try {
            for (MqttMessages.Publication m : messages) {
                c.publish(m.topic(), m.payload(), m.qos(), m.retained());
            }
        } catch (MqttException e) {
            drop();
            throw interruptedOr(failure("publish failed", e));
        }
    }

    private MqttClient connected() throws IOException, InterruptedException {
        if (client != null && client.isConnected()) {
            return client;
        }
        drop();
        MqttClient c;
        try {
            c = new MqttClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw failure("cannot create the client", e);
        }
        c.setTimeToWait(settings.timeout().toMillis());
        try {
            c.connect(options());
            c.publish(MqttMessages.availability(settings.prefix()), MqttMessages.utf8(MqttMessages.ONLINE), 1, true);
        } catch (MqttException e) {
            abandon(c);
            throw interruptedOr(failure("connect failed", e));
        }
        client = c;
        return c;
    }

    private MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setAutomaticReconnect(false); // the next delivery connects again
        o.setConnectionTimeout((int) Math.max(1, Math.ceilDiv(settings.timeout().toMillis(), 1000)));
        o.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        o.setWill(MqttMessages.availability(settings.prefix()), MqttMessages.utf8(MqttMessages.OFFLINE), 1, true);
        if (settings.user() != null) {
            o.setUserName(settings.user());
        }
        if (settings.password() != null) {
            o.setPassword(settings.password().toCharArray());
        }
        return o;
    }

    /** Forgets the connection without a goodbye (the broker publishes the last will if it was up). */
    private void drop() {
        if (client != null) {
            abandon(client);
            client = null;
        }
    }

    private static void abandon(MqttClient c) {
        try {
            c.disconnectForcibly(0, 0, false);
        } catch (MqttException | RuntimeException e) {
            // going away anyway
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException e) {
            // its threads end with the connection
        }
    }

    /**
     * Paho turns an interrupt of a waiting call into an MqttException and clears the flag; give it back as an
     * InterruptedException so the queue's close ends the sink's thread instead of trying again.
     */
    private static IOException interruptedOr(IOException e) throws InterruptedException {
        if (e.getCause() != null && e.getCause().getCause() instanceof InterruptedException
                || Thread.currentThread().isInterrupted()) {
            InterruptedException i = new InterruptedException("interrupted while talking to the broker");
            i.initCause(e);
            throw i;
        }
        return e;
    }

    private IOException failure(String what, MqttException e) {
        StringBuilder m = new StringBuilder(what).append(": ").append(e.getMessage()); // the queue names the sink
        if (e.getReasonCode() != MqttException.REASON_CODE_CLIENT_EXCEPTION) {
            m.append(" (").append(e.getReasonCode()).append(')');
        }
        if (e.getCause() != null && e.getCause().getMessage() != null) {
            m.append(": ").append(e.getCause().getMessage().lines().findFirst().orElse(""));
        }
        if (e.getReasonCode() == MqttException.REASON_CODE_CLIENT_TIMEOUT) {
            m.append(" after ").append(settings.timeout().toMillis()).append(" ms");
        }
        return new IOException(m.toString(), e);
    }

    /** Publishes {@code offline} (retained) and disconnects cleanly, when connected. Safe to call twice. */
    @Override
    public void close() {
        MqttClient c = client;
        client = null;
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.publish(MqttMessages.availability(settings.prefix()), MqttMessages.utf8(MqttMessages.OFFLINE), 1,
                        true);
                c.disconnect(settings.timeout().toMillis());
            }
            c.close();
        } catch (MqttException | RuntimeException e) {
            abandon(c); // the last will says offline instead
        }
    }
}
