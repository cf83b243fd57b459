package io.streamtee.ts;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Collects the video access units of a transport stream, whole, for a decoder: a {@link TsListener} to give to a
 * {@link TsDemux}, which hands each H.264 or H.265 access unit of the program's video PID (the first H.264/H.265
 * stream of the PMT) to a consumer, with its timestamps and keyframe flag. One access unit per PES is assumed, as
 * everywhere in this package.
 *
 * <p>An access unit is complete with the last byte its PES_packet_length announces ({@link TsListener#onPesLength}),
 * and is handed over then; when the length is 0 (unbounded, as FFmpeg's muxer writes video PES by default) it is
 * complete only when the next PES of its PID begins, so it is handed over then, one frame after it arrived; {@link #flush()} hands over the last one at the end of a stream. A PES whose first slice was never found
 * (no picture in it, or its start lost to a continuity error) is dropped and counted. One that had a continuity error
 * while it arrived is handed over {@link AccessUnit#damaged() damaged}: the consumer decides (a decoder skips to the
 * next keyframe). A PES longer than {@link #MAX_BYTES} is dropped and counted.
 *
 * <p>The consumer gets one reused {@link AccessUnit} whose bytes are valid only during the call. Allocation happens
 * only when an access unit is larger than any before. Not thread-safe: called on the demuxer's thread.
 */
public final class AccessUnitAssembler implements TsListener {
    /** The largest access unit kept: 16 MiB, far above any real picture, small enough to bound a broken stream. */
    public static final int MAX_BYTES = 16 << 20;

    private final Consumer<AccessUnit> consumer;
    private final AccessUnit unit = new AccessUnit();
    private int pid = -1;
    private int streamType;
    private boolean open;
    private boolean decided;
    private boolean tooLong;
    private int expected = -1; // the PES's payload length when it declared one, else -1
    private long handedOver;
    private long dropped;
    private long damaged;

    /** @param consumer gets each access unit; must not keep it or its array after returning */
    public AccessUnitAssembler(Consumer<AccessUnit> consumer) {
        this.consumer = consumer;
        unit.data = new byte[64 * 1024];
    }

    @Override
    public void onPmt(Pmt pmt) {
        Pmt.Stream video = pmt.video();
        if (video != null && (video.pid() != pid || video.streamType() != streamType)) {
            open = false; // a PES of the old PID or type is not finished by the new one
            pid = video.pid();
            streamType = video.streamType();
        }
    }

    @Override
    public void onPes(int pid, int streamId, long pts, long dts, long position) {
        if (pid != this.pid) {
            return;
        }
        handOver();
        open = true;
        decided = false;
        tooLong = false;
        expected = -1;
        unit.length = 0;
        unit.damaged = false;
        unit.position = position;
        unit.pid = pid;
        unit.streamType = streamType;
    }

    @Override
    public void onPesLength(int pid, int payloadLength) {
        if (pid == this.pid && open) {
            expected = payloadLength;
        }
    }

    @Override
    public void onPesData(int pid, byte[] buf, int off, int len) {
        if (pid != this.pid || !open || tooLong) {
            return;
        }
        int need = unit.length + len;
        if (need > MAX_BYTES) {
            tooLong = true;
            return;
        }
        if (need > unit.data.length) {
            unit.data = Arrays.copyOf(unit.data, Math.min(MAX_BYTES, Math.max(need, unit.data.length * 2)));
        }
        System.arraycopy(buf, off, unit.data, unit.length, len);
        unit.length = need;
        handOverIfComplete();
    }

    /** Hands the access unit over as soon as its declared length has arrived and its first slice was seen. */
    private void handOverIfComplete() {
        if (open && decided && expected >= 0 && unit.length >= expected) {
            unit.length = expected; // bytes past the declared end are not the access unit's
            handOver();
        }
    }

    @Override
    public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
        if (pid == this.pid && open && position == unit.position) {
            decided = true;
            unit.pts = pts;
            unit.dts = dts;
            unit.keyframe = keyframe;
            handOverIfComplete();
        }
    }

    @Override
    public void onError(Tr101290.Kind kind, int pid, long position) {
        if (kind == Tr101290.Kind.CONTINUITY_COUNT_ERROR && pid == this.pid && open) {
            unit.damaged = true;
        }
    }

    /** End of stream (after {@link TsDemux#flush()}): hands over the access unit still being collected, if any. */
    public void flush() {
        handOver();
    }

    private void handOver() {
        if (!open) {
            return;
        }
        open = false;
        if (!decided || tooLong) {
            dropped++;
            return;
        }
        handedOver++;
        if (expected >= 0 && unit.length < expected) {
            unit.damaged = true; // shorter than its PES declared: a packet went missing without a continuity error
        }
        if (unit.damaged) {
            damaged++;
        }
        consumer.accept(unit);
    }

    /** The video PID followed, or -1 before a PMT named one. */
    public int pid() {
        return pid;
    }

    /** Access units handed over so far, damaged ones included. */
    public long accessUnits() {
        return handedOver;
    }

    /** Access units handed over marked damaged. */
    public long damaged() {
        return damaged;
    }

    /** PES of the video PID dropped: no slice found in them, or longer than {@link #MAX_BYTES}. */
    public long dropped() {
        return dropped;
    }
}
