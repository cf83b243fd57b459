package io.streamtee.relay.output;

import io.streamtee.config.Endpoint;
import java.util.Set;

/**
 * A kind of route output that lives outside the relay module (SRT, sent with FFmpeg's libsrt in the {@code bridge}
 * module), found with {@link java.util.ServiceLoader} by the scheme of the output URL, like
 * {@link io.streamtee.input.InputFactory} for inputs: registered in
 * {@code META-INF/services/io.streamtee.relay.output.OutputFactory}. The relay's own outputs (UDP, TCP) do not go
 * through it.
 */
public interface OutputFactory {

    /** The URL schemes this factory serves, lower case, e.g. {@code srt}. */
    Set<String> schemes();

    /**
     * Starts an output in the background and returns at once: it connects, reconnects and logs (masked URL) on its
     * own. One output serves every worker of the route.
     *
     * @throws io.streamtee.config.ConfigException when the URL cannot work at all (one line, for a person)
     */
    DatagramOutput start(String route, Endpoint endpoint);
}
