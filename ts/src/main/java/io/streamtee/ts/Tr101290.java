package io.streamtee.ts;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counters and timing checks of ETSI TR 101 290 priority 1 and 2, counted the way TSDuck counts them: per PID and
 * per kind. {@link TsDemux} owns one and feeds it; read it with {@link #snapshot()}.
 *
 * <p>Time comes from the demux clock (the stream's PCR, or the caller's clock passed with the bytes), never from
 * the wall clock. A timeout ("PAT absent for more than 0.5 s") is counted once per episode: once when the limit
 * is passed, and again only after the table or PID has come back and gone away again.
 */
public final class Tr101290 {
    /** The indicators, with their TR 101 290 priority. */
    public enum Kind {
        TS_SYNC_LOSS(1),
        SYNC_BYTE_ERROR(1),
        PAT_ERROR(1),
        CONTINUITY_COUNT_ERROR(1),
        PMT_ERROR(1),
        PID_ERROR(1),
        TRANSPORT_ERROR(2),
        CRC_ERROR(2),
        PCR_REPETITION_ERROR(2),
        PCR_DISCONTINUITY_INDICATOR_ERROR(2),
        PTS_ERROR(2);

        private final int priority;

        Kind(int priority) {
            this.priority = priority;
        }

        public int priority() {
            return priority;
        }
    }

    /**
     * Limits of the timing checks, in nanoseconds. {@link #DEFAULTS} are the TR 101 290 values; the PID_error
     * period is "user specified" there.
     */
    public record Limits(long patNanos, long pmtNanos, long pidNanos, long pcrRepetitionNanos,
                         long pcrDiscontinuityNanos, long ptsNanos) {
        public static final Limits DEFAULTS = new Limits(500_000_000L, 500_000_000L, 5_000_000_000L,
                40_000_000L, 100_000_000L, 700_000_000L);
    }

    /** PID used for errors that belong to no PID (sync errors). */
    public static final int NO_PID = -1;

    private static final int PIDS = TsPacket.PID_COUNT;
    private static final Kind[] KINDS = Kind.values();
    private static final long NEVER = Long.MIN_VALUE;

    private final Limits limits;
    private final TsListener listener;
    private final long pcrRepetitionTicks;
    private final long pcrDiscontinuityTicks;

    private final long[] totals = new long[KINDS.length];
    private final long[][] perPid = new long[PIDS][];

    private long patLast = NEVER;
    private boolean patReported;
    private final long[] tableLast = new long[PIDS];
    private final boolean[] tableReported = new boolean[PIDS];
    private final long[] packetLast = new long[PIDS];
    private final boolean[] pidReported = new boolean[PIDS];
    private final long[] ptsLast = new long[PIDS];
    private final boolean[] ptsReported = new boolean[PIDS];
    private final long[] pcrLast = new long[PIDS];
    private final boolean[] pcrDiscontinuityPending = new boolean[PIDS];

    private int[] pmtPids = new int[0];
    private int[] esPids = new int[0];

    Tr101290(Limits limits, TsListener listener) {
        this.limits = limits;
        this.listener = listener;
        this.pcrRepetitionTicks = limits.pcrRepetitionNanos() * 27 / 1000;
        this.pcrDiscontinuityTicks = limits.pcrDiscontinuityNanos() * 27 / 1000;
        Arrays.fill(tableLast, NEVER);
        Arrays.fill(packetLast, NEVER);
        Arrays.fill(ptsLast, NEVER);
        Arrays.fill(pcrLast, -1);
    }

    public Limits limits() {
        return limits;
    }

    /** Counts one error of {@code kind} on {@code pid} (or {@link #NO_PID}) and tells the listener. */
    void count(Kind kind, int pid, long position) {
        totals[kind.ordinal()]++;
        if (pid >= 0) {
            long[] row = perPid[pid];
            if (row == null) {
                row = new long[KINDS.length];
                perPid[pid] = row;
            }
            row[kind.ordinal()]++;
        }
        listener.onError(kind, pid, position);
    }

    /** Starts the PAT timer; called on the first packet. */
    void start(long now) {
        if (patLast == NEVER) {
            patLast = now;
        }
    }

    void packet(int pid, long now) {
        packetLast[pid] = now;
        pidReported[pid] = false;
    }

    void pat(long now) {
        patLast = now;
        patReported = false;
    }

    void pmt(int pid, long now) {
        tableLast[pid] = now;
        tableReported[pid] = false;
    }

    void pts(int pid, long now) {
        ptsLast[pid] = now;
        ptsReported[pid] = false;
    }

    /** The PMT PIDs the PAT refers to; a newly listed PID starts its timer now. */
    void watchPmtPids(int[] pids, long now) {
        for (int pid : pids) {
            if (tableLast[pid] == NEVER) {
                tableLast[pid] = now;
            }
        }
        for (int pid : pmtPids) {
            if (!contains(pids, pid)) {
                tableLast[pid] = NEVER;
            }
        }
        pmtPids = pids;
    }

    /** The elementary stream PIDs the PMTs refer to; a newly listed PID starts its timer now. */
    void watchEsPids(int[] pids, long now) {
        for (int pid : pids) {
            if (packetLast[pid] == NEVER) {
                packetLast[pid] = now;
            }
        }
        for (int pid : esPids) {
            if (!contains(pids, pid)) {
                ptsLast[pid] = NEVER;
            }
        }
        esPids = pids;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** Checks a PCR against the previous one on the same PID (values, not arrival times). */
    void pcr(int pid, long pcr, boolean discontinuity, long position) {
        long last = pcrLast[pid];
        pcrLast[pid] = pcr;
        if (discontinuity || pcrDiscontinuityPending[pid]) {
            pcrDiscontinuityPending[pid] = false;
            return;
        }
        if (last < 0) {
            return;
        }
        long d = Timestamps.pcrDiff(last, pcr);
        if (d < 0 || d > pcrDiscontinuityTicks) {
            count(Kind.PCR_DISCONTINUITY_INDICATOR_ERROR, pid, position);
        } else if (d > pcrRepetitionTicks) {
            count(Kind.PCR_REPETITION_ERROR, pid, position);
        }
    }

    /** A discontinuity_indicator in a packet without PCR: the next PCR on the PID may jump. */
    void discontinuity(int pid) {
        pcrDiscontinuityPending[pid] = true;
    }

    /** Runs the timeout checks at time {@code now}. */
    void tick(long now, long position) {
        if (patLast != NEVER && !patReported && now - patLast > limits.patNanos()) {
            patReported = true;
            count(Kind.PAT_ERROR, TsPacket.PAT_PID, position);
        }
        for (int pid : pmtPids) {
            long last = tableLast[pid];
            if (last != NEVER && !tableReported[pid] && now - last > limits.pmtNanos()) {
                tableReported[pid] = true;
                count(Kind.PMT_ERROR, pid, position);
            }
        }
        for (int pid : esPids) {
            long last = packetLast[pid];
            if (last != NEVER && !pidReported[pid] && now - last > limits.pidNanos()) {
                pidReported[pid] = true;
                count(Kind.PID_ERROR, pid, position);
            }
            last = ptsLast[pid];
            if (last != NEVER && !ptsReported[pid] && now - last > limits.ptsNanos()) {
                ptsReported[pid] = true;
                count(Kind.PTS_ERROR, pid, position);
            }
        }
    }

    /**
     * True while a timeout error is in progress: {@code kind} (PAT_ERROR, PMT_ERROR, PID_ERROR or PTS_ERROR) was
     * counted on {@code pid} and what it waits for (the table, a packet, a PTS) has not been seen since, and the
     * PID is still listed by the PAT or a PMT. False for the other kinds, which are single events, not states.
     */
    public boolean timedOut(Kind kind, int pid) {
        if (pid < 0 || pid >= PIDS) {
            return false;
        }
        return switch (kind) {
            case PAT_ERROR -> pid == TsPacket.PAT_PID && patReported;
            case PMT_ERROR -> tableReported[pid] && contains(pmtPids, pid);
            case PID_ERROR -> pidReported[pid] && contains(esPids, pid);
            case PTS_ERROR -> ptsReported[pid] && contains(esPids, pid);
            default -> false;
        };
    }

    /** An immutable copy of the counters. */
    public Snapshot snapshot() {
        Map<Kind, Long> t = new EnumMap<>(Kind.class);
        for (Kind k : KINDS) {
            t.put(k, totals[k.ordinal()]);
        }
        Map<Integer, Map<Kind, Long>> p = new TreeMap<>();
        for (int pid = 0; pid < PIDS; pid++) {
            long[] row = perPid[pid];
            if (row != null) {
                Map<Kind, Long> m = new EnumMap<>(Kind.class);
                for (Kind k : KINDS) {
                    if (row[k.ordinal()] != 0) {
                        m.put(k, row[k.ordinal()]);
                    }
                }
                p.put(pid, Collections.unmodifiableMap(m));
            }
        }
        return new Snapshot(Collections.unmodifiableMap(t), Collections.unmodifiableMap(p));
    }

    /**
     * Error counts: {@code totals} has every kind (zeros included); {@code perPid} has only PIDs with errors and,
     * for each, only the kinds seen. Sync errors belong to no PID and appear in the totals only.
     */
    public record Snapshot(Map<Kind, Long> totals, Map<Integer, Map<Kind, Long>> perPid) {
        public long count(Kind kind) {
            return totals.getOrDefault(kind, 0L);
        }

        public long count(Kind kind, int pid) {
            return perPid.getOrDefault(pid, Map.of()).getOrDefault(kind, 0L);
        }

        public long priority(int priority) {
            long n = 0;
            for (Map.Entry<Kind, Long> e : totals.entrySet()) {
                if (e.getKey().priority() == priority) {
                    n += e.getValue();
                }
            }
            return n;
        }

        public long total() {
            return priority(1) + priority(2);
        }
    }
}
