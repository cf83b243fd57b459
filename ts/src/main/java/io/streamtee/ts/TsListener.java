package io.streamtee.ts;

/**
 * Callbacks from {@link TsDemux}, all on the thread that calls {@code feed}. Every method has an empty default, so
 * implement only what you need. Implementations must be quick and must not keep the {@code byte[]} they are given.
 *
 * <p>Positions are byte offsets in the whole fed stream (the first byte ever fed is position 0). Timestamps are
 * 90 kHz PTS/DTS values, or {@link Timestamps#NONE}.
 */
public interface TsListener {
    /** A listener that ignores everything. */
    TsListener NONE = new TsListener() {
    };

    /** Every packet that passed the sync check, before its contents are parsed. */
    default void onPacket(byte[] buf, int off, long position) {
    }

    /** A PAT that differs from the previous one (first one included). Repeats of the same PAT are not reported. */
    default void onPat(Pat pat) {
    }

    /** A PMT that differs from the previous one on its PID (first one included). */
    default void onPmt(Pmt pmt) {
    }

    /** A PES header on an elementary stream PID listed in a PMT; {@code position} is the packet that starts it. */
    default void onPes(int pid, int streamId, long pts, long dts, long position) {
    }

    /**
     * How many payload bytes follow the header of the PES just reported by {@link #onPes}, when its
     * PES_packet_length says so; not called when that is 0 (unbounded, as video PES often are). Lets a consumer know
     * a PES is complete with its last byte instead of when the next one begins.
     */
    default void onPesLength(int pid, int payloadLength) {
    }

    /**
     * Payload bytes of a PES on an elementary stream PID listed in a PMT, after the PES header, in stream order: the
     * first call for a PES comes after its {@link #onPes}. After a continuity error on the PID the rest of the PES is
     * not reported (the next PES start is). Called once per transport packet with payload; meant for assembling
     * access units ({@link AccessUnitAssembler}), so it must be quick.
     */
    default void onPesData(int pid, byte[] buf, int off, int len) {
    }

    /**
     * The start of an H.264 or H.265 access unit, reported as soon as its first slice NAL unit is seen, which is
     * usually in the same packet as the PES header or a few packets later (after the SPS/PPS/SEI of a keyframe).
     * {@code position} is the offset of the packet that begins the PES carrying it: a recorder that cuts at
     * keyframes cuts there, so it should hold the packets since the last PES start of the video PID until this
     * callback says whether they start a keyframe. {@code dts} equals {@code pts} when the PES has no DTS.
     */
    default void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
    }

    /** One TR 101 290 error; {@code pid} is {@link Tr101290#NO_PID} for sync errors. */
    default void onError(Tr101290.Kind kind, int pid, long position) {
    }
}
