package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.kafka.KafkaBroker;
import io.streamtee.testing.FfmpegJudge;
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
 * {@code streamtee record --listen kafka://...}: a recorder that reads its camera from a Kafka topic (a recorder
 * scaled out, or started after the camera) through the kafka module's plugged input, from the topic's start, and
 * records every frame the camera sent into segments that decode. A real broker (KRaft, in this JVM).
 */
@Timeout(120)
class RecordKafkaTest {
    private static final int DATAGRAM = 7 * 188;

    @TempDir
    static Path dir;
    private static Path clip;
    private static KafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        broker = KafkaBroker.shared();
    }

    @Test
    void recordsACameraReadFromAKafkaTopicFromItsStart() throws Exception {
        broker.createTopic("porch", 1);
        byte[] ts = Files.readAllBytes(clip);
        broker.writeDatagrams("porch", "porch", ts, DATAGRAM);
        Path recordings = dir.resolve("recordings");
        RecordCommand command = new RecordCommand();
        new CommandLine(command).parseArgs("--listen", "kafka://" + broker.bootstrap() + "/porch?from=earliest",
                "--dir", recordings.toString(), "--camera", "porch", "--segment", "1s");
        long datagrams = (ts.length + DATAGRAM - 1) / DATAGRAM;
        try (RecordCommand.Running running = command.start()) {
            Recorder recorder = running.recorder();
            assertThat(recorder.localAddress()).as("no socket of the recorder's own").isNull();
            await().atMost(Duration.ofSeconds(60)).until(() -> recorder.inputStats().accepted() >= datagrams);
            assertThat(recorder.inputStats().accepted()).isEqualTo(datagrams);
        }
        List<Path> segments;
        try (Stream<Path> files = Files.walk(recordings.resolve("porch"))) {
            segments = files.filter(p -> p.toString().endsWith(".ts")).sorted().toList();
        }
        assertThat(segments).hasSizeGreaterThanOrEqualTo(2);
        int frames = 0;
        for (Path segment : segments) {
            frames += FfmpegJudge.frames(segment);
            assertThat(FfmpegJudge.decodeErrors(segment)).as("decode errors in " + segment).isEmpty();
        }
        assertThat(frames).as("every frame of the camera's 4 s, recorded").isEqualTo(FfmpegJudge.frames(clip));
    }
}
