package io.streamtee.bench.soak;

import io.streamtee.testing.Figures;

/** Records a soak's {@link Soak.Result} as figures: {@code PREFIX} (the soak's checks) and the serve heap's. */
final class SoakFigures {

    private SoakFigures() {
    }

    /**
     * {@code soak.ci} / {@code soak.long}: lost, altered, segments, segments_decodable, heap_first_mb, heap_last_mb,
     * fds_first, fds_last, threads_first, threads_last, p50_ms, p99_ms, max_ms, viewer_frames_min, passed; and
     * {@code memory.serve.ci} / {@code memory.serve.long}: cameras, xmx_mb, heap_max_mb (after GC),
     * heap_committed_max_mb, out_of_memory.
     */
    static void record(String run, Soak.Result r, Class<?> test, String method) {
        var s = r.summary();
        Figures f = Figures.of("soak." + run);
        for (String key : new String[] {"cameras", "bitrate_mbit", "outputs_per_camera", "seconds", "datagrams_sent",
                "lost", "altered", "segments", "segments_decodable", "heap_first_mb", "heap_last_mb", "fds_first",
                "fds_last", "threads_first", "threads_last", "p50_ms", "p99_ms", "max_ms", "viewer_frames_min",
                "frames_sent_per_camera", "passed"}) {
            if (s.containsKey(key)) {
                f.put(key, s.get(key));
            }
        }
        f.record(test, method);
        Figures m = Figures.of("memory.serve." + run);
        for (String key : new String[] {"cameras", "bitrate_mbit", "xmx_mb", "heap_max_mb", "heap_committed_max_mb",
                "out_of_memory"}) {
            if (s.containsKey(key)) {
                m.put(key, s.get(key));
            }
        }
        m.record(test, method);
    }
}
