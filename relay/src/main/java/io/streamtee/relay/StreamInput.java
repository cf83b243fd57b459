package io.streamtee.relay;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.config.RouteSpec;
import java.net.InetSocketAddress;

/**
 * Inputs that carry the datagrams over a byte stream rather than UDP: {@code tcp://} (a listener a camera pushes to,
 * {@link TcpInput}) and {@code http://} (a pull, {@link HttpInput}). Either way the stream is cut into datagrams by
 * the URL's framing ({@link StreamFramer}) and handed to the worker's {@link FanOut} on the worker's event loop, so
 * the fan-out stays single-threaded.
 */
final class StreamInput {
    private StreamInput() {
    }

    /**
     * Starts one worker's input. Closing the returned channel stops it: for TCP it is the listening socket (its
     * connections close with it), for HTTP a handle whose closing stops the pull.
     *
     * @param bindTo where to listen (a TCP input started on port 0 by another worker passes the port it got), or
     *               null for the configured address
     * @throws RelayException when the input cannot start (port in use, ...), as one line
     */
    static Channel start(RouteSpec spec, InetSocketAddress bindTo, EventLoop loop, NettyTransport transport,
            FanOut fanOut, RouteStats stats) {
        Endpoint in = spec.input();
        return switch (in.scheme()) {
            case "tcp" -> {
                if (spec.workers() > 1 && !transport.isEpoll()) {
                    throw new RelayException(in + ": several workers on a tcp:// input need the epoll transport");
                }
                yield TcpInput.bind(spec.name(), in, bindTo != null ? bindTo : in.address(), spec.workers() > 1,
                        loop, transport, fanOut, stats);
            }
            case "http" -> {
                if (spec.workers() > 1) {
                    throw new RelayException(in + ": an http:// input pulls one stream; use workers: 1");
                }
                yield new HttpInput(spec.name(), in, loop, transport, fanOut, stats).start();
            }
            default -> {
                if (spec.workers() > 1) {
                    throw new RelayException(in + ": an " + in.scheme() + ":// input pulls one stream; use workers: 1");
                }
                yield PluggedInput.start(spec.name(), in, loop, transport, fanOut, stats);
            }
        };
    }
}
