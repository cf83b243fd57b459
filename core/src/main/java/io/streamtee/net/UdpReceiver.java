package io.streamtee.net;

import io.streamtee.cli.LogContext;
import io.streamtee.config.Cidr;
import io.streamtee.config.Endpoint;
import io.streamtee.config.Units;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.input.InputFactory;
import io.streamtee.input.Inputs;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The input of a service (the recorder, the analyzer, the live viewer): one socket on a unicast address, a
 * multicast group (joined on {@link MulticastInterface}'s interface) or a source-specific group ({@code ?source=}),
 * read by its own platform thread, which hands the {@link Listener} only well-formed MPEG-TS from one source
 * ({@link TsSourceLock}) and allowed by the allow-list. Everything else is dropped and counted by {@link Drop reason}.
 *
 * <p>Any other scheme ({@code rtsp://}, {@code srt://}) is a plugged input ({@link io.streamtee.input.InputFactory},
 * found by {@link Inputs}): no socket of ours; the input's datagrams go through a bounded queue of
 * {@value #QUEUE} datagrams (when full, dropped and counted as {@link Drop#QUEUE_FULL}) to the same receive thread,
 * the same checks and the same {@link Listener}, as if received from the input's address. Its own counters
 * (connects, reconnects, errors) are in {@link Stats#input()}.
 *
 * <pre>{@code
 * try (UdpReceiver in = new UdpReceiver(endpoint, UdpReceiver.Options.of("recorder"), listener).start()) {
 *     System.out.println("listening on " + in.localAddress());
 * }
 * }</pre>
 *
 * <p>The listener also hears when the stream stops (no accepted datagram for {@link Options#stoppedAfter()}) and
 * comes back, and gets a tick at least every {@link Options#tick()} for its housekeeping; every call comes on the
 * receive thread, so a listener needs no locks of its own. {@link #bind()} binds without receiving (a service can
 * bind first and prepare after), {@link #start()} binds if need be and starts the thread; both and {@link #close()}
 * are idempotent. Bind failures are one-line {@link ReceiveException}s naming the address.
 */
public final class UdpReceiver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UdpReceiver.class);
    private static final int BATCH = 256;
    /** Datagrams a plugged input may be ahead of the receive thread: about 5 MB, like the UDP socket's buffer. */
    static final int QUEUE = 4096;

    /** Called on the receive thread; must not keep {@code buf} after returning. */
    public interface Listener {
        /** Whole TS packets from the locked source, received at {@code nanos} (monotonic). */
        void onData(byte[] buf, int off, int len, long nanos);

        /** No datagram was accepted for {@code silentNanos} (at least {@link Options#stoppedAfter()}). */
        default void onStopped(long silentNanos) {
        }

        /** Accepted data again after {@link #onStopped}, silent for {@code silentNanos}; comes before its data. */
        default void onBack(long silentNanos) {
        }

        /** Housekeeping time, at least every {@link Options#tick()} and after every batch of datagrams. */
        default void onTick(long nanos) {
        }

        /** The receive thread ends ({@link #close()}): the last call. */
        default void onEnd() {
        }
    }

    /** Why a datagram was dropped. */
    public enum Drop {
        /** Its source is outside the allow-list. */
        DENIED,
        /** Not whole 188-byte packets each starting with 0x47. */
        NOT_TS,
        /** No stream has started yet (and this datagram does not start one). */
        NO_STREAM_YET,
        /** From another source than the one the receiver is locked onto. */
        OTHER_SOURCE,
        /** From a plugged input while {@value UdpReceiver#QUEUE} of its datagrams waited for the receive thread. */
        QUEUE_FULL;

        /** {@code not_ts}: the name in logs and metrics. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether the kernel's receive buffer cap was logged already (it is the same for every socket). */
    private static final AtomicBoolean CAPPED_WARNED = new AtomicBoolean();

    /**
     * How a receiver behaves.
     *
     * @param service       who listens, for messages ({@code is another recorder listening on this port?})
     * @param receiveBuffer SO_RCVBUF asked for, bytes; a warning names the sysctl when the kernel gives less
     * @param stoppedAfter  no accepted data for this long is a stopped stream
     * @param switchAfter   the locked source must be silent this long before another one may take over
     * @param tick          the longest time between two {@link Listener#onTick} calls
     * @param allow         sources allowed; empty allows every one
     * @param startsStream  whether a TS datagram from a new source starts a stream; null takes any
     * @param camera        the camera's name, which a plugged input logs under; null for {@code service}
     */
    public record Options(String service, int receiveBuffer, Duration stoppedAfter, Duration switchAfter,
            Duration tick, List<Cidr> allow, Predicate<ByteBuffer> startsStream, String camera) {

        public Options {
            Objects.requireNonNull(service, "service");
            allow = List.copyOf(allow);
        }

        /** 8 MiB receive buffer, stopped after 2 s, a new source after 2 s of silence, ticks every 100 ms. */
        public static Options of(String service) {
            return new Options(service, 8 << 20, Duration.ofSeconds(2), Duration.ofSeconds(2),
                    Duration.ofMillis(100), List.of(), null, null);
        }

        public Options withStartsStream(Predicate<ByteBuffer> test) {
            return new Options(service, receiveBuffer, stoppedAfter, switchAfter, tick, allow, test, camera);
        }

        public Options withAllow(List<Cidr> sources) {
            return new Options(service, receiveBuffer, stoppedAfter, switchAfter, tick, sources, startsStream,
                    camera);
        }

        public Options withStoppedAfter(Duration d) {
            return new Options(service, receiveBuffer, d, switchAfter, tick, allow, startsStream, camera);
        }

        public Options withSwitchAfter(Duration d) {
            return new Options(service, receiveBuffer, stoppedAfter, d, tick, allow, startsStream, camera);
        }

        public Options withCamera(String name) {
            return new Options(service, receiveBuffer, stoppedAfter, switchAfter, tick, allow, startsStream, name);
        }
    }

    /**
     * A snapshot of the counters.
     *
     * @param datagrams     datagrams received, taken or not
     * @param bytes         their bytes
     * @param accepted      datagrams handed to the listener
     * @param acceptedBytes their bytes
     * @param drops         datagrams dropped, by reason
     * @param source        the source locked onto, or null
     * @param switches      times the lock moved to another source
     * @param input         a plugged input's own counters ({@link Input#counters()}: connects, reconnects,
     *                      errors), the same keys in the same order for its life; empty for UDP
     */
    public record Stats(long datagrams, long bytes, long accepted, long acceptedBytes, Map<Drop, Long> drops,
            InetSocketAddress source, long switches, Map<String, Long> input) {

        public Stats {
            drops = Map.copyOf(drops);
            input = Collections.unmodifiableMap(new LinkedHashMap<>(input));
        }

        /** Nothing received, no plugged input. */
        public static final Stats NONE = new Stats(0, 0, 0, 0, Map.of(), null, 0, Map.of());

        public long dropped(Drop reason) {
            return drops.getOrDefault(reason, 0L);
        }

        /** Every drop, whatever the reason. */
        public long dropped() {
            return drops.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final Endpoint endpoint;
    private final Options options;
    private final Listener listener;
    private final TsSourceLock lock;
    private final Cidr[] allow;
    private final InputFactory factory; // null for udp://

    private DatagramChannel channel;
    private ArrayBlockingQueue<byte[]> queue; // from a plugged input
    private volatile Input input; // read by stats() on any thread
    private Selector selector;
    private NetworkInterface joined;
    private InetSocketAddress localAddress;
    private Thread thread;
    private volatile boolean stopping;
    private boolean closed;

    // receive thread state
    private long lastAcceptedNanos;
    private boolean stopped;

    private volatile long datagrams;
    private volatile long bytes;
    private volatile long accepted;
    private volatile long acceptedBytes;
    private final AtomicLongArray drops = new AtomicLongArray(Drop.values().length);
    private final AtomicLong queueFullBytes = new AtomicLong();

    /**
     * @throws io.streamtee.config.ConfigException when no input on the class path serves the endpoint's scheme (one
     *                                             line naming the endpoint)
     */
    public UdpReceiver(Endpoint endpoint, Options options, Listener listener) {
        this.factory = endpoint.isUdp() ? null
                : Inputs.installed().require(endpoint.masked(), endpoint, List.of("udp"));
        this.endpoint = endpoint;
        this.options = options;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.lock = new TsSourceLock(endpoint.url(), endpoint.source(), options.startsStream(),
                options.switchAfter().toNanos());
        this.allow = options.allow().toArray(new Cidr[0]);
    }

    /**
     * Binds (and joins the group) without receiving yet; for a plugged input, nothing to bind. Idempotent.
     *
     * @throws ReceiveException with a one-line message naming the address
     */
    public synchronized UdpReceiver bind() {
        if (closed) {
            throw new IllegalStateException("receiver closed");
        }
        if (channel != null || queue != null) {
            return this;
        }
        if (factory != null) {
            queue = new ArrayBlockingQueue<>(QUEUE); // nothing to bind: the input starts with the thread
            return this;
        }
        InetSocketAddress address = endpoint.address();
        try {
            channel = DatagramChannel.open(endpoint.isIpv6() ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBuffer());
            int got = channel.getOption(StandardSocketOptions.SO_RCVBUF);
            if (got < options.receiveBuffer() && CAPPED_WARNED.compareAndSet(false, true)) {
                // once per process: serve opens three receivers per camera, all capped alike
                LOG.warn("{}: receive buffer capped at {} by the kernel; data may be lost while the {} is busy "
                        + "(sudo sysctl -w net.core.rmem_max={})", endpoint, Units.formatBytes(got),
                        options.service(), options.receiveBuffer());
            }
            if (endpoint.isMulticast()) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(new InetSocketAddress(address.getPort()));
                join(address);
            } else {
                channel.bind(address);
            }
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            InetSocketAddress bound = (InetSocketAddress) channel.getLocalAddress();
            localAddress = endpoint.isMulticast() ? new InetSocketAddress(address.getAddress(), bound.getPort())
                    : bound;
            return this;
        } catch (BindException e) {
            release();
            throw new ReceiveException(endpoint + ": address already in use (is another " + options.service()
                    + " listening on this port?)", e);
        } catch (IOException e) {
            release();
            throw new ReceiveException(endpoint + ": cannot listen (" + reason(e) + ")", e);
        }
    }

    private void join(InetSocketAddress group) throws IOException {
        NetworkInterface iface = MulticastInterface.of(endpoint);
        try {
            if (endpoint.source() != null) {
                channel.join(group.getAddress(), iface, endpoint.source());
            } else {
                channel.join(group.getAddress(), iface);
            }
        } catch (IOException e) {
            throw new SocketException("cannot join the group on " + iface.getName() + ": " + reason(e));
        }
        joined = iface;
    }

    /** Binds if need be and starts the receive thread, and a plugged input (which starts sending). Idempotent. */
    public synchronized UdpReceiver start() {
        bind();
        if (thread == null) {
            String name = options.service() + "-" + (factory == null ? localAddress.getPort() : endpoint.scheme());
            Thread t = Thread.ofPlatform().name(name).unstarted(LogContext.carry(factory == null ? this::run
                    : this::runPlugged));
            if (factory != null) {
                input = factory.start(options.camera() != null ? options.camera() : options.service(), endpoint,
                        new Feed(queue));
            }
            thread = t;
            t.start();
        }
        return this;
    }

    /**
     * Where the datagrams come from, for a person: {@code listening on 127.0.0.1:8101}, with {@code on eth0} for a
     * joined group, or {@code taken from the rtsp:// input} for a plugged one.
     */
    public synchronized String where() {
        if (factory != null) {
            return "taken from the " + endpoint.scheme() + ":// input";
        }
        if (localAddress == null) {
            return "not bound";
        }
        return "listening on " + localAddress.getAddress().getHostAddress() + ":" + localAddress.getPort()
                + (joined == null ? "" : " on " + joined.getName());
    }

    /**
     * The bound address (the real port when asked for port 0; the group for multicast); null before bind, and for a
     * plugged input (which binds nothing of ours).
     */
    public synchronized InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The interface the multicast group was joined on, or null. */
    public synchronized NetworkInterface joinedInterface() {
        return joined;
    }

    /** The receive thread, or null before start (for CPU measurements). */
    public synchronized Thread thread() {
        return thread;
    }

    public Stats stats() {
        Map<Drop, Long> byReason = new EnumMap<>(Drop.class);
        for (Drop d : Drop.values()) {
            long n = drops.get(d.ordinal());
            if (n > 0) {
                byReason.put(d, n);
            }
        }
        Input in = input;
        return new Stats(datagrams + drops.get(Drop.QUEUE_FULL.ordinal()), bytes + queueFullBytes.get(), accepted,
                acceptedBytes, byReason, lock.source(), lock.switches(),
                in == null ? Map.of() : in.counters());
    }

    // ---------------------------------------------------------------- the receive thread

    private void run() {
        ByteBuffer in = ByteBuffer.allocate(65_536);
        long tickMillis = Math.max(1, options.tick().toMillis());
        try {
            while (!stopping) {
                try {
                    selector.select(tickMillis);
                    selector.selectedKeys().clear();
                    for (int n = 0; n < BATCH && !stopping; n++) {
                        in.clear();
                        InetSocketAddress from = (InetSocketAddress) channel.receive(in);
                        if (from == null) {
                            break;
                        }
                        in.flip();
                        datagram(in, from, System.nanoTime());
                    }
                    afterBatch(System.nanoTime());
                } catch (IOException | RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    LOG.error("{}: unexpected error, the {} goes on: {}", endpoint, options.service(), e.toString());
                    LOG.debug("details", e);
                }
            }
        } finally {
            listener.onEnd();
        }
    }

    /** The receive thread of a plugged input: the same as {@link #run()}, with the queue for a socket. */
    private void runPlugged() {
        InetSocketAddress from = endpoint.address();
        long tickMillis = Math.max(1, options.tick().toMillis());
        try {
            while (!stopping) {
                try {
                    byte[] d = queue.poll(tickMillis, TimeUnit.MILLISECONDS);
                    for (int n = 0; d != null; n++) { // a datagram taken from the queue is always handled
                        datagram(ByteBuffer.wrap(d), from, System.nanoTime());
                        d = n + 1 < BATCH && !stopping ? queue.poll() : null;
                    }
                    afterBatch(System.nanoTime());
                } catch (InterruptedException e) {
                    if (stopping) {
                        break;
                    }
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    LOG.error("{}: unexpected error, the {} goes on: {}", endpoint, options.service(), e.toString());
                    LOG.debug("details", e);
                }
            }
        } finally {
            try {
                // what the input handed over is the listener's (a replayable input has committed it): all of it
                for (byte[] d = queue.poll(); d != null; d = queue.poll()) {
                    datagram(ByteBuffer.wrap(d), from, System.nanoTime());
                }
                afterBatch(System.nanoTime());
            } catch (RuntimeException e) {
                LOG.error("{}: unexpected error while closing: {}", endpoint, e.toString());
            } finally {
                listener.onEnd();
            }
        }
    }

    /**
     * Where a plugged input hands its datagrams: copies into the queue; {@link #accept} drops and counts what does
     * not fit, {@link #offer} takes a batch only when all of it fits (the input alone fills the queue, so the room
     * it sees can only grow until it puts the batch in).
     */
    private final class Feed implements DatagramSink {
        private final ArrayBlockingQueue<byte[]> to;

        Feed(ArrayBlockingQueue<byte[]> to) {
            this.to = to;
        }

        @Override
        public void accept(List<byte[]> batch) {
            for (byte[] d : batch) {
                if (stopping) {
                    return;
                }
                if (!to.offer(d.clone())) { // counted here: the receive thread never sees it
                    queueFullBytes.addAndGet(d.length);
                    drops.incrementAndGet(Drop.QUEUE_FULL.ordinal());
                }
            }
        }

        @Override
        public boolean offer(List<byte[]> batch) {
            if (stopping || to.remainingCapacity() < batch.size()) {
                return false;
            }
            for (byte[] d : batch) {
                to.add(d.clone());
            }
            return true;
        }
    }

    private void datagram(ByteBuffer in, InetSocketAddress from, long now) {
        int len = in.remaining();
        datagrams++;
        bytes += len;
        if (!allowed(from)) {
            drops.incrementAndGet(Drop.DENIED.ordinal());
            return;
        }
        TsSourceLock.Verdict verdict = lock.offer(in, from, now);
        switch (verdict) {
            case NOT_TS -> drops.incrementAndGet(Drop.NOT_TS.ordinal());
            case NO_STREAM_YET -> drops.incrementAndGet(Drop.NO_STREAM_YET.ordinal());
            case OTHER_SOURCE -> drops.incrementAndGet(Drop.OTHER_SOURCE.ordinal());
            case ACCEPT -> {
                if (!stopped && lastAcceptedNanos != 0 && now - lastAcceptedNanos > options.stoppedAfter().toNanos()) {
                    // silent that long, though no check has run since to say so (another source taking over after
                    // the same silence comes in the very batch that would have said it)
                    stopped = true;
                    listener.onStopped(now - lastAcceptedNanos);
                }
                if (stopped) {
                    stopped = false;
                    listener.onBack(now - lastAcceptedNanos);
                }
                lastAcceptedNanos = now;
                accepted++;
                acceptedBytes += len;
                listener.onData(in.array(), 0, len, now);
            }
        }
    }

    /** After each batch and each quiet tick: says when the stream stopped, then ticks. */
    private void afterBatch(long now) {
        if (!stopped && lastAcceptedNanos != 0 && now - lastAcceptedNanos > options.stoppedAfter().toNanos()) {
            stopped = true;
            listener.onStopped(now - lastAcceptedNanos);
        }
        listener.onTick(now);
    }

    private boolean allowed(InetSocketAddress from) {
        if (allow.length == 0) {
            return true;
        }
        for (Cidr c : allow) {
            if (c.contains(from.getAddress())) {
                return true;
            }
        }
        return false;
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    // ---------------------------------------------------------------- closing

    /**
     * Stops a plugged input (within a few seconds, its contract), then the receive thread (after its
     * {@link Listener#onEnd}) and releases the socket. Idempotent.
     */
    @Override
    public void close() {
        Thread t;
        Input in;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopping = true;
            if (selector != null) {
                selector.wakeup();
            }
            t = thread;
            in = input;
        }
        if (in != null) {
            try {
                in.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: closing the input: {}", endpoint, e.toString());
            }
        }
        if (t != null && t != Thread.currentThread()) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            release();
        }
    }

    private void release() {
        try {
            if (selector != null) {
                selector.close();
            }
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
        selector = null;
        channel = null;
    }
}
