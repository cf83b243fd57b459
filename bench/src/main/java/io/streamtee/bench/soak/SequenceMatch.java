package io.streamtee.bench.soak;

/**
 * The in-order check of one output against its camera's {@link SentLog}, without sockets: each datagram received
 * must be the next one sent (the same digest). One that matches a later sequence number within {@link #LOOKAHEAD}
 * counts the ones skipped as lost; one that matches none is altered (and takes the next number). Not thread-safe:
 * its owner locks.
 */
final class SequenceMatch {

    static final int LOOKAHEAD = 200_000;
    private final SentLog sent;
    private int expected;
    private long received;
    private long lost;
    private long altered;

    SequenceMatch(SentLog sent) {
        this.sent = sent;
    }

    /**
     * Accounts for one datagram received.
     *
     * @return the sequence number it was sent as, or -1 when altered
     */
    int received(long digest) {
        received++;
        int limit = Math.min(sent.count(), expected + LOOKAHEAD);
        for (int j = expected; j < limit; j++) {
            if (sent.digest(j) == digest) {
                lost += j - expected;
                expected = j + 1;
                return j;
            }
        }
        altered++;
        expected++;
        return -1;
    }

    /** Whether every datagram sent so far has been accounted for. */
    boolean caughtUp() {
        return expected >= sent.count();
    }

    /** Counts what was sent and never received as lost; once the stream is over. */
    void finish() {
        int n = sent.count();
        if (expected < n) {
            lost += n - expected;
            expected = n;
        }
    }

    long receivedCount() {
        return received;
    }

    long lost() {
        return lost;
    }

    long altered() {
        return altered;
    }
}
