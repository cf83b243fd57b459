package io.streamtee.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.output.DatagramOutput;
import io.streamtee.relay.output.OutputFactory;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * A route output made by an {@link OutputFactory} found on the class path (e.g. {@code srt://} from the bridge
 * module), shared by every worker of the route: each datagram is copied out of its buffer and offered to the
 * {@link DatagramOutput}; one it does not take (not connected, queue full) is counted as
 * {@link DropReason#BUFFER_FULL}.
 */
final class PluggedOutput implements Output {
    private static volatile Map<String, OutputFactory> factories;

    private final DatagramOutput out;
    private final OutputStats stats;

    private PluggedOutput(DatagramOutput out, OutputStats stats) {
        this.out = out;
        this.stats = stats;
        stats.plugged(out::counters, out::gauges);
    }

    /** Whether the relay sends to {@code scheme} itself (UDP, TCP) rather than through a factory. */
    static boolean builtIn(String scheme) {
        return scheme.equals("udp") || scheme.equals("tcp");
    }

    /** The factory serving {@code scheme}, or null when no module on the class path serves it. */
    static OutputFactory factory(String scheme) {
        Map<String, OutputFactory> known = factories;
        if (known == null) {
            Map<String, OutputFactory> found = new TreeMap<>();
            for (OutputFactory f : ServiceLoader.load(OutputFactory.class, PluggedOutput.class.getClassLoader())) {
                for (String s : f.schemes()) {
                    found.putIfAbsent(s, f);
                }
            }
            factories = known = Map.copyOf(found);
        }
        return known.get(scheme);
    }

    /** @throws RelayException when no module serves the scheme */
    static PluggedOutput open(String route, Endpoint endpoint, OutputStats stats) {
        OutputFactory factory = factory(endpoint.scheme());
        if (factory == null) {
            throw new RelayException("route " + route + " output " + endpoint + ": " + endpoint.scheme()
                    + ":// outputs are not supported by this build (the module that serves them is not on the class path)");
        }
        return new PluggedOutput(factory.start(route, endpoint), stats);
    }

    @Override
    public void write(ByteBuf datagram) {
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(datagram);
        } finally {
            datagram.release();
        }
        if (out.offer(bytes)) {
            stats.sent(1, bytes.length, System.currentTimeMillis());
        } else {
            stats.dropped(DropReason.BUFFER_FULL, 1);
        }
    }

    @Override
    public void flush(long nowMillis) {
        // the output sends from its own thread
    }

    @Override
    public void close() {
        out.close();
    }
}
