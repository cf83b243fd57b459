package io.streamtee.view;

import io.streamtee.config.Endpoint;
import io.streamtee.net.UdpReceiver;
import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.PatCheck;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.Tr101290;
import io.streamtee.ts.TsDemux;
import io.streamtee.ts.TsListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The viewer's input: a {@link UdpReceiver} (a UDP socket, or a plugged input such as {@code rtsp://}) taking
 * well-formed TS from one source (the first whose PAT checks,
 * {@link PatCheck}), demuxed ({@link TsDemux}) into H.264/H.265 access units ({@link AccessUnitAssembler}), each
 * published to the {@link Hub} as a {@link Frame} stamped with the wall clock when it was complete. After a silence
 * ({@link UdpReceiver.Listener#onBack}: the camera restarted, perhaps at another size) the demuxer starts afresh and
 * the cached GOP is dropped. An access unit is complete with the last byte its PES declares, or, when the PES
 * declares no length (FFmpeg's default for video), when the next one begins: one frame interval after its last
 * packet (the assembler's rule). Each new PMT tells the hub whether the program carries
 * H.264/H.265 video ({@link Hub#noVideo}), so the page can say why it shows nothing.
 */
public final class LiveInput implements AutoCloseable {
    private final Hub hub;
    private final UdpReceiver receiver;
    private final LongSupplier wallClock;
    private TsDemux demux; // on the receive thread only
    private AccessUnitAssembler assembler;
    private volatile long accessUnits;
    private boolean closed;

    /**
     * @param listen a udp:// address (port 0 for any free one), or a URL a plugged input serves ({@code rtsp://},
     *               {@code srt://})
     * @throws io.streamtee.config.ConfigException when no plugged input serves {@code listen}'s scheme
     */
    public LiveInput(Endpoint listen, Hub hub) {
        this(listen, hub, null, System::currentTimeMillis);
    }

    /** An input for the camera {@code camera}, the name a plugged input logs under. */
    public LiveInput(Endpoint listen, Hub hub, String camera) {
        this(listen, hub, camera, System::currentTimeMillis);
    }

    LiveInput(Endpoint listen, Hub hub, LongSupplier wallClock) {
        this(listen, hub, null, wallClock);
    }

    private LiveInput(Endpoint listen, Hub hub, String camera, LongSupplier wallClock) {
        this.hub = hub;
        this.wallClock = wallClock;
        this.receiver = new UdpReceiver(listen, UdpReceiver.Options.of("viewer")
                .withStartsStream(PatCheck::startsStream).withCamera(camera), new Input());
        fresh();
    }

    private void fresh() {
        assembler = new AccessUnitAssembler(au -> {
            accessUnits++;
            hub.publish(Frame.of(au, wallClock.getAsLong()));
        });
        demux = new TsDemux(new VideoWatch(assembler));
    }

    /** "No H.264/H.265 video" for the page, naming what the program carries; null when it has video. */
    static String noVideo(Pmt pmt) {
        if (pmt.video() != null) {
            return null;
        }
        List<String> streams = new ArrayList<>();
        for (Pmt.Stream s : pmt.streams()) {
            streams.add(s.codec() + " (PID " + s.pid() + ")");
        }
        return "the stream has no H.264/H.265 video: its program carries "
                + (streams.isEmpty() ? "no streams" : String.join(", ", streams));
    }

    /**
     * The assembler, and each new PMT told to the hub: does the program carry video the page can show? Forwards every
     * {@link TsListener} callback the assembler takes (a test holds it to that: one missed, PES lengths, cost a frame
     * of latency).
     */
    final class VideoWatch implements TsListener {
        private final AccessUnitAssembler next;

        VideoWatch(AccessUnitAssembler next) {
            this.next = next;
        }

        @Override
        public void onPmt(Pmt pmt) {
            hub.noVideo(noVideo(pmt));
            next.onPmt(pmt);
        }

        @Override
        public void onPes(int pid, int streamId, long pts, long dts, long position) {
            next.onPes(pid, streamId, pts, dts, position);
        }

        @Override
        public void onPesLength(int pid, int payloadLength) {
            next.onPesLength(pid, payloadLength);
        }

        @Override
        public void onPesData(int pid, byte[] buf, int off, int len) {
            next.onPesData(pid, buf, off, len);
        }

        @Override
        public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
            next.onAccessUnit(pid, position, pts, dts, keyframe);
        }

        @Override
        public void onError(Tr101290.Kind kind, int pid, long position) {
            next.onError(kind, pid, position);
        }
    }

    /**
     * Binds and starts receiving.
     *
     * @throws io.streamtee.net.ReceiveException one line naming the address when it cannot be bound
     */
    public synchronized LiveInput start() {
        receiver.bind();
        receiver.start();
        return this;
    }

    /** The bound address (the real port when 0 was asked for); null for a plugged input ({@code rtsp://}). */
    public InetSocketAddress localAddress() {
        return receiver.localAddress();
    }

    /** Where the datagrams come from, for a person ({@link UdpReceiver#where()}). */
    public String where() {
        return receiver.where();
    }

    /** The receiver's counters. */
    public UdpReceiver.Stats stats() {
        return receiver.stats();
    }

    /** Access units published. */
    public long accessUnits() {
        return accessUnits;
    }

    private final class Input implements UdpReceiver.Listener {
        @Override
        public void onData(byte[] buf, int off, int len, long nanos) {
            demux.feed(buf, off, len, nanos);
        }

        @Override
        public void onBack(long silentNanos) {
            fresh();
            hub.reset();
        }

        @Override
        public void onTick(long nanos) {
            demux.tick(nanos);
        }

        @Override
        public void onEnd() {
            assembler.flush();
        }
    }

    /** Stops receiving. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        receiver.close();
    }
}
