package io.streamtee.record;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges continuity errors into "loss" gaps: errors closer than {@link #MERGE_MILLIS} to the previous one are one
 * gap (one lost datagram breaks every PID it carried), indexed and logged in one line once
 * {@link #MERGE_MILLIS} has passed without another. One thread (the recorder's).
 */
final class LossGaps {

    private static final Logger LOG = LoggerFactory.getLogger(LossGaps.class);
    /** Continuity errors closer than this are one "loss" gap. */
    static final long MERGE_MILLIS = 1000;

    private final Consumer<SegmentIndex.Gap> gaps;
    private long start;
    private long end;
    private long count;
    private int pid;
    private String segment;

    /** @param gaps where a finished loss gap goes (the index) */
    LossGaps(Consumer<SegmentIndex.Gap> gaps) {
        this.gaps = gaps;
    }

    /** A continuity error on {@code pid} at {@code wallMillis}, while {@code segment} (or null) was written. */
    void error(int pid, long wallMillis, String segment) {
        if (count > 0 && wallMillis - end <= MERGE_MILLIS) {
            end = wallMillis;
            count++;
            if (this.pid != pid) {
                this.pid = -1; // several PIDs: one loss event all the same
            }
            return;
        }
        flush();
        start = wallMillis;
        end = wallMillis;
        count = 1;
        this.pid = pid;
        this.segment = segment;
    }

    /** Ends the current gap when no error came for {@link #MERGE_MILLIS}. */
    void flushIfDue(long nowMillis) {
        if (count > 0 && nowMillis - end > MERGE_MILLIS) {
            flush();
        }
    }

    /** Ends the current gap, if any: indexed and logged. */
    void flush() {
        if (count == 0) {
            return;
        }
        gaps.accept(new SegmentIndex.Gap("loss", start, end, count, pid < 0 ? null : pid, segment));
        LOG.warn("lost packets: {} continuity errors on {} in {} ms", count, pid < 0 ? "several PIDs" : "PID " + pid,
                end - start);
        count = 0;
    }
}
