package io.streamtee.playback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.media.Mp4Remux;
import io.streamtee.playback.Catalog.Recording;
import io.streamtee.record.Recorder;
import io.streamtee.record.RecorderConfig;
import io.streamtee.record.TestIndex;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.Figures;
import io.streamtee.testing.HostilePaths;
import io.streamtee.testing.Slowloris;
import io.streamtee.ts.TsPacket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Playback of a real recording: 8 s of the camera simulator (25 fps, a keyframe every second, 4 s segments), served
 * over loopback and judged by ffmpeg and ffprobe, and by the bytes of the segment files.
 */
class PlaybackServerTest {
    private static final int FPS = 25;

    @TempDir
    static Path dir;
    static PlaybackServer server;
    static Catalog catalog;
    static long t0;
    static CameraStats sent;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void record() throws Exception {
        FfmpegJudge.assumeInstalled();
        try (Recorder recorder = new Recorder(RecorderConfig.of(Endpoint.parse("udp://127.0.0.1:0",
                Endpoint.Role.INPUT), dir).withSegment(Duration.ofSeconds(4))).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(recorder.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 240).withFps(FPS).withGop(FPS)
                            .withBitrate(400_000))
                    .withDuration(Duration.ofSeconds(8));
            try (Camera camera = new Camera(config).start()) {
                assertThat(camera.awaitDone(Duration.ofSeconds(60))).isTrue();
                sent = camera.stats();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().datagrams() == sent.datagramsSent());
        }
        catalog = new Catalog(dir);
        List<Recording> all = catalog.segments("camera", 0, Long.MAX_VALUE);
        assertThat(all).hasSize(2);
        t0 = all.getFirst().startMillis();
        server = new PlaybackServer(catalog, "127.0.0.1", 0, null, Clock.systemUTC()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String at(long offsetMillis) {
        return Instant.ofEpochMilli(t0 + offsetMillis).toString();
    }

    private static HttpResponse<byte[]> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode getJson(String pathAndQuery, int status) throws Exception {
        HttpResponse<byte[]> r = get(pathAndQuery);
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        return json.readTree(r.body());
    }

    @Test
    void listsCamerasAndWhatTheyRecorded() throws Exception {
        JsonNode cameras = getJson("api/cameras", 200);
        assertThat(cameras).hasSize(1);
        assertThat(cameras.get(0).get("camera").asText()).isEqualTo("camera");
        assertThat(cameras.get(0).get("segments").asInt()).isEqualTo(2);
        assertThat(cameras.get(0).get("first").asText()).isEqualTo(at(0));

        JsonNode list = getJson("api/recordings?from=0", 200);
        assertThat(list.get("spans")).hasSize(1);
        // a span ends where the last segment's data stopped arriving: wall clock, so not to the frame
        assertThat(list.get("spans").get(0).get("durationMs").asLong()).isBetween(7500L, 8500L);
        assertThat(list.get("segments")).hasSize(2);
        assertThat(list.get("segments").get(0).get("frames").asInt()).isEqualTo(4 * FPS);
        assertThat(list.get("segments").get(0).get("keyframes").asInt()).isEqualTo(4);
        assertThat(list.get("gaps")).isEmpty();
        String url = list.get("segments").get(1).get("url").asText();
        assertThat(url).isEqualTo("/recordings/camera/2.ts");
        HttpResponse<byte[]> segment = get(url.substring(1));
        assertThat(segment.statusCode()).isEqualTo(200);
        Recording second = catalog.segments("camera", 0, Long.MAX_VALUE).get(1);
        assertThat(masked(segment.body())).isEqualTo(masked(Files.readAllBytes(catalog.file(second))));
        // a range after the recording lists nothing
        assertThat(getJson("api/recordings?from=" + at(60_000) + "&to=" + at(70_000), 200).get("segments")).isEmpty();
    }

    /** 1.5 s to 6.2 s snaps to the keyframes at 1 s and 7 s: 6 s, two pieces, 150 frames. */
    @Test
    void anHlsPlaylistOfARangePlaysInFfmpegWithTheFramesOfTheSnappedRange() throws Exception {
        String range = "from=" + at(1500) + "&to=" + at(6200);
        HttpResponse<byte[]> r = get("play.m3u8?" + range);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/vnd.apple.mpegurl");
        String m3u8 = new String(r.body());
        assertThat(m3u8.lines().filter(l -> l.startsWith("recordings/")))
                .containsExactly("recordings/camera/1_k1-end.ts", "recordings/camera/2_k0-3.ts");
        assertThat(m3u8).contains("#EXTINF:3.000,", "#EXT-X-ENDLIST").doesNotContain("#EXT-X-DISCONTINUITY");

        URI playlist = URI.create(server.url() + "play.m3u8?" + range);
        assertThat(FfmpegJudge.decodeErrors(playlist.toString())).isEmpty();
        assertThat(FfmpegJudge.frames(playlist.toString())).isEqualTo(6 * FPS);
    }

    @Test
    void aTsClipIsTheRecordedPacketsOfTheRangeAndDecodes(@TempDir Path out) throws Exception {
        HttpResponse<byte[]> r = get("clip.ts?camera=camera&from=" + at(1500) + "&to=" + at(6200));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v)
                .contains("camera-").endsWith(".ts\""));
        Path clip = out.resolve("clip.ts");
        Files.write(clip, r.body());
        assertThat(FfmpegJudge.decodeErrors(clip)).isEmpty();
        assertThat(FfmpegJudge.firstFrame(clip)).isEqualTo("1,I");
        assertThat(FfmpegJudge.frames(clip)).isEqualTo(6 * FPS);

        // byte for byte the recorded packets (continuity counters aside): the first segment's header, its file from
        // the keyframe at 1 s to the end, the second from its start to its keyframe at 7 s (index 3)
        List<Recording> s = catalog.segments("camera", 0, Long.MAX_VALUE);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(slice(s.get(0), 0, s.get(0).headerBytes()));
        expected.write(slice(s.get(0), s.get(0).keyframeOffsets()[1], s.get(0).bytes()));
        expected.write(slice(s.get(1), 0, s.get(1).keyframeOffsets()[3]));
        assertThat(masked(r.body())).isEqualTo(masked(expected.toByteArray()));
    }

    @Test
    void anMp4ClipIsTheSameFramesRemuxedWithTheIndexFirst(@TempDir Path out) throws Exception {
        HttpResponse<byte[]> r = get("clip.mp4?from=" + at(1500) + "&to=" + at(6200));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("video/mp4");
        Path mp4 = out.resolve("clip.mp4");
        Files.write(mp4, r.body());
        assertThat(FfmpegJudge.decodeErrors(mp4)).isEmpty();
        assertThat(FfmpegJudge.frames(mp4)).isEqualTo(6 * FPS);
        assertThat(FfmpegJudge.firstFrame(mp4)).isEqualTo("1,I");
        assertThat(FfmpegJudge.probe(mp4, "format=format_name")).contains("mp4");
        assertThat(FfmpegJudge.probe(mp4, "stream=codec_name")).contains("h264");
        String head = new String(r.body(), 0, Math.min(r.body().length, 4096),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(head).as("moov before mdat (faststart)").contains("moov");
    }

    /** The second segment then the first: the clock jumps back 8 s, as after a camera restart between two pieces. */
    @Test
    void anMp4OfPiecesWhoseClockJumpsRunsOnWithoutSqueezingFrames(@TempDir Path out) throws Exception {
        List<Recording> s = catalog.segments("camera", 0, Long.MAX_VALUE);
        Path ts = out.resolve("jump.ts");
        Files.write(ts, slice(s.get(1), 0, s.get(1).bytes()));
        Files.write(ts, slice(s.get(0), 0, s.get(0).bytes()), java.nio.file.StandardOpenOption.APPEND);
        Path mp4 = out.resolve("jump.mp4");
        Mp4Remux.remux(ts, mp4);
        assertThat(FfmpegJudge.frames(mp4)).isEqualTo(8 * FPS);
        assertThat(Double.parseDouble(FfmpegJudge.probe(mp4, "format=duration"))).isCloseTo(8.0,
                org.assertj.core.data.Offset.offset(0.1));
        List<Double> times = FfmpegJudge.probe(mp4, "packet=pts_time").lines().map(Double::parseDouble).sorted().toList();
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("frame %d's step", i).isCloseTo(1.0 / FPS,
                    org.assertj.core.data.Offset.offset(0.002));
        }
    }

    /**
     * The camera recorded 8 s, was off for 5 min, and recorded 8 s again (its clock restarted): the MP4's timeline
     * keeps the 5 min, so a frame's time in the video is its wall-clock time after the clip's start.
     */
    @Test
    void anMp4AcrossALongGapKeepsTheGapInItsTimestamps(@TempDir Path out) throws Exception {
        Path cam = copies("gap", 0, RECORDED_MILLIS + 300_000);
        try {
            HttpResponse<byte[]> r = get("clip.mp4?camera=gap&from=" + at(0) + "&to="
                    + at(2 * RECORDED_MILLIS + 300_000));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            Path mp4 = out.resolve("gap.mp4");
            Files.write(mp4, r.body());
            assertThat(FfmpegJudge.frames(mp4)).isEqualTo(16 * FPS);
            List<Double> times = FfmpegJudge.probe(mp4, "packet=pts_time").lines().map(Double::parseDouble).sorted()
                    .toList();
            assertThat(times.getFirst()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(0.05));
            int after = 8 * FPS; // the first frame after the gap
            assertThat(times.get(after - 1)).as("the last frame before the gap").isCloseTo(8.0 - 1.0 / FPS,
                    org.assertj.core.data.Offset.offset(0.05));
            assertThat(times.get(after)).as("the first frame after the gap: 5 min later").isCloseTo(308.0,
                    org.assertj.core.data.Offset.offset(0.05));
            assertThat(times.getLast()).isCloseTo(316.0 - 1.0 / FPS, org.assertj.core.data.Offset.offset(0.05));
            assertThat(Double.parseDouble(FfmpegJudge.probe(mp4, "format=duration"))).isCloseTo(316.0,
                    org.assertj.core.data.Offset.offset(1.0));
            assertThat(FfmpegJudge.decodeErrors(mp4)).isEmpty();
        } finally {
            deleteTree(cam);
        }
    }

    /**
     * Four recordings back to back, the camera restarting between them (its clock starts again each time): the
     * MPEG-TS clip runs 32 s, and ffprobe says so, not 8 s (its first to last timestamp before the fix).
     */
    @Test
    void aTsClipAcrossCameraRestartsReportsItsRealLength(@TempDir Path out) throws Exception {
        Path cam = copies("restarts", 0, RECORDED_MILLIS, 2 * RECORDED_MILLIS, 3 * RECORDED_MILLIS);
        try {
            HttpResponse<byte[]> r = get("clip.ts?camera=restarts&from=" + at(0) + "&to=" + at(4 * RECORDED_MILLIS));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            Path ts = out.resolve("restarts.ts");
            Files.write(ts, r.body());
            assertThat(Double.parseDouble(FfmpegJudge.probe(ts, "format=duration"))).isCloseTo(32.0,
                    org.assertj.core.data.Offset.offset(1.0));
            assertThat(FfmpegJudge.frames(ts)).isEqualTo(32 * FPS);
            assertThat(FfmpegJudge.decodeErrors(ts)).isEmpty();
            // each restart is announced the MPEG-TS way: discontinuity_indicator with the first PCR after it
            assertThat(discontinuityFlags(r.body())).isEqualTo(3);
        } finally {
            deleteTree(cam);
        }
    }

    /** The recording's length by its timestamps: 2 segments of 4 s. */
    private static final long RECORDED_MILLIS = 8_000;

    /**
     * A camera directory of copies of the recording, the k-th starting {@code shifts[k]} ms after it: between two
     * copies the camera was off, or restarted, as each copy's timestamps start where the recording's did. Each row's
     * wall-clock times follow its timestamps, so a copy is exactly {@link #RECORDED_MILLIS} long.
     */
    private static Path copies(String camera, long... shifts) throws Exception {
        Path cam = dir.resolve(camera);
        List<Recording> segments = catalog.segments("camera", 0, Long.MAX_VALUE);
        long pts0 = segments.getFirst().ptsStart();
        try (java.sql.Connection index = TestIndex.open(cam);
                java.sql.PreparedStatement insert = index.prepareStatement("INSERT INTO segments(path, status, "
                        + "start_ms, end_ms, pts_start, pts_end, duration_ms, bytes, frames, keyframes, keyframe_pts)"
                        + " VALUES (?, 'closed', ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int n = 0;
            for (long shift : shifts) {
                for (Recording s : segments) {
                    String path = "copy-" + n++ + ".ts";
                    Files.copy(catalog.file(s), cam.resolve(path));
                    long start = t0 + shift + io.streamtee.ts.Timestamps.ptsDiff(pts0, s.ptsStart()) / 90;
                    insert.setString(1, path);
                    insert.setLong(2, start);
                    insert.setLong(3, start + s.durationMillis());
                    insert.setLong(4, s.ptsStart());
                    insert.setLong(5, s.ptsEnd());
                    insert.setLong(6, s.durationMillis());
                    insert.setLong(7, s.bytes());
                    insert.setLong(8, s.frames());
                    insert.setString(9, csv(s.keyframeOffsets()));
                    insert.setString(10, csv(s.keyframePts()));
                    insert.executeUpdate();
                }
            }
        }
        return cam;
    }

    private static String csv(long[] values) {
        return java.util.Arrays.stream(values).mapToObj(Long::toString)
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** PCR-carrying packets with discontinuity_indicator set: each announces a new time base. */
    private static int discontinuityFlags(byte[] ts) {
        int flagged = 0;
        for (int off = 0; off < ts.length; off += TsPacket.SIZE) {
            if (TsPacket.hasPcr(ts, off) && TsPacket.discontinuity(ts, off)) {
                flagged++;
            }
        }
        return flagged;
    }

    @Test
    void aReadFailureMidClipFailsTheRemuxWithItsCauseNotAShortMp4(@TempDir Path out) throws Exception {
        byte[] segment = Files.readAllBytes(catalog.file(catalog.segments("camera", 0, Long.MAX_VALUE).get(0)));
        java.io.InputStream failing = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(segment)) {
            private int given;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (given > segment.length / 2) {
                    throw new IOException("disk read error");
                }
                int n = super.read(b, off, Math.min(len, 8192));
                given += Math.max(n, 0);
                return n;
            }
        };
        assertThatThrownBy(() -> Mp4Remux.remux(failing, "clip", out.resolve("short.mp4")))
                .isInstanceOf(IOException.class).hasMessage("disk read error");
    }

    @Test
    void mp4ExportsAKilledServerLeftAreSweptAtStart(@TempDir Path tmp) throws Exception {
        Path stale = Files.createFile(tmp.resolve("streamtee-clip-1.mp4"));
        Path fresh = Files.createFile(tmp.resolve("streamtee-clip-2.mp4"));
        Path other = Files.createFile(tmp.resolve("someone-else.mp4"));
        java.nio.file.attribute.FileTime dayOld = java.nio.file.attribute.FileTime.from(
                Instant.now().minus(Duration.ofDays(1)));
        Files.setLastModifiedTime(stale, dayOld);
        Files.setLastModifiedTime(other, dayOld);
        PlaybackServer.sweepTemporaryFiles(tmp);
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
        assertThat(other).exists();
    }

    @Test
    void badRequestsGetOneLineNamingTheParameter() throws Exception {
        assertThat(getJson("clip.ts?from=yesterday", 400).get("error").asText())
                .startsWith("from: 'yesterday' is not a time");
        assertThat(getJson("clip.ts?from=" + at(5000) + "&to=" + at(1000), 400).get("error").asText())
                .isEqualTo("from: must be before to");
        assertThat(getJson("play.m3u8?from=" + at(-100_000_000) + "&to=" + at(0), 400).get("error").asText())
                .startsWith("from: ").endsWith(" is more than 24 h; ask for less");
        assertThat(getJson("play.m3u8?camera=backyard", 404).get("error").asText())
                .isEqualTo("no camera backyard (cameras: camera)");
        assertThat(getJson("clip.ts?from=" + at(60_000) + "&to=" + at(70_000), 404).get("error").asText())
                .startsWith("nothing recorded by camera between");
        assertThat(getJson("recordings/camera/999.ts", 404).get("error").asText()).startsWith("no segment 999");
        assertThat(getJson("recordings/camera/1_k7-end.ts", 404).get("error").asText())
                .contains("has no keyframe range 7-end");
    }

    @Test
    void aSegmentFileDeletedUnderTheIndexIsA404() throws Exception {
        // a third camera directory whose index names a file that is gone (retention ran between the two)
        Path cam = dir.resolve("gone");
        Files.createDirectories(cam);
        Files.copy(dir.resolve("camera/index.db"), cam.resolve("index.db"));
        try {
            assertThat(getJson("recordings/gone/1.ts", 404).get("error").asText())
                    .startsWith("segment file gone (deleted by retention?)");
            assertThat(getJson("api/recordings?camera=gone&from=0", 200).get("spans")).hasSize(1);
        } finally {
            deleteTree(cam);
        }
    }

    @Test
    void anMp4ExportIsAtMostAnHourOfRecording() throws Exception {
        Path cam = dir.resolve("long");
        Files.createDirectories(cam);
        try (java.sql.Connection index = TestIndex.open(cam);
                java.sql.Statement st = index.createStatement()) {
            for (int i = 0; i < 2; i++) { // two 40 min segments, back to back (their files are never read)
                st.execute("INSERT INTO segments(path, status, start_ms, end_ms, pts_start, pts_end, duration_ms, "
                        + "bytes) VALUES ('" + i + ".ts', 'closed', " + (t0 + i * 2_400_000L) + ", "
                        + (t0 + (i + 1) * 2_400_000L) + ", 0, 216000000, 2400000, 188)");
            }
        }
        try {
            String range = "camera=long&from=" + at(0) + "&to=" + at(4_800_000);
            assertThat(getJson("clip.mp4?" + range, 400).get("error").asText())
                    .isEqualTo("from: " + at(0) + " to " + at(4_800_000) + " is more than 1 h, the most an MP4 "
                            + "export takes (clip.ts takes up to 24 h); ask for less");
            // an hour as asked is fine though its keyframes lie a little outside (the files are fakes: 404)
            String hour = "camera=long&from=" + at(1_000) + "&to=" + at(3_601_000);
            assertThat(getJson("clip.mp4?" + hour, 404).get("error").asText()).startsWith("segment file gone");
        } finally {
            deleteTree(cam);
        }
    }

    @Test
    void noRequestReachesAFileOutsideTheRecordings() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "secret");
        for (String path : List.of("recordings/camera/..%2F..%2Fsecret.txt", "recordings/..%2Fsecret.txt/1.ts",
                "recordings/camera/index.db", "recordings/camera/%2e%2e%2fsecret.txt", "recordings/camera/-1.ts",
                "play.m3u8?camera=..", "play.m3u8?camera=..%2F", "clip.ts?camera=%2Fetc")) {
            HttpResponse<byte[]> r = get(path);
            assertThat(r.statusCode()).as(path).isIn(400, 404);
            assertThat(new String(r.body())).as(path).doesNotContain("secret\"").doesNotContain("SQLite format");
        }
    }

    @Test
    void noEncodingOfATraversalReachesAFileOutsideTheRecordings() throws Exception {
        String secret = "hostile-" + System.nanoTime();
        Path inside = dir.resolve("secret.txt");
        Path beside = dir.resolveSibling(dir.getFileName() + "-secret.txt");
        Files.writeString(inside, secret);
        Files.writeString(beside, secret);
        Map<Integer, Integer> statuses = new TreeMap<>();
        int requests = 0;
        try {
            for (String prefix : List.of("/recordings/camera/", "/recordings/", "/play.m3u8?camera=",
                    "/clip.ts?camera=", "/clip.mp4?camera=", "/api/recordings?camera=", "/recordings/camera/1.ts/")) {
                for (String name : List.of("secret.txt", dir.getFileName() + "-secret.txt", "camera/index.db")) {
                    for (String escape : HostilePaths.escapes(name)) {
                        HostilePaths.Response r = HostilePaths.get(server.port(), prefix + escape, null);
                        assertThat(r.status()).as(prefix + escape).isIn(400, 404);
                        assertThat(r.body()).as(prefix + escape).doesNotContain(secret)
                                .doesNotContain("SQLite format");
                        statuses.merge(r.status(), 1, Integer::sum);
                        requests++;
                    }
                }
            }
        } finally {
            Files.deleteIfExists(inside);
            Files.deleteIfExists(beside);
        }
        Figures.of("hostile.path-traversal.playback").put("requests", requests)
                .put("answered_400", statuses.getOrDefault(400, 0)).put("answered_404", statuses.getOrDefault(404, 0))
                .record(getClass(), "noEncodingOfATraversalReachesAFileOutsideTheRecordings");
    }

    @Test
    void aHealthyClientIsAnsweredDuringASlowloris() throws Exception {
        Slowloris.assertAnswered("hostile.slowloris.playback", server.port(), URI.create(server.url() + "api/cameras"), null,
                getClass(), "aHealthyClientIsAnsweredDuringASlowloris");
    }

    @Test
    void offLoopbackATokenIsRequiredAndPlaylistsPassItOn() throws Exception {
        assertThatThrownBy(() -> new PlaybackServer(dir, "0.0.0.0", 0, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--http: listening on 0.0.0.0 (not loopback) needs a token");
        String token = "0123456789abcdef-token";
        try (PlaybackServer guarded = new PlaybackServer(catalog, "127.0.0.1", 0, token, Clock.systemUTC())
                .start()) {
            URI cameras = URI.create(guarded.url() + "api/cameras");
            assertThat(http.send(HttpRequest.newBuilder(cameras).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(cameras).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            String playlist = guarded.url() + "play.m3u8?from=" + at(0) + "&to=" + at(8000) + "&token=" + token;
            String m3u8 = http.send(HttpRequest.newBuilder(URI.create(playlist)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(m3u8.lines().filter(l -> l.startsWith("recordings/")))
                    .allMatch(l -> l.endsWith(".ts?token=" + token));
            assertThat(FfmpegJudge.frames(playlist)).isEqualTo(8 * FPS);
        }
    }

    /**
     * The page in headless Chromium, with a second camera that recorded an hour earlier: the clip links follow the
     * range as it is edited, picking a camera resets the range to its latest recording, Play starts the HLS playlist
     * of the last minute and the picture moves, and the status line says paused, playing and ended when they are.
     */
    @Test
    @org.junit.jupiter.api.Timeout(180)
    void thePlaybackPagePlaysTheRecordingInChromium() throws Exception {
        Path browser = Path.of("src/test/browser");
        io.streamtee.testing.Browser.assumeReady(browser);
        Path shot = Path.of("target/playback-page.png").toAbsolutePath();
        Path earlier = copies("earlier", -3_600_000);
        try {
            io.streamtee.testing.Browser.Run page = io.streamtee.testing.Browser.run(List.of("node",
                    browser.resolve("playback-page.mjs").toString(), server.url(), shot.toString(), "3", "320"),
                    Path.of("."), 120);
            assertThat(page.exit()).as("playback-page.mjs said:%n%s", page.output()).isZero();
            assertThat(page.output()).contains("playing the HLS playlist");
            assertThat(page.output()).contains("clip links follow an edited range",
                    "another camera gets its own latest range", "the status says paused, then playing, then ended");
            assertThat(shot).isNotEmptyFile();
        } finally {
            deleteTree(earlier);
        }
    }

    /** Deletes a camera directory a test made: its index, and SQLite's -wal and -shm beside it. */
    private static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static byte[] slice(Recording r, long from, long to) throws IOException {
        try (FileChannel ch = FileChannel.open(catalog.file(r))) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) (to - from));
            while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
                // read it all
            }
            return b.array();
        }
    }

    /** The bytes with every packet's continuity counter zeroed: what a cut may renumber. */
    private static byte[] masked(byte[] ts) {
        byte[] copy = ts.clone();
        assertThat(copy.length % TsPacket.SIZE).isZero();
        for (int off = 0; off < copy.length; off += TsPacket.SIZE) {
            copy[off + 3] &= (byte) 0xF0;
        }
        return copy;
    }
}
