package io.streamtee.bridge;

import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.input.InputFactory;
import java.util.Set;

/** Serves {@code rtsp://} and {@code rtsps://} route inputs with {@link RtspInput}; registered for the ServiceLoader. */
public final class RtspInputFactory implements InputFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("rtsp", "rtsps");
    }

    @Override
    public Input start(String route, Endpoint endpoint, DatagramSink sink) {
        return new RtspInput(route, endpoint, sink, RtspInput.DEFAULT_TIMEOUT_MILLIS).start();
    }
}
