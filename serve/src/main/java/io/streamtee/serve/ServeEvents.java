package io.streamtee.serve;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.http.AnalyzerServer;
import io.streamtee.http.Web;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The analyzers' events of every camera, merged ({@link AnalyzerServer}'s API over all the cameras' event stores):
 *
 * <pre>
 * GET /api/events?camera=&amp;kind=&amp;from=&amp;to=&amp;limit=   recent events of every camera, newest (by start)
 *                                                  first
 * GET /api/events/{id}                             one event: its latest message
 * GET /api/events/{id}/snapshot.jpg                its snapshot
 * </pre>
 *
 * Parameters as the analyzer's ({@link AnalyzerServer}); an unknown {@code camera} lists nothing. An event id starts
 * with its camera's name; an event is found in the store of the camera running now that holds it, so the events of a
 * removed camera (or a restarted analyzer) are gone from here.
 */
final class ServeEvents {
    private final Serve serve;

    ServeEvents(Serve serve) {
        this.serve = serve;
    }

    private record Found(EventStore store, Event event) {
    }

    void install(JavalinConfig config) {
        config.routes.get("/api/events", this::events);
        config.routes.get("/api/events/{id}", ctx -> {
            Found f = find(ctx.pathParam("id"));
            Web.json(ctx, 200, AnalyzerServer.json(f.store(), f.event()));
        });
        config.routes.get("/api/events/{id}/snapshot.jpg", ctx -> {
            Found f = find(ctx.pathParam("id"));
            AnalyzerServer.snapshot(ctx, f.store(), f.event());
        });
    }

    private void events(Context ctx) {
        Predicate<Event> filter = AnalyzerServer.filter(ctx);
        int limit = AnalyzerServer.limit(ctx);
        String camera = ctx.queryParam("camera");
        List<Found> all = new ArrayList<>();
        for (CameraServices c : serve.cameras()) {
            if (c.analyzer() == null || camera != null && !camera.isEmpty() && !camera.equals(c.name())) {
                continue;
            }
            EventStore store = c.analyzer().store();
            for (Event e : store.list(filter, limit)) {
                all.add(new Found(store, e));
            }
        }
        all.sort(Comparator.comparingLong((Found f) -> f.event().startMillis()).reversed()
                .thenComparing(f -> f.event().id(), Comparator.reverseOrder()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Found f : all.subList(0, Math.min(limit, all.size()))) {
            out.add(AnalyzerServer.json(f.store(), f.event()));
        }
        Web.json(ctx, 200, out);
    }

    /** The newest event of camera {@code c} as JSON, or null when it has none (or no analyzer). */
    static Map<String, Object> latest(CameraServices c) {
        if (c.analyzer() == null) {
            return null;
        }
        EventStore store = c.analyzer().store();
        List<Event> newest = store.list(e -> true, 1);
        return newest.isEmpty() ? null : AnalyzerServer.json(store, newest.getFirst());
    }

    private Found find(String id) {
        for (CameraServices c : serve.cameras()) {
            if (c.analyzer() != null && id.startsWith(c.name() + "-")) {
                Event e = c.analyzer().store().event(id);
                if (e != null) {
                    return new Found(c.analyzer().store(), e);
                }
            }
        }
        throw new Web.NotFound("no event " + id + " (unknown, too old to be kept, or its camera is not running)");
    }
}
