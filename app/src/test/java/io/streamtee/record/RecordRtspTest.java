package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.RtspServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streamtee record --listen rtsp://...}: the recorder, started by its command, pulls a camera from a real RTSP
 * server (gst-rtsp-server, on loopback) through the bridge's plugged input and records segments that decode; the
 * input's own counters are in the recorder's input stats.
 */
@Timeout(120)
class RecordRtspTest {
    @TempDir
    static Path dir;
    private static Path clip;
    private static Path script;

    @BeforeAll
    static void clip() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        RtspServer.assumeInstalled();
        clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        script = RtspServer.script(dir);
    }

    @Test
    void recordsSegmentsPulledFromAnRtspCamera() throws Exception {
        Path recordings = dir.resolve("recordings");
        try (RtspServer server = RtspServer.start(script, clip, 0, null)) {
            RecordCommand command = new RecordCommand();
            new CommandLine(command).parseArgs("--listen", "rtsp://127.0.0.1:" + server.port() + "/stream",
                    "--dir", recordings.toString(), "--camera", "porch", "--segment", "1s");
            try (RecordCommand.Running running = command.start()) {
                Recorder recorder = running.recorder();
                assertThat(recorder.localAddress()).as("no socket of the recorder's own").isNull();
                await().atMost(Duration.ofSeconds(60)).until(() -> recorder.stats().segments() >= 2);
                assertThat(recorder.inputStats().input()).containsKeys("connects", "reconnects");
                assertThat(recorder.inputStats().input().get("connects")).isPositive();
                assertThat(recorder.inputStats().accepted()).isPositive();
            }
        }
        List<Path> segments;
        try (Stream<Path> files = Files.walk(recordings.resolve("porch"))) {
            segments = files.filter(p -> p.toString().endsWith(".ts")).sorted().toList();
        }
        assertThat(segments).hasSizeGreaterThanOrEqualTo(2);
        assertThat(FfmpegJudge.frames(segments.get(0))).as("the first segment's frames").isPositive();
        assertThat(FfmpegJudge.decodeErrors(segments.get(0))).as("decode errors").isEmpty();
    }
}
