package io.streamtee.analyze.event;

import io.streamtee.analyze.sink.webhook.WebhookSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The analyzer's recent events and their snapshot JPEGs, in memory: what {@code /api/events} lists and
 * {@code /api/events/{id}/snapshot.jpg} serves, and where the webhook and mail sinks find snapshots (it is their
 * {@link WebhookSink.Snapshots} and {@link #jpeg(Event)} supplier).
 *
 * <p><b>Events.</b> One entry per event id, holding its latest message ({@link #put}: an END replaces the START),
 * at most {@code maxEvents}; when more come, the event first seen longest ago is forgotten, with its snapshot.
 *
 * <p><b>Snapshots.</b> One JPEG per event id, the latest stored ({@link #putSnapshot}: the peak frame's replaces the
 * first frame's). Bounded twice: at most {@code maxSnapshots} JPEGs and at most {@code maxSnapshotBytes} bytes in
 * all; when either bound is passed the snapshots stored longest ago are evicted (their events stay, without a
 * picture: {@link #snapshotGone} says so). A JPEG larger than {@code maxSnapshotBytes} alone is not kept.
 *
 * <p>A sink asks for an event's snapshot when it delivers: it gets the event's latest one, normally the one stored
 * for that very message (the analyzer stores it before the message goes to the sinks), a later and better one when
 * the sink delivers late. Thread safe.
 */
public final class EventStore implements WebhookSink.Snapshots {
    /** Events kept by default. */
    public static final int DEFAULT_EVENTS = 1000;
    /** Snapshots kept by default. */
    public static final int DEFAULT_SNAPSHOTS = 200;
    /** Snapshot bytes kept by default (64 MiB: about 400 snapshots of a 1280x720 picture). */
    public static final long DEFAULT_SNAPSHOT_BYTES = 64L << 20;

    private final int maxEvents;
    private final int maxSnapshots;
    private final long maxSnapshotBytes;
    private final LinkedHashMap<String, Event> events = new LinkedHashMap<>();
    private final LinkedHashMap<String, byte[]> snapshots = new LinkedHashMap<>();
    private final Map<Event.Kind, Map<Event.Phase, AtomicLong>> counts = new EnumMap<>(Event.Kind.class);
    private final AtomicLong evicted = new AtomicLong();
    private long snapshotBytes;
    private volatile String baseUrl;

    /** A store with the default bounds. */
    public EventStore() {
        this(DEFAULT_EVENTS, DEFAULT_SNAPSHOTS, DEFAULT_SNAPSHOT_BYTES);
    }

    /**
     * @param maxEvents        events kept, at least 1
     * @param maxSnapshots     snapshot JPEGs kept, at least 0
     * @param maxSnapshotBytes their bytes in all, at least 0
     */
    public EventStore(int maxEvents, int maxSnapshots, long maxSnapshotBytes) {
        if (maxEvents < 1 || maxSnapshots < 0 || maxSnapshotBytes < 0) {
            throw new IllegalArgumentException("bad event store bounds " + maxEvents + ", " + maxSnapshots + ", "
                    + maxSnapshotBytes);
        }
        this.maxEvents = maxEvents;
        this.maxSnapshots = maxSnapshots;
        this.maxSnapshotBytes = maxSnapshotBytes;
        for (Event.Kind k : Event.Kind.values()) {
            Map<Event.Phase, AtomicLong> byPhase = new EnumMap<>(Event.Phase.class);
            for (Event.Phase p : Event.Phase.values()) {
                byPhase.put(p, new AtomicLong());
            }
            counts.put(k, byPhase);
        }
    }

    /**
     * The path of an event's snapshot on the analyzer's web server: {@code /api/events/<id>/snapshot.jpg}, the id
     * percent-encoded where it is not a letter, digit, {@code -}, {@code _} or {@code .}.
     */
    public static String snapshotPath(String id) {
        return "/api/events/" + encode(id) + "/snapshot.jpg";
    }

    private static String encode(String id) {
        StringBuilder b = new StringBuilder();
        for (byte c : id.getBytes(StandardCharsets.UTF_8)) {
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c & 0xFF));
            }
        }
        return b.toString();
    }

    /**
     * Where the analyzer's web server is for people and systems outside it ({@code http://127.0.0.1:8082}), so that
     * {@link #url} gives absolute URLs; null (the default) for the bare paths.
     */
    public void baseUrl(String url) {
        this.baseUrl = url == null ? null : url.replaceAll("/+$", "");
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Keeps an event's latest message (merged by id) and counts it by kind and phase. */
    public void put(Event e) {
        counts.get(e.kind()).get(e.phase()).incrementAndGet();
        synchronized (this) {
            events.put(e.id(), e); // an id seen before keeps its place: ordered by first seen
            while (events.size() > maxEvents) {
                Iterator<String> oldest = events.keySet().iterator();
                String id = oldest.next();
                oldest.remove();
                dropSnapshot(id);
            }
        }
    }

    /** Stores the snapshot of event {@code id}, replacing its earlier one; evicts the oldest beyond the bounds. */
    public synchronized void putSnapshot(String id, byte[] jpeg) {
        dropSnapshot(id);
        if (jpeg.length > maxSnapshotBytes || maxSnapshots == 0) {
            evicted.incrementAndGet();
            return;
        }
        snapshots.put(id, jpeg);
        snapshotBytes += jpeg.length;
        Iterator<Map.Entry<String, byte[]>> oldest = snapshots.entrySet().iterator();
        while (snapshots.size() > maxSnapshots || snapshotBytes > maxSnapshotBytes) {
            Map.Entry<String, byte[]> e = oldest.next();
            snapshotBytes -= e.getValue().length;
            oldest.remove();
            evicted.incrementAndGet();
        }
    }

    private void dropSnapshot(String id) {
        byte[] old = snapshots.remove(id);
        if (old != null) {
            snapshotBytes -= old.length;
        }
    }

    /** The latest message of event {@code id}, or null when it is not (or no longer) here. */
    public synchronized Event event(String id) {
        return events.get(id);
    }

    /** The snapshot JPEG of event {@code id}, or null when it has none or it was evicted. */
    public synchronized byte[] snapshot(String id) {
        return snapshots.get(id);
    }

    /** Whether event {@code id} had a snapshot that is no longer kept (evicted, or too large to keep). */
    public synchronized boolean snapshotGone(String id) {
        Event e = events.get(id);
        return e != null && e.snapshot() != null && !snapshots.containsKey(id);
    }

    /**
     * The events that {@code filter} accepts, newest first (by start time, then by when first seen), at most
     * {@code limit}.
     */
    public List<Event> list(Predicate<Event> filter, int limit) {
        List<Event> all;
        synchronized (this) {
            all = new ArrayList<>(events.values());
        }
        List<Event> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (filter.test(all.get(i))) {
                out.add(all.get(i));
            }
        }
        out.sort((a, b) -> Long.compare(b.startMillis(), a.startMillis())); // stable: ties stay newest first
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    /** Events kept now. */
    public synchronized int size() {
        return events.size();
    }

    /** Snapshots kept now, and their bytes. */
    public synchronized int snapshots() {
        return snapshots.size();
    }

    public synchronized long snapshotBytes() {
        return snapshotBytes;
    }

    /** Snapshots evicted (or not kept for their size) since the start. */
    public long evicted() {
        return evicted.get();
    }

    /** Messages put since the start, of this kind and phase. */
    public long count(Event.Kind kind, Event.Phase phase) {
        return counts.get(kind).get(phase).get();
    }

    /** The snapshot for a sink delivering {@code event}: its latest, or null. */
    @Override
    public byte[] jpeg(Event event) {
        return event.snapshot() == null ? null : snapshot(event.id());
    }

    /** The snapshot's URL: absolute when {@link #baseUrl(String)} was set, else the event's path; null for none. */
    @Override
    public String url(Event event) {
        if (event.snapshot() == null) {
            return null;
        }
        String base = baseUrl;
        return base == null ? event.snapshot() : base + event.snapshot();
    }
}
