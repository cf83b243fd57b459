package io.streamtee.analyze.health;

import io.streamtee.config.Units;
import io.streamtee.ts.Pat;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.StreamInfo;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.Tr101290;
import io.streamtee.ts.TsDemux;
import io.streamtee.ts.TsListener;
import io.streamtee.ts.TsPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * Watches one live transport stream and reports its problems as {@link HealthEvent}s that start and end, with
 * hysteresis so that a flapping link is one event and not a hundred.
 *
 * <p><b>Input.</b> Feed every datagram with {@link #onDatagram(byte[], int, int, long)} and its arrival time, and
 * call {@link #tick(long)} now and then (every 100 ms to 1 s) so that silence is noticed while nothing arrives.
 * Times are nanoseconds of any monotonic clock ({@code System.nanoTime()}); the monitor never reads a clock, so
 * tests are deterministic. Wall-clock millis in events are {@code nanos / 1e6 + wallOffsetMillis}.
 *
 * <p><b>Problems.</b> The monitor owns a {@link TsDemux} (arrival clock) and turns its TR 101 290 priority 1 and 2
 * errors into episodes per kind and PID ({@link HealthEvent.Kind}): an episode STARTs at its first error and ENDs
 * once no error of its kind and PID was seen for {@link HealthSettings#quietTime()} (for the timeouts, PAT, PMT,
 * PID and PTS missing: once the thing is back and stayed for the quiet time); the END says how many errors
 * there were and over how long. The stream is lost after {@link HealthSettings#lostAfter()} of silence and back
 * when data flows again (after {@link HealthSettings#backConfirm()}); an outage that begins before "back" was
 * reported extends the same episode. After an outage the demuxer starts afresh, so a camera that restarts (new
 * continuity counters, PCR and PTS) is not reported as continuity or PCR errors. The TR 101 290 timeouts run when
 * a datagram arrives, not on {@link #tick}, so silence of the whole stream is the one outage problem; and a PAT,
 * PMT, PID or PTS timeout that a shorter gap of the whole stream caused (found when a datagram arrives after
 * silence of half the shortest of those limits, 0.25 s by default) is not reported either: lost packets show as
 * continuity errors. Episodes active when the stream is lost end by their quiet time during the outage. Beyond
 * TR 101 290, a DTS (or PTS) whose step on a PID differs by more than a second from the arrival step of its PES
 * (when they arrive less than a second apart) is a {@link HealthEvent.Kind#TIMESTAMP_JUMP}.
 *
 * <p>The bit rate is low when its average over {@link HealthSettings#bitrateWindow()} stays under the floor for
 * {@link HealthSettings#bitrateLowFor()}, and ends when it has been back above for the quiet time; it is not
 * judged while the stream is lost nor for one window after it starts or comes back (a BITRATE_LOW already active
 * stays so through an outage). A change of the video's codec, size or frame rate, checked at each keyframe, is
 * one {@link HealthEvent.Phase#ONCE} event; a camera that comes back from an outage with another size is one. A
 * format that keeps changing (a flapping resolution) is not an event per change: the changes that follow a reported
 * one within {@link HealthSettings#quietTime()} are counted, and once the format has stayed put for the quiet time one
 * more event sums them up ("format changed 37 more times in 52 s: ... -> h264 1280x720 25 fps"). The format itself
 * is reported once, when first known ({@link HealthEvent.Kind#FORMAT}, "stream format: h264 1280x720 30 fps"), or
 * that the program has no H.264 or H.265 video. The frame rate is the median of the video's last DTS steps (so lost
 * frames do not move it; the SPS timing until there are three); a first or new format waits for it up to 2 s.
 *
 * <p><b>End.</b> {@link #finish(long)} (the analyzer stops) ends every open episode with an END that says so
 * ("continuity errors on PID 256 ended: analyzer stopped (17 in 4.2 s)"), so that no START is left without its END
 * in a database or an MQTT state; after it the monitor ignores its input.
 *
 * <p><b>Metrics.</b> {@link #facts()}, {@link #lost()}, {@link #activeCount()}, {@link #problemsStarted},
 * {@link #errorCount}, {@link #outagesTotal()}, {@link #formatChanges()}, {@link #datagrams()} and {@link #bytes()} may
 * be read from any thread (a metrics scrape); they count from the monitor's start, across outages.
 *
 * <p>Events are delivered to the listener on the calling thread, in order. Not thread-safe: one thread feeds it.
 */
public final class HealthMonitor {
    private static final long SECOND = 1_000_000_000L;
    private static final int STEPS = 25;
    /** With no frame rate known this long after the first keyframe, the format is reported without one. */
    private static final long FORMAT_WAIT_NANOS = 2 * SECOND;
    private final HealthSettings settings;
    private final long wallOffsetMillis;
    private final Consumer<HealthEvent> listener;
    private final TsListener also;
    private final long quietNanos;
    private final long lostAfterNanos;
    private final long backConfirmNanos;
    private final long lowForNanos;
    private final long windowNanos;
    private final long gapNanos;
    private final RateWindow rate;
    private final Map<Integer, Episode> episodes = new HashMap<>();
    private int activeEpisodes;

    private TsDemux demux;
    private boolean started;
    private boolean afterGap;
    private long lastDataNanos;
    private long lastNanos;
    private long lastPts = Timestamps.NONE;
    private int videoPid = -1;
    private final long[] lastTimestamp = new long[TsPacket.PID_COUNT];
    private final long[] lastTimestampNanos = new long[TsPacket.PID_COUNT];
    private StreamFacts format = StreamFacts.UNKNOWN;
    private volatile StreamFacts published = StreamFacts.UNKNOWN;
    private HealthEvent lostEvent;
    private HealthEvent bitrateEvent;
    private boolean finished;

    // format: the last reported, changes held back while it flaps
    private StreamFacts formatReported;
    private long formatChangedNanos;
    private long formatHeld;
    private long formatHeldFrom;
    private boolean noVideoReported;
    /** Since when a first or new format waits for its frame rate, or -1. */
    private long formatWaitSince = -1;
    /** The last DTS steps of the video PID, for a frame rate that lost frames do not skew. */
    private final long[] steps = new long[STEPS];
    private int stepCount;
    private long lastVideoDts = Timestamps.NONE;

    // metrics, read from any thread
    private final AtomicLongArray begun = new AtomicLongArray(HealthEvent.Kind.values().length);
    private final AtomicLongArray errorTotals = new AtomicLongArray(Tr101290.Kind.values().length);
    private volatile int activeCount;
    private volatile long outagesTotal;
    private volatile long formatChanges;
    private volatile long datagrams;
    private volatile long bytes;

    private volatile boolean lost;
    private boolean backPending;
    private long lostStartNanos;
    private long resumedNanos;
    private long outages;

    private long bitrateFrom;
    private long belowSince = -1;
    private boolean bitrateLow;
    private long bitrateLowStart;
    private long bitrateLastLow;
    private long bitrateMin;

    /**
     * @param settings         thresholds
     * @param wallOffsetMillis epoch millis minus {@code nanos / 1e6} of the clock the times come from (for a
     *                         {@code System.nanoTime()} clock: {@code System.currentTimeMillis() -
     *                         System.nanoTime() / 1_000_000} taken once)
     * @param listener         receives the events; must be quick
     */
    public HealthMonitor(HealthSettings settings, long wallOffsetMillis, Consumer<HealthEvent> listener) {
        this(settings, wallOffsetMillis, listener, TsListener.NONE);
    }

    /**
     * A monitor whose demuxer also hands every callback to {@code also}, so that another consumer of the stream
     * (a keyframe picker) need not demultiplex it a second time. After an outage the demuxer starts afresh: a new
     * PAT and PMT are reported to {@code also} as for a new stream.
     */
    public HealthMonitor(HealthSettings settings, long wallOffsetMillis, Consumer<HealthEvent> listener,
                         TsListener also) {
        this.also = Objects.requireNonNull(also, "also");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.wallOffsetMillis = wallOffsetMillis;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.quietNanos = settings.quietTime().toNanos();
        this.lostAfterNanos = settings.lostAfter().toNanos();
        this.backConfirmNanos = settings.backConfirm().toNanos();
        this.lowForNanos = settings.bitrateLowFor().toNanos();
        this.windowNanos = settings.bitrateWindow().toNanos();
        this.rate = new RateWindow(windowNanos);
        Tr101290.Limits l = settings.limits();
        this.gapNanos = Math.min(l.patNanos(), Math.min(l.pmtNanos(), l.ptsNanos())) / 2;
        this.demux = newDemux();
        Arrays.fill(lastTimestamp, Timestamps.NONE);
    }

    public HealthSettings settings() {
        return settings;
    }

    /** One datagram (any number of whole or partial TS packets) that arrived at {@code nanos}. */
    public void onDatagram(byte[] buf, int off, int len, long nanos) {
        if (finished) {
            return;
        }
        datagrams++;
        bytes += len;
        lastNanos = nanos;
        if (started) {
            checkSilence(nanos);
            if (lost) {
                resume(nanos);
            }
        } else {
            started = true;
            bitrateFrom = nanos + windowNanos;
        }
        afterGap = nanos - lastDataNanos >= gapNanos;
        lastDataNanos = nanos;
        checkBack(nanos);
        rate.add(len, nanos);
        demux.feed(buf, off, len, nanos);
        afterGap = false;
        checkQuiet(nanos);
        checkBitrate(nanos);
        checkFormat(nanos);
    }

    /**
     * The passing of time with no data: detects silence, ends quiet episodes. The TR 101 290 timeouts are not run
     * here but at each datagram, so silence of the whole stream is {@link HealthEvent.Kind#STREAM_LOST}, not PAT,
     * PMT and PTS missing.
     */
    public void tick(long nanos) {
        if (!started || finished) {
            return;
        }
        lastNanos = nanos;
        checkSilence(nanos);
        checkBack(nanos);
        checkQuiet(nanos);
        checkBitrate(nanos);
        checkFormat(nanos);
        publish();
    }

    /**
     * The end of watching (the analyzer stops) at {@code nanos}: every open episode ENDs now with "analyzer stopped"
     * in its text, a lost stream too ("stream still lost when the analyzer stopped, after 12 s"), a stream that came
     * back but was not yet confirmed is reported back, and format changes held back are summed up. The monitor takes
     * no input after it. Idempotent.
     */
    public void finish(long nanos) {
        if (finished) {
            return;
        }
        if (started) {
            lastNanos = Math.max(lastNanos, nanos);
            long now = lastNanos;
            if (lost) {
                emit(HealthEvent.Kind.STREAM_LOST, HealthEvent.Phase.END, HealthEvent.NO_PID, lostStartNanos, now,
                        outages, "stream still lost when the analyzer stopped, after "
                                + seconds(now - lostStartNanos), null, null);
                lost = false;
                outages = 0;
            } else if (backPending) {
                back(now);
            }
            if (bitrateLow) {
                bitrateLow = false;
                emit(HealthEvent.Kind.BITRATE_LOW, HealthEvent.Phase.END, HealthEvent.NO_PID, bitrateLowStart, now, 1,
                        "bitrate low ended: analyzer stopped (lowest " + Units.formatBitrate(bitrateMin) + " over "
                                + seconds(bitrateLastLow - bitrateLowStart) + ")", null, null);
            }
            for (Episode e : sortedEpisodes()) {
                if (e.active) {
                    e.active = false;
                    activeEpisodes--;
                    emit(e.kind, HealthEvent.Phase.END, e.pid, e.startNanos, now, e.count, e.subject()
                            + " ended: analyzer stopped (" + e.count + " in " + seconds(e.lastNanos - e.startNanos)
                            + ")", null, null);
                }
            }
            if (formatHeld > 0) {
                formatSummary(now);
            }
            publish();
        }
        finished = true;
    }

    private List<Episode> sortedEpisodes() {
        List<Episode> list = new ArrayList<>(episodes.values());
        list.sort(Comparator.comparingLong((Episode e) -> e.startNanos).thenComparingInt(e -> e.pid));
        return list;
    }

    /**
     * What is known about the stream, as of the last {@link #tick} (or format change), with the bit rate over the
     * window up to then. Safe to call from any thread (a metrics scrape), unlike the rest of the class.
     */
    public StreamFacts facts() {
        return published;
    }

    private void publish() {
        published = format.withBitrate(rate.bitsPerSecond(lastNanos));
        activeCount = activeEpisodes + (lost || backPending ? 1 : 0) + (bitrateLow ? 1 : 0);
    }

    /** Problems open now (as of the last {@link #tick}): those {@link #activeProblems()} lists. Any thread. */
    public int activeCount() {
        return activeCount;
    }

    /**
     * Events of {@code kind} so far that began something: STARTs, and ONCE events (format changes, the format
     * report). Any thread.
     */
    public long problemsStarted(HealthEvent.Kind kind) {
        return begun.get(kind.ordinal());
    }

    /**
     * TR 101 290 errors of {@code kind} counted since the monitor started, across outages (unlike {@link #errors()},
     * whose demuxer starts afresh after each); those a gap of the whole stream caused included. Any thread.
     */
    public long errorCount(Tr101290.Kind kind) {
        return errorTotals.get(kind.ordinal());
    }

    /** Outages (silences longer than {@link HealthSettings#lostAfter()}) since the monitor started. Any thread. */
    public long outagesTotal() {
        return outagesTotal;
    }

    /** Changes of the video format (codec, size, frame rate), each one, reported or held back. Any thread. */
    public long formatChanges() {
        return formatChanges;
    }

    /** Datagrams fed. Any thread. */
    public long datagrams() {
        return datagrams;
    }

    /** Bytes fed. Any thread. */
    public long bytes() {
        return bytes;
    }

    /** The TR 101 290 counters since the stream started or last came back after an outage. */
    public Tr101290.Snapshot errors() {
        return demux.errors();
    }

    /** True while the stream is lost (silence longer than {@link HealthSettings#lostAfter()}). */
    public boolean lost() {
        return lost;
    }

    /** The START events of the problems that have started and not yet ended, oldest first. */
    public List<HealthEvent> activeProblems() {
        List<HealthEvent> list = new ArrayList<>();
        if (lost || backPending) {
            list.add(lostEvent);
        }
        if (bitrateLow) {
            list.add(bitrateEvent);
        }
        for (Episode e : episodes.values()) {
            if (e.active) {
                list.add(e.started);
            }
        }
        list.sort(Comparator.comparingLong(HealthEvent::nanos));
        return list;
    }

    private TsDemux newDemux() {
        return new TsDemux(new Listener(), settings.limits());
    }

    // ---- stream lost / back

    private void checkSilence(long now) {
        if (lost || now - lastDataNanos < lostAfterNanos) {
            return;
        }
        lost = true;
        outages++;
        outagesTotal++;
        belowSince = -1;
        if (backPending) {
            backPending = false; // lost again before "back" was confirmed: the same episode goes on
            return;
        }
        lostStartNanos = lastDataNanos;
        lostEvent = emit(HealthEvent.Kind.STREAM_LOST, HealthEvent.Phase.START, HealthEvent.NO_PID, lostStartNanos,
                now, outages, "stream lost (no data for " + seconds(now - lastDataNanos) + ")", null, null);
    }

    /** Data after an outage: a new demuxer (the camera may have restarted), and "back" once confirmed. */
    private void resume(long now) {
        lost = false;
        backPending = true;
        resumedNanos = now;
        demux = newDemux();
        videoPid = -1;
        Arrays.fill(lastTimestamp, Timestamps.NONE);
        stepCount = 0;
        lastVideoDts = Timestamps.NONE;
        formatWaitSince = -1;
        bitrateFrom = now + windowNanos;
    }

    private void checkBack(long now) {
        if (backPending && now - resumedNanos >= backConfirmNanos) {
            back(now);
        }
    }

    private void back(long now) {
        backPending = false;
        String text = "stream back after " + seconds(resumedNanos - lostStartNanos)
                + (outages > 1 ? " (" + outages + " outages)" : "");
        emit(HealthEvent.Kind.STREAM_LOST, HealthEvent.Phase.END, HealthEvent.NO_PID, lostStartNanos, now, outages,
                text, null, null);
        outages = 0;
    }

    // ---- TR 101 290 episodes

    private void error(Tr101290.Kind tr, int pid) {
        errorTotals.incrementAndGet(tr.ordinal());
        HealthEvent.Kind kind = kindOf(tr);
        if (afterGap && timeout(kind) != null) {
            return; // timed out during a gap of the whole stream, found before the datagram's first packet
        }
        problem(kind, pid);
    }

    /**
     * A DTS (or PTS) on a PID: when two PES arrive within a second of each other, a timestamp step that differs by
     * more than a second from their arrival step is a jump. A PID (or the whole stream) that pauses is not judged
     * (that is PTS missing, or a gap), and the PCR is not the reference (a PCR jump is a PCR error).
     */
    private void timestamp(int pid, long t) {
        long last = lastTimestamp[pid];
        long arrival = lastNanos - lastTimestampNanos[pid];
        lastTimestamp[pid] = t;
        lastTimestampNanos[pid] = lastNanos;
        if (last != Timestamps.NONE && arrival <= SECOND) {
            long stream = Timestamps.ptsToNanos(Timestamps.ptsDiff(last, t));
            if (Math.abs(stream - arrival) > SECOND) {
                problem(HealthEvent.Kind.TIMESTAMP_JUMP, pid);
            }
        }
    }

    private void problem(HealthEvent.Kind kind, int pid) {
        int key = kind.ordinal() * 0x2001 + pid + 1;
        Episode e = episodes.get(key);
        if (e == null) {
            e = new Episode(kind, pid);
            episodes.put(key, e);
        }
        if (e.seen(lastNanos)) {
            activeEpisodes++;
            e.started = emit(kind, HealthEvent.Phase.START, pid, lastNanos, lastNanos, 1, e.subject(), null, null);
        }
    }

    private void checkQuiet(long now) {
        if (activeEpisodes == 0) {
            return;
        }
        for (Episode e : episodes.values()) {
            if (e.active && !lost && timeout(e.kind) != null && demux.timedOut(timeout(e.kind), e.pid)) {
                e.lastNanos = now; // the table, PID or PTS is still missing: the problem goes on
            }
            if (e.quiet(now, quietNanos)) {
                e.active = false;
                activeEpisodes--;
                String text = e.subject() + " ended (" + e.count + " in " + seconds(e.lastNanos - e.startNanos) + ")";
                emit(e.kind, HealthEvent.Phase.END, e.pid, e.startNanos, now, e.count, text, null, null);
            }
        }
    }

    /** The TR 101 290 timeout behind a kind, whose absence lasts until the thing is seen again; else null. */
    private static Tr101290.Kind timeout(HealthEvent.Kind kind) {
        return switch (kind) {
            case PAT -> Tr101290.Kind.PAT_ERROR;
            case PMT -> Tr101290.Kind.PMT_ERROR;
            case PID -> Tr101290.Kind.PID_ERROR;
            case PTS -> Tr101290.Kind.PTS_ERROR;
            default -> null;
        };
    }

    static HealthEvent.Kind kindOf(Tr101290.Kind tr) {
        return switch (tr) {
            case TS_SYNC_LOSS, SYNC_BYTE_ERROR -> HealthEvent.Kind.SYNC;
            case PAT_ERROR -> HealthEvent.Kind.PAT;
            case CONTINUITY_COUNT_ERROR -> HealthEvent.Kind.CONTINUITY;
            case PMT_ERROR -> HealthEvent.Kind.PMT;
            case PID_ERROR -> HealthEvent.Kind.PID;
            case TRANSPORT_ERROR -> HealthEvent.Kind.TRANSPORT;
            case CRC_ERROR -> HealthEvent.Kind.CRC;
            case PCR_REPETITION_ERROR, PCR_DISCONTINUITY_INDICATOR_ERROR -> HealthEvent.Kind.PCR;
            case PTS_ERROR -> HealthEvent.Kind.PTS;
        };
    }

    // ---- bit rate

    private void checkBitrate(long now) {
        long floor = settings.bitrateFloor();
        if (floor <= 0 || lost || now < bitrateFrom) {
            return;
        }
        long bps = rate.bitsPerSecond(now);
        if (bps < floor) {
            if (belowSince < 0) {
                belowSince = now;
            }
            if (bitrateLow) {
                bitrateLastLow = now;
                bitrateMin = Math.min(bitrateMin, bps);
            } else if (now - belowSince >= lowForNanos) {
                bitrateLow = true;
                bitrateLowStart = belowSince;
                bitrateLastLow = now;
                bitrateMin = bps;
                bitrateEvent = emit(HealthEvent.Kind.BITRATE_LOW, HealthEvent.Phase.START, HealthEvent.NO_PID,
                        belowSince, now, 1, "bitrate below " + Units.formatBitrate(floor) + " for "
                                + seconds(now - belowSince) + " (" + Units.formatBitrate(bps) + ")", null, null);
            }
        } else {
            belowSince = -1;
            if (bitrateLow && now - bitrateLastLow >= quietNanos) {
                bitrateLow = false;
                emit(HealthEvent.Kind.BITRATE_LOW, HealthEvent.Phase.END, HealthEvent.NO_PID, bitrateLowStart, now,
                        1, "bitrate back above " + Units.formatBitrate(floor) + " after "
                                + seconds(bitrateLastLow - bitrateLowStart) + " (lowest "
                                + Units.formatBitrate(bitrateMin) + ")", null, null);
            }
        }
    }

    // ---- format

    /**
     * Frames per second from the median of the last {@value #STEPS} DTS steps of the video PID (a lost frame makes
     * one step twice as long, which moves a mean but not the median); 0 before three steps.
     */
    private double measuredFps() {
        int n = Math.min(stepCount, STEPS);
        if (n < 3) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(steps, n);
        Arrays.sort(sorted);
        return (double) Timestamps.PTS_HZ / sorted[n / 2];
    }

    private void videoDts(long dts) {
        if (lastVideoDts != Timestamps.NONE) {
            long d = Timestamps.ptsDiff(lastVideoDts, dts);
            if (d > 0 && d < Timestamps.PTS_HZ) {
                steps[stepCount++ % STEPS] = d;
            }
        }
        lastVideoDts = dts;
    }

    /** What the demuxer knows of the video on {@code pid}, with the measured frame rate; null before its size. */
    private StreamFacts candidate(int pid) {
        StreamInfo v = demux.video();
        if (v == null || v.pid() != pid || v.width() <= 0) {
            return null;
        }
        double fps = measuredFps();
        return new StreamFacts(pid, v.codec(), v.width(), v.height(), fps > 0 ? fps : v.fps(), 0);
    }

    /**
     * Any access unit of the video. The format is judged at keyframes; a first format, or a new one, whose frame rate
     * is not known yet (an SPS without timing, a stream that just came back) is reported at the first access unit that
     * knows it, or 2 s on without it.
     */
    private void accessUnit(int pid, boolean keyframe) {
        if (!keyframe && formatWaitSince < 0) {
            return;
        }
        StreamFacts now = candidate(pid);
        if (now == null) {
            return;
        }
        if (keyframe && formatWaitSince < 0) {
            if (format != StreamFacts.UNKNOWN && !format.formatDiffers(now)) {
                if (now.fps() > 0 && format.fps() == 0 || now.videoPid() != format.videoPid()) {
                    format = now; // learnt more (the frame rate), or the same format moved PID
                }
                return;
            }
            if (now.fps() == 0) {
                formatWaitSince = lastNanos;
            }
        }
        if (now.fps() == 0 && lastNanos - formatWaitSince < FORMAT_WAIT_NANOS) {
            return;
        }
        formatWaitSince = -1;
        formatSeen(now);
    }

    private void formatSeen(StreamFacts now) {
        if (format == StreamFacts.UNKNOWN) {
            format = now;
            formatReported = now;
            publish();
            StreamFacts after = now.withBitrate(rate.bitsPerSecond(lastNanos));
            emit(HealthEvent.Kind.FORMAT, HealthEvent.Phase.ONCE, now.videoPid(), lastNanos, lastNanos, 1,
                    "stream format: " + after.format(), null, after);
            return;
        }
        if (!format.formatDiffers(now)) {
            format = now.fps() > 0 ? now : format; // a change that went back while its frame rate was awaited
            return;
        }
        formatChanges++;
        StreamFacts before = format.withBitrate(rate.bitsPerSecond(lastNanos));
        StreamFacts after = now.withBitrate(before.bitrate());
        format = now;
        publish();
        if (formatChangedNanos != 0 && lastNanos - formatChangedNanos < quietNanos) {
            if (formatHeld++ == 0) {
                formatHeldFrom = lastNanos; // flapping: counted, summed up once it settles
            }
            formatChangedNanos = lastNanos;
            return;
        }
        formatChangedNanos = lastNanos;
        formatReported = after;
        emit(HealthEvent.Kind.FORMAT_CHANGED, HealthEvent.Phase.ONCE, now.videoPid(), lastNanos, lastNanos, 1,
                "format changed: " + before.format() + " -> " + after.format(), before, after);
    }

    /** Sums up the format changes held back once the format has stayed put for the quiet time. */
    private void checkFormat(long now) {
        if (formatHeld > 0 && now - formatChangedNanos >= quietNanos) {
            formatSummary(now);
        }
    }

    private void formatSummary(long now) {
        StreamFacts before = formatReported;
        StreamFacts after = format.withBitrate(rate.bitsPerSecond(now));
        long n = formatHeld;
        formatHeld = 0;
        formatReported = after;
        emit(HealthEvent.Kind.FORMAT_CHANGED, HealthEvent.Phase.ONCE, after.videoPid(), formatHeldFrom, now, n,
                "format changed " + n + " more time" + (n == 1 ? "" : "s") + " in "
                        + seconds(formatChangedNanos - formatHeldFrom) + ": " + before.format() + " -> "
                        + after.format(), before, after);
    }

    /** A PMT without H.264 or H.265 video: said once (again only after a PMT with video). */
    private void pmt(Pmt pmt) {
        if (pmt.video() != null) {
            noVideoReported = false;
            return;
        }
        if (noVideoReported || format != StreamFacts.UNKNOWN) {
            return;
        }
        noVideoReported = true;
        StringBuilder streams = new StringBuilder();
        for (Pmt.Stream s : pmt.streams()) {
            streams.append(streams.isEmpty() ? "" : ", ").append(s.codec()).append(" on PID ").append(s.pid());
        }
        emit(HealthEvent.Kind.FORMAT, HealthEvent.Phase.ONCE, HealthEvent.NO_PID, lastNanos, lastNanos, 1,
                "stream format: no H.264 or H.265 video, no motion analysis (" + (streams.isEmpty()
                        ? "no streams" : streams) + ")", null, StreamFacts.UNKNOWN);
    }

    // ---- events

    private HealthEvent emit(HealthEvent.Kind kind, HealthEvent.Phase phase, int pid, long startNanos, long nanos,
                             long count, String text, StreamFacts before, StreamFacts after) {
        HealthEvent event = new HealthEvent(kind, phase, pid, startNanos, nanos, millis(startNanos), millis(nanos),
                lastPts, count, text, before, after);
        if (phase != HealthEvent.Phase.END) {
            begun.incrementAndGet(kind.ordinal());
        }
        listener.accept(event);
        return event;
    }

    private long millis(long nanos) {
        return Math.floorDiv(nanos, 1_000_000L) + wallOffsetMillis;
    }

    /** "4.2 s" under 10 s, "12 s" under a minute, then "5m 12s". */
    static String seconds(long nanos) {
        double s = nanos / 1e9;
        if (s < 10) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        if (s < 60) {
            return Math.round(s) + " s";
        }
        return Units.formatElapsed(Duration.ofNanos(nanos));
    }

    /**
     * The demuxer's callbacks, from inside {@link TsDemux#feed}; each is handed on to {@link #also} (every one: a
     * test holds it to that; a missed PES length once cost the analyzer's assembler a frame of latency).
     */
    final class Listener implements TsListener {
        @Override
        public void onPat(Pat pat) {
            also.onPat(pat);
        }

        @Override
        public void onPmt(Pmt pmt) {
            Pmt.Stream v = pmt.video();
            if (v != null) {
                videoPid = v.pid();
            }
            pmt(pmt);
            also.onPmt(pmt);
        }

        @Override
        public void onPacket(byte[] buf, int off, long position) {
            afterGap = false;
            also.onPacket(buf, off, position);
        }

        @Override
        public void onPes(int pid, int streamId, long pts, long dts, long position) {
            if (pts != Timestamps.NONE && (pid == videoPid || videoPid < 0)) {
                lastPts = pts;
            }
            long t = dts != Timestamps.NONE ? dts : pts;
            if (t != Timestamps.NONE) {
                timestamp(pid, t);
            }
            also.onPes(pid, streamId, pts, dts, position);
        }

        @Override
        public void onPesLength(int pid, int payloadLength) {
            also.onPesLength(pid, payloadLength);
        }

        @Override
        public void onPesData(int pid, byte[] buf, int off, int len) {
            also.onPesData(pid, buf, off, len);
        }

        @Override
        public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
            if (pid == videoPid) {
                if (dts != Timestamps.NONE) {
                    videoDts(dts);
                }
                accessUnit(pid, keyframe);
            }
            also.onAccessUnit(pid, position, pts, dts, keyframe);
        }

        @Override
        public void onError(Tr101290.Kind kind, int pid, long position) {
            error(kind, pid);
            also.onError(kind, pid, position);
        }
    }
}
