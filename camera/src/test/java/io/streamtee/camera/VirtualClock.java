package io.streamtee.camera;

/** A clock that jumps to every deadline it is asked to wait for, so pacing is checked at no wall-clock cost. */
final class VirtualClock implements Clock {

    private long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves the clock forward to {@code time}, as if the caller had waited (never back). */
    void advanceTo(long time) {
        now = Math.max(now, time);
    }

    @Override
    public void parkUntil(long deadline) {
        now = Math.max(now, deadline);
    }
}
