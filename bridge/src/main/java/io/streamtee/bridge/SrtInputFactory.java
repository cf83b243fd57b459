package io.streamtee.bridge;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.input.InputFactory;
import java.util.Set;

/**
 * Serves {@code srt://} route inputs with {@code io.streamtee.bridge.srt.SrtInput}; registered for the ServiceLoader.
 * Compiled for Java 21 like the rest: it checks the runtime ({@link SrtSupport#check}) before it touches the libsrt
 * binding, which needs Java 22.
 */
public final class SrtInputFactory implements InputFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("srt");
    }

    @Override
    public Input start(String route, Endpoint endpoint, DatagramSink sink) {
        SrtSupport.check(endpoint);
        try {
            return new io.streamtee.bridge.srt.SrtInput(route, endpoint, sink,
                    io.streamtee.bridge.srt.SrtInput.DEFAULT_TIMEOUT_MILLIS).start();
        } catch (io.streamtee.bridge.srt.Libsrt.LibsrtMissing e) {
            throw new ConfigException(endpoint.masked() + ": " + e.getMessage());
        }
    }
}
