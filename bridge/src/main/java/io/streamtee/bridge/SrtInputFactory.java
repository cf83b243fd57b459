package io.streamtee.bridge;

import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.input.InputFactory;
import java.util.Set;

/** Serves {@code srt://} route inputs with {@link SrtInput}; registered for the ServiceLoader. */
public final class SrtInputFactory implements InputFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("srt");
    }

    @Override
    public Input start(String route, Endpoint endpoint, DatagramSink sink) {
        return new SrtInput(route, endpoint, sink, SrtInput.DEFAULT_TIMEOUT_MILLIS).start();
    }
}
