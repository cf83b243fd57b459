package io.streamtee.kafka;

import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.input.InputFactory;
import java.util.Set;

/** Serves {@code kafka://} route inputs with {@link KafkaInput}; registered for the ServiceLoader. */
public final class KafkaInputFactory implements InputFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("kafka");
    }

    @Override
    public Input start(String route, Endpoint endpoint, DatagramSink sink) {
        KafkaUrl url = KafkaUrl.of(endpoint);
        if (url.params().containsKey("key")) {
            return KeyedConsumers.join(route, url, sink, KafkaInput.DEFAULT_QUIET_MILLIS);
        }
        return new KafkaInput(route, url, sink, KafkaInput.DEFAULT_QUIET_MILLIS).start();
    }
}
