package io.streamtee.analyze;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.motion.MotionDetector;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.analyze.motion.Zone;
import io.streamtee.analyze.motion.Zones;
import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsDemux;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The analyzer's picture side ({@link DecodeWorker}: the decoder, the grey picture, the motion detector, the tracker
 * and the event maker) fed a recorded TS faster than real time: datagram-sized chunks into the ts module's demuxer
 * and access unit assembler, every access unit into the worker without skipping ({@link DecodeWorker#put}). Each
 * access unit "arrives" at a wall clock that follows its DTS, so the events' wall clocks and PTS agree as they would
 * live; timing is judged by PTS anyway.
 */
final class Replay {
    /** The wall clock of the stream's first access unit. */
    static final long START_MILLIS = 1_795_000_000_000L;
    private static final int DATAGRAM = 7 * 188;

    /**
     * What one replay produced: the events, the worker's counters, the smallest PTS of the stream (its first picture
     * in display order) and how many access units are shown before one decoded earlier (pictures out of order:
     * B-frames).
     */
    record Result(List<Event> events, long frames, long skipped, long errors, long firstPts, long reordered) {
        /** The motion events' phases, by event id, in order of their start. */
        Map<String, List<Event>> motion() {
            Map<String, List<Event>> byId = new LinkedHashMap<>();
            events.stream().filter(e -> e.kind() == Event.Kind.MOTION)
                    .forEach(e -> byId.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e));
            return byId;
        }

        /** The last phase (END) of every motion event. */
        List<Event> motionEnds() {
            return motion().values().stream().map(List::getLast).toList();
        }
    }

    private Replay() {
    }

    static Result run(byte[] ts, MotionSettings settings, List<Zone> zones, List<Polygon> masks)
            throws InterruptedException {
        List<Event> events = new CopyOnWriteArrayList<>();
        DecodeWorker worker = new DecodeWorker("replay", settings, new MotionDetector(settings, masks),
                new Zones(zones), new EventMaker("replay"), events::add).start();
        long[] firstDts = {Timestamps.NONE};
        long[] firstPts = {Timestamps.NONE};
        long[] reordered = {0};
        long[] maxPts = {Timestamps.NONE};
        InterruptedException[] interrupted = {null};
        try (worker) {
            AccessUnitAssembler assembler = new AccessUnitAssembler(au -> {
                long dts = au.dts() != Timestamps.NONE ? au.dts() : au.pts();
                if (firstDts[0] == Timestamps.NONE) {
                    firstDts[0] = dts;
                }
                if (au.pts() != Timestamps.NONE && (firstPts[0] == Timestamps.NONE
                        || Timestamps.ptsDiff(firstPts[0], au.pts()) < 0)) {
                    firstPts[0] = au.pts();
                }
                if (au.pts() != Timestamps.NONE) {
                    if (maxPts[0] != Timestamps.NONE && Timestamps.ptsDiff(maxPts[0], au.pts()) < 0) {
                        reordered[0]++;
                    } else {
                        maxPts[0] = au.pts();
                    }
                }
                long millis = START_MILLIS + Timestamps.ptsDiff(firstDts[0], dts) * 1000 / Timestamps.PTS_HZ;
                try {
                    if (interrupted[0] == null) {
                        worker.put(au, millis);
                    }
                } catch (InterruptedException e) {
                    interrupted[0] = e;
                }
            });
            TsDemux demux = new TsDemux(assembler);
            for (int off = 0; off < ts.length; off += DATAGRAM) {
                demux.feed(ts, off, Math.min(DATAGRAM, ts.length - off));
            }
            demux.flush();
            assembler.flush();
        }
        if (interrupted[0] != null) {
            throw interrupted[0];
        }
        return new Result(List.copyOf(events), worker.frames(), worker.skipped(), worker.errors(), firstPts[0],
                reordered[0]);
    }
}
