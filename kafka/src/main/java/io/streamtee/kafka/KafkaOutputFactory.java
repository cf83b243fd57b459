package io.streamtee.kafka;

import io.streamtee.config.Endpoint;
import io.streamtee.relay.output.DatagramOutput;
import io.streamtee.relay.output.OutputFactory;
import java.util.Set;

/** Serves {@code kafka://} route outputs with {@link KafkaOutput}; registered for the ServiceLoader. */
public final class KafkaOutputFactory implements OutputFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("kafka");
    }

    @Override
    public DatagramOutput start(String route, Endpoint endpoint) {
        return new KafkaOutput(route, KafkaUrl.of(endpoint)).start();
    }
}
