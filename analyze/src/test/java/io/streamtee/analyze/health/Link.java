package io.streamtee.analyze.health;

import io.streamtee.ts.TsPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Carries a {@link Camera}'s ticks to a {@link HealthMonitor} as datagrams of up to seven packets, each tick at its
 * own time (20 ms apart), with a packet dropper; collects the events. Silence is time passing with
 * {@link HealthMonitor#tick} every 100 ms.
 */
final class Link {
    /** The events, but for the reports of the format ({@link HealthEvent.Kind#FORMAT}), which are in {@link #formats}. */
    final List<HealthEvent> events = new ArrayList<>();
    final List<HealthEvent> formats = new ArrayList<>();
    final HealthMonitor monitor;
    long nanos;
    /** Packets on {@link Camera#VIDEO_PID} in order, and whether each was dropped. */
    final List<Boolean> videoDropped = new ArrayList<>();

    Link(HealthSettings settings) {
        monitor = new HealthMonitor(settings, 1_000_000L,
                e -> (e.kind() == HealthEvent.Kind.FORMAT ? formats : events).add(e));
    }

    /** Sends {@code ticks} ticks of {@code camera}, dropping the packets {@code drop} selects. */
    void send(Camera camera, int ticks, Predicate<byte[]> drop) {
        for (int i = 0; i < ticks; i++) {
            List<byte[]> out = new ArrayList<>();
            for (byte[] p : camera.next()) {
                boolean dropped = drop.test(p);
                if (TsPacket.pid(p, 0) == Camera.VIDEO_PID) {
                    videoDropped.add(dropped);
                }
                if (!dropped) {
                    out.add(p);
                }
            }
            for (int k = 0; k < out.size(); k += 7) {
                int n = Math.min(7, out.size() - k);
                byte[] d = new byte[n * TsPacket.SIZE];
                for (int j = 0; j < n; j++) {
                    System.arraycopy(out.get(k + j), 0, d, j * TsPacket.SIZE, TsPacket.SIZE);
                }
                monitor.onDatagram(d, 0, d.length, nanos);
            }
            monitor.tick(nanos);
            nanos += Camera.TICK_NANOS;
        }
    }

    void send(Camera camera, int ticks) {
        send(camera, ticks, p -> false);
    }

    /** {@code millis} of silence from the last datagram to the next one, with a tick every 100 ms. */
    void silence(long millis) {
        long last = nanos - Camera.TICK_NANOS;
        long resume = last + millis * 1_000_000L;
        for (long t = last + 100_000_000L; t < resume; t += 100_000_000L) {
            monitor.tick(t);
        }
        nanos = resume;
    }

    List<HealthEvent> of(HealthEvent.Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).toList();
    }

    /** Continuity errors the drops must cause on the video PID: one per run of drops followed by a packet. */
    long expectedVideoGaps() {
        long gaps = 0;
        for (int i = 1; i < videoDropped.size(); i++) {
            if (videoDropped.get(i - 1) && !videoDropped.get(i)) {
                gaps++;
            }
        }
        return gaps;
    }
}
