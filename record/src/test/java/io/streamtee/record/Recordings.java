package io.streamtee.record;

import static org.awaitility.Awaitility.await;

import io.streamtee.config.Endpoint;
import io.streamtee.testing.UdpSender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Test helpers around a recorder: its config on a loopback port 0, sending to it, reading its index. */
final class Recordings {
    private Recordings() {
    }

    static RecorderConfig config(Path dir) {
        return RecorderConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), dir);
    }

    /** The port each recorder's test camera sends from: one camera is one source, as the recorder expects. */
    private static final java.util.Map<Recorder, java.net.InetSocketAddress> SOURCES =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * Sends every datagram, never far ahead of what the recorder took, and waits until it took them all. Every call
     * for the same recorder sends from the same loopback port (the recorder takes one source at a time).
     */
    static void send(Recorder recorder, List<byte[]> datagrams) throws IOException {
        long before = recorder.stats().datagrams();
        java.net.InetSocketAddress source = SOURCES.getOrDefault(recorder, new java.net.InetSocketAddress(
                recorder.localAddress().getAddress() instanceof java.net.Inet6Address ? "::1" : "127.0.0.1", 0));
        try (UdpSender sender = UdpSender.from(source, recorder.localAddress())) {
            SOURCES.put(recorder, sender.localAddress());
            sender.sendPaced(datagrams, 64, () -> (int) (recorder.stats().datagrams() - before));
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> recorder.stats().datagrams() - before == datagrams.size());
    }

    /** The rows of a closed recorder's index. */
    static List<SegmentIndex.Row> rows(Path cameraDir) throws SQLException {
        try (SegmentIndex index = SegmentIndex.open(cameraDir.resolve("index.db"))) {
            return index.all();
        }
    }

    static List<SegmentIndex.Gap> gaps(Path cameraDir) throws SQLException {
        try (SegmentIndex index = SegmentIndex.open(cameraDir.resolve("index.db"))) {
            return index.gaps();
        }
    }

    /** The segment files on disk, by path relative to the camera directory, sorted. */
    static List<String> files(Path cameraDir) throws IOException {
        try (Stream<Path> walk = Files.walk(cameraDir)) {
            return walk.filter(p -> p.toString().endsWith(".ts"))
                    .map(p -> cameraDir.relativize(p).toString()).sorted().toList();
        }
    }

    /** One column of every segment row, oldest first. */
    static <T> List<T> column(Path cameraDir, String column, Class<T> type) throws SQLException {
        try (SegmentIndex index = SegmentIndex.open(cameraDir.resolve("index.db"));
                var s = index.connection().createStatement();
                var r = s.executeQuery("SELECT " + column + " FROM segments ORDER BY start_ms, id")) {
            List<T> out = new java.util.ArrayList<>();
            while (r.next()) {
                out.add(r.getObject(1, type));
            }
            return out;
        }
    }
}
