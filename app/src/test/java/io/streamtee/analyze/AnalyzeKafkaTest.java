package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.kafka.KafkaBroker;
import io.streamtee.testing.FfmpegJudge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streamtee analyze --listen kafka://...}: an analyzer that reads its camera from a Kafka topic (a real broker,
 * KRaft, in this JVM) through the kafka module's plugged input, from the topic's start: it sees every access unit the
 * camera wrote there. A replay comes faster than real time, so the analyzer, which keeps up with a live stream by
 * skipping what it cannot decode in time, decodes some and counts the rest as skipped (overload); none is lost.
 */
@Timeout(120)
class AnalyzeKafkaTest {
    @TempDir
    static Path dir;

    @Test
    void analyzesEveryFrameOfACameraReadFromAKafkaTopic() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        Path clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        KafkaBroker broker = KafkaBroker.shared();
        broker.createTopic("yard-analyze", 1);
        broker.writeDatagrams("yard-analyze", "yard", Files.readAllBytes(clip), 7 * 188);
        AnalyzeCommand command = new AnalyzeCommand();
        new CommandLine(command).parseArgs("--listen", "kafka://" + broker.bootstrap() + "/yard-analyze?from=earliest",
                "--camera", "yard", "--events", dir.resolve("yard.jsonl").toString());
        int frames = FfmpegJudge.frames(clip);
        Analyzer analyzer = command.start();
        try (analyzer) {
            assertThat(analyzer.localAddress()).as("no socket of the analyzer's own").isNull();
            // the stream's last access unit is handed over when the analyzer flushes at close; all but it before
            await().atMost(Duration.ofSeconds(60)).until(() -> analyzer.stats().accessUnits() >= frames - 1);
            assertThat(analyzer.inputStats().input().get("records")).isPositive();
        }
        Analyzer.Stats s = analyzer.stats(); // closed: every access unit decoded or skipped
        assertThat(s.accessUnits()).as("access units").isEqualTo(frames);
        assertThat(s.framesDecoded() + s.framesSkipped()).as("decoded + skipped (overload) of " + s)
                .isEqualTo(s.accessUnits());
        assertThat(s.framesDecoded()).as("decoded").isPositive();
        assertThat(s.framesSkippedDamaged()).as("damaged in transport").isZero();
        assertThat(s.decodeErrors()).as("decode errors").isZero();
    }
}
