package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.health.HealthEvent;
import io.streamtee.analyze.health.HealthSettings;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.net.UdpReceiver;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.Figures;
import io.streamtee.ts.TsPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input an analyzer must live through, each counted and none fatal: garbage, a new size, H.265, no video. */
class BadInputTest {

    private static List<Event> of(AnalyzerTest.Recording sink, HealthEvent.Kind kind) {
        return HealthEndToEndTest.of(sink, kind);
    }

    private static Process ffmpegToUdp(InetSocketAddress to, String... args) throws Exception {
        List<String> command = FfmpegJudge.ffmpeg(args);
        command.add("udp://127.0.0.1:" + to.getPort() + "?pkt_size=1316");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    @Test
    void garbageDatagramsAreCountedAndTheStreamGoesOn() throws Exception {
        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        try (Analyzer analyzer = HealthEndToEndTest.analyzer(sink, HealthSettings.DEFAULTS);
             DatagramChannel garbage = DatagramChannel.open()) {
            InetSocketAddress to = analyzer.localAddress();
            Random random = new Random(1);
            long sentGarbage = 0;
            try (Camera cam = new Camera(HealthEndToEndTest.camera(to, HealthEndToEndTest.SMALL,
                    Duration.ofSeconds(3))).start()) {
                for (int i = 0; i < 200; i++) {
                    byte[] b = new byte[1 + random.nextInt(1500)];
                    random.nextBytes(b);
                    if (i % 2 == 0) { // looks like TS: seven packets with sync bytes, random inside
                        b = new byte[7 * TsPacket.SIZE];
                        random.nextBytes(b);
                        for (int k = 0; k < 7; k++) {
                            b[k * TsPacket.SIZE] = TsPacket.SYNC_BYTE;
                        }
                    }
                    garbage.send(ByteBuffer.wrap(b), to);
                    sentGarbage++;
                }
                assertThat(cam.awaitDone(Duration.ofSeconds(20))).isTrue();
            }
            long sent = sentGarbage;
            await().atMost(Duration.ofSeconds(10)).until(() -> analyzer.inputStats().datagrams() >= sent
                    && analyzer.stats().framesDecoded() >= 55);
            UdpReceiver.Stats in = analyzer.inputStats();
            assertThat(in.dropped()).isEqualTo(sent);
            assertThat(in.dropped(UdpReceiver.Drop.NOT_TS)).isPositive();
            assertThat(analyzer.stats().decodeErrors()).isZero();
        }
        assertThat(HealthEndToEndTest.health(sink)).as(HealthEndToEndTest.describe(sink))
                .allMatch(e -> "FORMAT".equals(e.details().get("problem")));
    }

    private static boolean newSizeSeen(Analyzer analyzer) {
        var facts = analyzer.health().facts();
        return facts != null && facts.width() == 640;
    }

    @Test
    void emptyAndMaximalDatagramsAreCountedAndTheStreamGoesOn() throws Exception {
        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        try (Analyzer analyzer = HealthEndToEndTest.analyzer(sink, HealthSettings.DEFAULTS);
             DatagramChannel garbage = DatagramChannel.open()) {
            InetSocketAddress to = analyzer.localAddress();
            byte[] max = new byte[Datagrams.MAX_IPV4];
            new Random(2).nextBytes(max);
            max[0] = TsPacket.SYNC_BYTE; // starts like TS, is not: 65,507 is no multiple of 188
            long sentGarbage = 0;
            try (Camera cam = new Camera(HealthEndToEndTest.camera(to, HealthEndToEndTest.SMALL,
                    Duration.ofSeconds(3))).start()) {
                for (int i = 0; i < 20; i++) {
                    garbage.send(ByteBuffer.allocate(0), to);
                    garbage.send(ByteBuffer.wrap(max), to);
                    sentGarbage += 2;
                }
                assertThat(cam.awaitDone(Duration.ofSeconds(20))).isTrue();
            }
            long sent = sentGarbage;
            await().atMost(Duration.ofSeconds(10)).until(() -> analyzer.inputStats().datagrams() >= sent
                    && analyzer.stats().framesDecoded() >= 55);
            UdpReceiver.Stats in = analyzer.inputStats();
            assertThat(in.dropped()).isEqualTo(sent);
            assertThat(analyzer.stats().decodeErrors()).isZero();
            Figures.of("hostile.datagram-size.analyze").put("sent_empty", 20).put("sent_65507", 20)
                    .put("counted_dropped", in.dropped()).put("frames_decoded", analyzer.stats().framesDecoded())
                    .record(getClass(), "emptyAndMaximalDatagramsAreCountedAndTheStreamGoesOn");
        }
    }

    @Test
    void aCameraRestartedAtAnotherSizeIsOneFormatChangeAndDecodingGoesOn() throws Exception {
        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        try (Analyzer analyzer = HealthEndToEndTest.analyzer(sink, HealthSettings.DEFAULTS)) {
            InetSocketAddress to = analyzer.localAddress();
            long first;
            try (Camera cam = new Camera(HealthEndToEndTest.camera(to, HealthEndToEndTest.SMALL,
                    Duration.ofSeconds(3))).start()) {
                assertThat(cam.awaitDone(Duration.ofSeconds(20))).isTrue();
                first = cam.stats().framesEncoded();
            }
            // restarted at once: new SPS, PTS, PCR and continuity counters, from a new port, which the input takes
            // once the old one has been silent for 2 s (so the first 2 s of it are dropped, counted)
            long restarted = System.nanoTime();
            long[] firstFrame = {0};
            Thread watch = Thread.ofVirtual().start(() -> { // measures only: the new camera's size is seen
                long deadline = restarted + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline && !newSizeSeen(analyzer)) {
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                }
                firstFrame[0] = System.nanoTime();
            });
            long all;
            try (Camera cam = new Camera(HealthEndToEndTest.camera(to, HealthEndToEndTest.SMALL.withSize(640, 360),
                    Duration.ofSeconds(4))).start()) {
                assertThat(cam.awaitDone(Duration.ofSeconds(20))).isTrue();
                all = first + cam.stats().framesEncoded();
                try {
                    await().atMost(Duration.ofSeconds(10)).until(() -> analyzer.stats().framesDecoded() >= all - 50);
                } finally {
                    System.out.println("frames " + first + " + " + (all - first) + ", analyzer " + analyzer.stats());
                }
            }
            assertThat(analyzer.health().formatChanges()).isEqualTo(1);
            assertThat(analyzer.inputStats().dropped(UdpReceiver.Drop.OTHER_SOURCE)).isPositive();
            watch.join(Duration.ofSeconds(30));
            Figures.of("fault.camera.restart-new-size-analyze")
                    .put("new_size_seen_after_restart_ms", (firstFrame[0] - restarted) / 1_000_000)
                    .put("frames_sent", all).put("frames_decoded", analyzer.stats().framesDecoded())
                    .put("frames_not_decoded", all - analyzer.stats().framesDecoded())
                    .put("datagrams_dropped_other_source", analyzer.inputStats().dropped(UdpReceiver.Drop.OTHER_SOURCE))
                    .put("format_changes", analyzer.health().formatChanges())
                    .put("decode_errors", analyzer.stats().decodeErrors())
                    .record(getClass(), "aCameraRestartedAtAnotherSizeIsOneFormatChangeAndDecodingGoesOn");
        }
        String all = HealthEndToEndTest.describe(sink);
        System.out.println(all);
        assertThat(of(sink, HealthEvent.Kind.FORMAT_CHANGED)).as(all).extracting(Event::title)
                .containsExactly("format changed: h264 320x180 20 fps -> h264 640x360 20 fps");
        assertThat(of(sink, HealthEvent.Kind.FORMAT_CHANGED).get(0).details()).containsEntry("width", 640)
                .containsEntry("height", 360);
    }

    @Test
    void aResolutionChangeMidStreamIsOneFormatChangeAndDecodingFollowsIt(@TempDir Path dir) throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        // two sizes of another shape, joined into one continuous stream (timestamps and counters run on)
        for (String size : List.of("320x240", "640x360")) {
            FfmpegJudge.Result r = FfmpegJudge.run(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error", "-f",
                    "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-t", "2", "-c:v", "libx264", "-preset",
                    "ultrafast", "-g", "25", "-f", "mpegts", dir.resolve(size + ".ts").toString()));
            assertThat(r.exit()).as(r.err()).isZero();
        }
        Files.writeString(dir.resolve("list.txt"), "file '320x240.ts'\nfile '640x360.ts'\n");
        FfmpegJudge.Result joined = FfmpegJudge.run(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error", "-f",
                "concat", "-safe", "0", "-i", dir.resolve("list.txt").toString(), "-c", "copy", "-f", "mpegts",
                dir.resolve("both.ts").toString()));
        assertThat(joined.exit()).as(joined.err()).isZero();

        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        try (Analyzer analyzer = HealthEndToEndTest.analyzer(sink, HealthSettings.DEFAULTS)) {
            Process ffmpeg = ffmpegToUdp(analyzer.localAddress(), "-hide_banner", "-loglevel", "error", "-re",
                    "-i", dir.resolve("both.ts").toString(), "-c", "copy", "-f", "mpegts");
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> !ffmpeg.isAlive());
            } finally {
                ffmpeg.destroyForcibly();
            }
            assertThat(ffmpeg.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> analyzer.stats().framesDecoded() >= 98);
            assertThat(analyzer.stats().decodeErrors()).isZero();
            assertThat(analyzer.health().formatChanges()).isEqualTo(1);
            assertThat(analyzer.health().facts().width()).isEqualTo(640);
            Figures.of("fault.camera.resolution-change-analyze").put("frames_sent", 100)
                    .put("frames_decoded", analyzer.stats().framesDecoded())
                    .put("frames_not_decoded", 100 - analyzer.stats().framesDecoded())
                    .put("decode_errors", analyzer.stats().decodeErrors())
                    .put("format_changes", analyzer.health().formatChanges())
                    .record(getClass(), "aResolutionChangeMidStreamIsOneFormatChangeAndDecodingFollowsIt");
        }
        // FFmpeg's muxer leaves out a frame's PCR now and then (80 ms apart): PCR errors, rightly; nothing else
        String all = HealthEndToEndTest.describe(sink);
        assertThat(HealthEndToEndTest.health(sink).stream().filter(e -> !"PCR".equals(e.details().get("problem"))))
                .as(all).extracting(Event::title).containsExactly(
                        "stream format: h264 320x240 25 fps",
                        "format changed: h264 320x240 25 fps -> h264 640x360 25 fps");
    }

    @Test
    void anH265StreamIsReportedAndDecoded() throws Exception {
        FfmpegJudge.assumeEncoder("libx265");
        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        try (Analyzer analyzer = HealthEndToEndTest.analyzer(sink, HealthSettings.DEFAULTS)) {
            Process ffmpeg = ffmpegToUdp(analyzer.localAddress(), "-hide_banner", "-loglevel", "error", "-re",
                    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "4", "-c:v", "libx265",
                    "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=25", "-f", "mpegts");
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> !ffmpeg.isAlive());
            } finally {
                ffmpeg.destroyForcibly();
            }
            assertThat(ffmpeg.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> analyzer.stats().framesDecoded() >= 90);
            assertThat(analyzer.stats().decodeErrors()).isZero();
            assertThat(analyzer.health().facts().codec()).isEqualTo("h265");
        }
        // testsrc2 moves all the time: the decoded H.265 pictures reach the motion detector
        assertThat(sink.events).as(HealthEndToEndTest.describe(sink)).anyMatch(e -> e.kind() == Event.Kind.MOTION);
        List<Event> format = of(sink, HealthEvent.Kind.FORMAT);
        assertThat(format).as(HealthEndToEndTest.describe(sink)).extracting(Event::title)
                .containsExactly("stream format: h265 640x360 25 fps");
    }

    @Test
    void aStreamWithoutVideoIsSaidOnceAndAnalyzedForHealth() throws Exception {
        FfmpegJudge.assumeInstalled();
        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        try (Analyzer analyzer = HealthEndToEndTest.analyzer(sink, HealthSettings.DEFAULTS)) {
            Process ffmpeg = ffmpegToUdp(analyzer.localAddress(), "-hide_banner", "-loglevel", "error", "-re",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3", "-c:a", "mp2",
                    "-f", "mpegts");
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> !ffmpeg.isAlive());
            } finally {
                ffmpeg.destroyForcibly();
            }
            assertThat(ffmpeg.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> !of(sink, HealthEvent.Kind.FORMAT).isEmpty());
            assertThat(analyzer.stats().framesDecoded()).isZero();
            assertThat(analyzer.health().datagrams()).isPositive();
            assertThat(analyzer.health().facts().bitrate()).isPositive();
        }
        assertThat(of(sink, HealthEvent.Kind.FORMAT)).extracting(Event::title)
                .containsExactly("stream format: no H.264 or H.265 video, no motion analysis (mp2 on PID 256)");
    }
}
