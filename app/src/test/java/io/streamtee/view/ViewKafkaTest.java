package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.kafka.KafkaBroker;
import io.streamtee.testing.FfmpegJudge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streamtee view --listen NAME=kafka://...}: a viewer that reads its camera from a Kafka topic (a real broker,
 * KRaft, in this JVM) through the kafka module's plugged input: its frames, a snapshot, the input's counters in
 * {@code /metrics}.
 */
@Timeout(120)
class ViewKafkaTest {
    @TempDir
    static Path dir;

    @Test
    void servesTheFramesOfACameraReadFromAKafkaTopic() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        Path clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        KafkaBroker broker = KafkaBroker.shared();
        broker.createTopic("porch-view", 1);
        broker.writeDatagrams("porch-view", "porch", Files.readAllBytes(clip), 7 * 188);
        ViewCommand command = new ViewCommand();
        new CommandLine(command).parseArgs("--listen", "porch=kafka://" + broker.bootstrap()
                + "/porch-view?from=earliest", "--http", "127.0.0.1:0");
        int frames = FfmpegJudge.frames(clip);
        try (ViewCommand.Running running = command.start()) {
            CameraFeed porch = running.cameras().get(0);
            assertThat(porch.input().localAddress()).as("no socket of the viewer's own").isNull();
            // every frame but the stream's last (handed over when the next would begin)
            await().atMost(Duration.ofSeconds(60)).until(() -> porch.hub().frames() >= frames - 1);
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + running.server().port();
            HttpResponse<byte[]> jpeg = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/cameras/porch/snapshot.jpg")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(jpeg.statusCode()).isEqualTo(200);
            assertThat(jpeg.body()).startsWith((byte) 0xFF, (byte) 0xD8);
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern(
                    "streamtee_view_input_events_total\\{camera=\"porch\",event=\"records\"\\} [1-9]");
        }
    }
}
