package io.streamtee.input;

import io.streamtee.config.Endpoint;
import java.util.Set;

/**
 * A kind of input that lives outside the module using it (an RTSP camera or an SRT peer, through FFmpeg in the
 * {@code bridge} module), found with {@link java.util.ServiceLoader} by the scheme of the input URL
 * ({@link Inputs}). The relay and the services stay free of what such an input needs; an application that wants it
 * puts the module on the class path, which registers its factory in
 * {@code META-INF/services/io.streamtee.input.InputFactory}.
 *
 * <p>The relay's own inputs (UDP, TCP, HTTP) and the services' UDP socket do not go through this interface: the UDP
 * hot paths are untouched.
 */
public interface InputFactory {

    /** The URL schemes this factory serves, lower case, e.g. {@code rtsp} and {@code rtsps}. */
    Set<String> schemes();

    /**
     * Starts an input in the background and returns at once: it connects, reconnects and reports trouble (one log
     * line per change of state, naming the route and the {@linkplain Endpoint#masked() masked} URL) on its own, and
     * hands datagrams of MPEG-TS to {@code sink} from a thread of its own. A failure after start is never thrown; it
     * is counted in {@link Input#counters()}.
     *
     * @param route    the route's (or the service's camera's) name, for logs
     * @param endpoint the input URL, one of {@link #schemes()}
     * @param sink     where the datagrams go; thread-safe
     * @throws io.streamtee.config.ConfigException when the URL cannot work at all (one line, for a person)
     */
    Input start(String route, Endpoint endpoint, DatagramSink sink);
}
