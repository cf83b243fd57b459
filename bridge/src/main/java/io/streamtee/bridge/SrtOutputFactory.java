package io.streamtee.bridge;

import io.streamtee.config.Endpoint;
import io.streamtee.relay.output.DatagramOutput;
import io.streamtee.relay.output.OutputFactory;
import java.util.Set;

/** Serves {@code srt://} route outputs with {@link SrtOutput}; registered for the ServiceLoader. */
public final class SrtOutputFactory implements OutputFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("srt");
    }

    @Override
    public DatagramOutput start(String route, Endpoint endpoint) {
        return new SrtOutput(route, endpoint, SrtOutput.DEFAULT_TIMEOUT_MILLIS).start();
    }
}
