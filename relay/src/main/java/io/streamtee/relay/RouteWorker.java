package io.streamtee.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.streamtee.config.Cidr;
import io.streamtee.relay.config.RouteSpec;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One thread's share of a {@link Route}: an input socket (several workers share the port with SO_REUSEPORT, and the
 * kernel keeps one source's flow on one of them, so order holds), its own leg (socket) of every output, and the
 * {@link FanOut} between them, all on one event loop, so the hot path never crosses threads or takes a lock. Outputs
 * are added and removed between two read batches ({@link #open}, {@link #close}).
 */
final class RouteWorker {
    private final RouteSpec spec;
    private final EventLoop loop;
    private final NettyTransport transport;
    private final int gsoMaxSegment;
    private final RouteStats stats;
    /** This worker's leg of each output; touched on the loop only (and before the input is bound). */
    private final Map<RouteOutput, Output> legs = new LinkedHashMap<>();
    private FanOut fanOut;
    private Channel input;

    /**
     * @param spec          the route's input and buffer settings (they never change while the worker runs)
     * @param gsoMaxSegment the largest datagram sent with UDP GSO, 0 for none
     */
    RouteWorker(RouteSpec spec, EventLoop loop, NettyTransport transport, int gsoMaxSegment, RouteStats stats) {
        this.spec = spec;
        this.loop = loop;
        this.transport = transport;
        this.gsoMaxSegment = gsoMaxSegment;
        this.stats = stats;
    }

    /** Runs {@code task} on this worker's loop and waits for it; rethrows what it threw. */
    void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.submit(task).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new RelayException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelayException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new RelayException("route " + spec.name() + ": event loop did not answer in 10 s", e);
        }
    }

    /**
     * Opens this worker's leg of {@code out} and, once it is connected, hands it to the fan-out. Called from a
     * thread other than the loop (start-up, the API), which waits for the socket.
     */
    void open(RouteOutput out) {
        Output leg = out.shared();
        if (leg == null && !out.endpoint().isUdp()) {
            leg = TcpOutput.open(spec.name(), out.endpoint(), out.stats(), loop, transport);
        }
        if (leg == null) {
            UdpOutput udp = new UdpOutput(spec.name(), out.endpoint(), out.stats(), gsoMaxSegment > 0);
            ChannelFuture f = udp.open(loop, transport, spec.sendBuffer()).awaitUninterruptibly();
            if (!f.isSuccess()) {
                udp.close();
                throw new RelayException("route " + spec.name() + ": output " + out.url() + ": "
                        + SocketErrors.describe(f.cause()), f.cause());
            }
            leg = udp;
        }
        Output ready = leg;
        onLoop(() -> {
            legs.put(out, ready);
            publish();
        });
    }

    /** Takes {@code out} away from the fan-out, then closes this worker's leg of it. */
    void close(RouteOutput out) {
        Output leg = legs.remove(out);
        publish();
        if (leg != null && out.shared() == null) {
            leg.close();
        }
    }

    private void publish() {
        if (fanOut != null) {
            fanOut.outputs(legs.values().toArray(new Output[0]));
        }
    }

    /**
     * Binds a UDP input before anything else of the route is opened, not reading yet: datagrams that come before
     * {@link #start} wait in the socket's buffer. (The relay binds every route's UDP input this way before it opens
     * any output, so that an output socket's ephemeral port cannot take a port a later route is configured to
     * listen on.) Does nothing for other inputs.
     *
     * @param bindTo where the input binds: null for the configured address, or the address the route's first
     *               worker got (its port when the config asked for port 0)
     * @return the address the input is bound to, or {@code bindTo} for an input this does not bind
     * @throws RelayException when the input cannot be bound
     */
    InetSocketAddress bindInput(List<Cidr> allow, InetSocketAddress bindTo) {
        if (!spec.input().isUdp()) {
            return bindTo;
        }
        fanOut = new FanOut(spec.name(), allow, stats, new Output[0], gsoMaxSegment);
        input = UdpInput.bind(spec, bindTo != null ? bindTo : spec.input().address(), loop, transport, fanOut, false);
        return boundAddress(bindTo);
    }

    /** Where the input is bound, or {@code bindTo} when it has no socket address of its own (a plugged input). */
    private InetSocketAddress boundAddress(InetSocketAddress bindTo) {
        return input.localAddress() instanceof InetSocketAddress bound ? bound : bindTo;
    }

    /**
     * Opens this worker's leg of every output, then starts its input: the one {@link #bindInput} bound, which now
     * starts reading, or any other kind, which starts here.
     *
     * @param bindTo where an input not yet bound binds (see {@link #bindInput})
     * @return the address the input is bound to
     * @throws RelayException when an output or the input cannot be opened; what it opened is closed
     */
    InetSocketAddress start(List<RouteOutput> outputs, List<Cidr> allow, InetSocketAddress bindTo) {
        try {
            for (RouteOutput out : outputs) {
                open(out); // hands each leg to the fan-out of an input already bound
            }
            if (input != null) {
                input.config().setAutoRead(true);
            } else {
                fanOut = new FanOut(spec.name(), allow, stats, legsSnapshot().toArray(new Output[0]),
                        gsoMaxSegment);
                input = spec.input().isUdp()
                        ? UdpInput.bind(spec, bindTo != null ? bindTo : spec.input().address(), loop, transport,
                                fanOut, true)
                        : StreamInput.start(spec, bindTo, loop, transport, fanOut, stats);
            }
        } catch (RuntimeException e) {
            closeOutputs();
            throw e;
        }
        return boundAddress(bindTo);
    }

    /** Applies a new allow list between two read batches. */
    void allow(List<Cidr> next) {
        onLoop(() -> fanOut.allow(next));
    }

    void closeInput() {
        if (input != null) {
            input.close().awaitUninterruptibly();
            PluggedInput.awaitClosed(input, 10_000);
        }
    }

    void drainAndCloseOutputs(long deadlineNanos) {
        for (Output out : legsSnapshot()) {
            while (System.nanoTime() < deadlineNanos && !isIdle(out)) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        closeOutputs();
    }

    private List<Output> legsSnapshot() {
        try {
            return loop.submit(() -> List.copyOf(legs.values())).get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            return List.of(); // the loop is gone, and with it every socket it had
        }
    }

    private boolean isIdle(Output out) {
        try {
            return loop.submit(out::idle).get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            return true;
        }
    }

    /** Closes this worker's legs; shared (attached) outputs are closed once, by the route. */
    private void closeOutputs() {
        for (Map.Entry<RouteOutput, Output> leg : legsEntries()) {
            if (leg.getKey().shared() == null) {
                leg.getValue().close();
            }
        }
    }

    private List<Map.Entry<RouteOutput, Output>> legsEntries() {
        try {
            return loop.submit(() -> List.copyOf(legs.entrySet())).get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            return List.of();
        }
    }
}
