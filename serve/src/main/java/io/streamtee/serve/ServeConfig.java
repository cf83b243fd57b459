package io.streamtee.serve;

import io.streamtee.analyze.AnalyzeFile;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.config.ApiSettings;
import io.streamtee.relay.config.RouteSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The checked {@code serve} config ({@link ServeYaml} builds it): the one web server, the data directory and the
 * cameras in the order the file gives them.
 *
 * <p>The analyzers' sinks are built when the file is read (as {@link AnalyzeFile} does: they connect only on their
 * first delivery). Whoever runs the config hands them to the analyzers, which close them; {@link #close()} closes
 * them instead for a config that will not run (a rejected reload, a test). Either, once: a sink is closed once
 * ({@link io.streamtee.analyze.event.EventSink#close}), and this record keeps no state to tell a second call.
 *
 * @param web     where the one web page and API listen, and their token (from {@code web.token} or
 *                {@code STREAMTEE_API_TOKEN})
 * @param url     the address people open the web page at ({@code web.url}, e.g. {@code https://cams.example.org}),
 *                for the links in alerts (clips, snapshots); null: the address it listens on
 * @param data    the data directory: each camera's recordings go to {@code data/NAME} unless it says otherwise
 * @param cameras camera name to camera, in file order
 */
public record ServeConfig(ApiSettings web, String url, Path data, Map<String, Camera> cameras) implements AutoCloseable {
    /** {@code web.listen} when the file gives none. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:8080";
    /** {@code data} when the file gives none. */
    public static final String DEFAULT_DATA = "data";

    public ServeConfig {
        Objects.requireNonNull(web, "web");
        Objects.requireNonNull(data, "data");
        cameras = Collections.unmodifiableMap(new LinkedHashMap<>(cameras));
    }

    /**
     * One camera: {@code cameras.NAME}.
     *
     * @param name    its name ({@link io.streamtee.config.CameraName}): the route's name, the recordings'
     *                directory, the start of its event ids
     * @param route   the relay route: the input, the allow list and the extra outputs ({@code outputs:}, possibly
     *                none); the services' own copies are not in it, the wiring adds them
     * @param record  the recorder's settings, or null when {@code record: false}
     * @param analyze the analyzer's checked section, or null when {@code analyze: false}; its listen address,
     *                camera name and web server are the wiring's, never the file's ({@link AnalyzeFile#events()}
     *                null: the wiring picks the events file)
     * @param view    whether the camera is on the live page ({@code view: false}: not)
     * @param store   the analyzer's recent events and snapshots, where its webhook and mail sinks find snapshots;
     *                null when {@code analyze: false}
     * @param analyzeSource the analyze section as read (YAML text), to tell on reload whether it changed; null when
     *                {@code analyze: false}
     */
    public record Camera(String name, RouteSpec route, RecordSettings record, AnalyzeFile analyze, boolean view,
            EventStore store, String analyzeSource) {
        public Camera {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(route, "route");
            if ((analyze == null) != (store == null) || (analyze == null) != (analyzeSource == null)) {
                throw new IllegalArgumentException("analyze, store and analyzeSource go together");
            }
        }

        /** This camera with {@code value} as its recorder's settings (null: none). */
        public Camera withRecord(RecordSettings value) {
            return new Camera(name, route, value, analyze, view, store, analyzeSource);
        }

        /** This camera with {@code from}'s analyzer (its section, sinks and store), or none when {@code from} has none. */
        public Camera withAnalyzeOf(Camera from) {
            return new Camera(name, route, record, from.analyze, view, from.store, from.analyzeSource);
        }

        /** This camera without an analyzer. */
        public Camera withoutAnalyze() {
            return new Camera(name, route, record, null, view, null, null);
        }

        public Camera withView(boolean value) {
            return new Camera(name, route, record, analyze, value, store, analyzeSource);
        }

        public Camera withRoute(RouteSpec value) {
            return new Camera(name, value, record, analyze, view, store, analyzeSource);
        }

        /** Whether {@code other} runs the same analyzer (same section, same events file default). */
        public boolean sameAnalyze(Camera other) {
            return Objects.equals(analyzeSource, other.analyzeSource);
        }
    }

    /** Closes every analyzer's sinks, for a config that will not run; call it once, and not on a config that runs. */
    @Override
    public void close() {
        closeSinks(new ArrayList<>(cameras.values()));
    }

    static void closeSinks(List<Camera> cameras) {
        for (Camera c : cameras) {
            if (c.analyze() == null) {
                continue;
            }
            c.analyze().sinks().forEach(s -> {
                try {
                    s.sink().close();
                } catch (Exception ignored) {
                    // nothing was delivered: closing is only tidying up
                }
            });
        }
    }
}
