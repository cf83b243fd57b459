package io.streamtee.analyze.health;

/**
 * One problem on one PID, with hysteresis: active from its first error until none was seen for the quiet time.
 * A problem that flaps within the quiet time stays one episode, with its errors counted.
 */
final class Episode {
    final HealthEvent.Kind kind;
    final int pid;
    boolean active;
    long startNanos;
    long lastNanos;
    long count;
    /** The START event of the current (or last) episode. */
    HealthEvent started;

    Episode(HealthEvent.Kind kind, int pid) {
        this.kind = kind;
        this.pid = pid;
    }

    /** Counts an error at {@code now}; true when it starts a new episode. */
    boolean seen(long now) {
        lastNanos = now;
        if (!active) {
            active = true;
            startNanos = now;
            count = 1;
            return true;
        }
        count++;
        return false;
    }

    /** True when the episode is active and its last error is at least {@code quietNanos} old: it should end. */
    boolean quiet(long now, long quietNanos) {
        return active && now - lastNanos >= quietNanos;
    }

    String subject() {
        return kind.words() + (pid >= 0 ? " on PID " + pid : "");
    }
}
