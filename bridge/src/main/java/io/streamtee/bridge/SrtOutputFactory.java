package io.streamtee.bridge;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.output.DatagramOutput;
import io.streamtee.relay.output.OutputFactory;
import java.util.Set;

/**
 * Serves {@code srt://} route outputs with {@code io.streamtee.bridge.srt.SrtOutput}; registered for the
 * ServiceLoader. Checks the runtime first, as {@link SrtInputFactory} does.
 */
public final class SrtOutputFactory implements OutputFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("srt");
    }

    @Override
    public DatagramOutput start(String route, Endpoint endpoint) {
        SrtSupport.check(endpoint);
        try {
            return new io.streamtee.bridge.srt.SrtOutput(route, endpoint,
                    io.streamtee.bridge.srt.SrtOutput.DEFAULT_TIMEOUT_MILLIS).start();
        } catch (io.streamtee.bridge.srt.Libsrt.LibsrtMissing e) {
            throw new ConfigException(endpoint.masked() + ": " + e.getMessage());
        }
    }
}
