package io.streamtee.analyze.health;

import io.streamtee.ts.Timestamps;

/**
 * One health event: a problem that starts, a problem that ends, or a one-off change of the stream's format.
 *
 * @param kind        what the problem is
 * @param phase       {@link Phase#START}, {@link Phase#END}, or {@link Phase#ONCE} for {@link Kind#FORMAT_CHANGED}
 *                    and {@link Kind#FORMAT}
 * @param pid         the PID the problem is on, or {@link #NO_PID}
 * @param startNanos  monotonic time (the caller's clock) when the problem began; for START and ONCE the same as
 *                    {@code nanos} except for {@link Kind#STREAM_LOST}, whose start is the last datagram before the
 *                    silence
 * @param nanos       monotonic time of this event (when it was decided)
 * @param startMillis wall-clock time of {@code startNanos}, epoch millis
 * @param millis      wall-clock time of {@code nanos}, epoch millis
 * @param pts         the last 90 kHz PTS seen on the video PID (any PID before the video is known) when the event
 *                    was decided, or {@link Timestamps#NONE}
 * @param count       errors counted in the episode so far (outages for {@link Kind#STREAM_LOST}, changes for
 *                    {@link Kind#FORMAT_CHANGED}, 1 for the rest)
 * @param text        one line for a person: "continuity errors on PID 256 ended (17 in 4.2 s)", "stream back after
 *                    12 s"
 * @param before      for {@link Kind#FORMAT_CHANGED}: the format before the change, else null
 * @param after       for {@link Kind#FORMAT_CHANGED}: the format after the change; for {@link Kind#FORMAT}: the format
 *                    ({@link StreamFacts#UNKNOWN} when there is no video); else null
 */
public record HealthEvent(Kind kind, Phase phase, int pid, long startNanos, long nanos, long startMillis,
                          long millis, long pts, long count, String text, StreamFacts before, StreamFacts after) {
    /** The pid of an event that belongs to no PID. */
    public static final int NO_PID = -1;

    /** The problems, with the words that name them in {@link #text}. */
    public enum Kind {
        /** No datagram for {@link HealthSettings#lostAfter()}; ends when data comes back. */
        STREAM_LOST("stream lost"),
        /** TR 101 290 1.1 TS_sync_loss and 1.2 Sync_byte_error. */
        SYNC("sync errors"),
        /** TR 101 290 1.3 PAT_error (absent for more than 0.5 s, scrambled or wrong table id). */
        PAT("PAT missing or invalid"),
        /** TR 101 290 1.4 Continuity_count_error. */
        CONTINUITY("continuity errors"),
        /** TR 101 290 1.5 PMT_error. */
        PMT("PMT missing or invalid"),
        /** TR 101 290 1.6 PID_error: a PID the PMT lists is absent. */
        PID("PID missing"),
        /** TR 101 290 2.1 Transport_error (TEI set). */
        TRANSPORT("transport errors"),
        /** TR 101 290 2.2 CRC_error. */
        CRC("CRC errors"),
        /** TR 101 290 2.3 PCR_repetition_error and PCR_discontinuity_indicator_error (a PCR gap or jump). */
        PCR("PCR errors"),
        /** TR 101 290 2.5 PTS_error (PTS absent for more than 0.7 s). */
        PTS("PTS missing"),
        /**
         * Not a TR 101 290 indicator: the DTS (the PTS when there is none) of a PID stepped from one PES to the
         * next by more than a second more or less than their arrival times (PES less than a second apart).
         */
        TIMESTAMP_JUMP("timestamp jumps"),
        /** The bit rate over {@link HealthSettings#bitrateWindow()} stayed below the floor. */
        BITRATE_LOW("bitrate low"),
        /**
         * The video codec, picture size or frame rate changed. A format that keeps changing is one event for the first
         * change and one that sums up the rest once it has stayed put for {@link HealthSettings#quietTime()}.
         */
        FORMAT_CHANGED("format changed"),
        /**
         * Not a problem: the stream's format ("stream format: h264 1280x720 30 fps") when first known, at the first
         * keyframe with a picture size; or that the program has no H.264 or H.265 video (then no motion is analyzed).
         */
        FORMAT("stream format");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        /** The words that name the problem in event texts. */
        public String words() {
            return words;
        }
    }

    /** Where in its episode an event is. */
    public enum Phase {
        START,
        END,
        /** A change with no duration: a format change, the format report. */
        ONCE
    }

    /** True when {@link #pid} names a PID. */
    public boolean hasPid() {
        return pid >= 0;
    }

    /** Milliseconds from the start of the problem to this event. */
    public long durationMillis() {
        return (nanos - startNanos) / 1_000_000;
    }

    @Override
    public String toString() {
        return phase + " " + kind + (hasPid() ? " pid " + pid : "") + ": " + text;
    }
}
