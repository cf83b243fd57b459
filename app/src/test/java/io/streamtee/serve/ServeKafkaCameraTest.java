package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.analyze.ClipLinks;
import io.streamtee.kafka.KafkaBroker;
import io.streamtee.testing.FfmpegJudge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code serve} camera whose input is a Kafka topic (cameras written by relays elsewhere; this {@code serve} one
 * of the consumers), its group and broker from the environment: the camera is recorded from the topic's start, and
 * {@code /api/cameras/NAME} carries the input's figures (records, partitions, commits). A real broker (KRaft, in this
 * JVM).
 */
@Timeout(120)
class ServeKafkaCameraTest {
    private static final int DATAGRAM = 7 * 188;

    @TempDir
    Path dir;

    @Test
    void aKafkaCameraIsRecordedAndItsInputFiguresAreInTheApi() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        Path clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        KafkaBroker broker = KafkaBroker.shared();
        broker.createTopic("garage", 1);
        byte[] ts = Files.readAllBytes(clip);
        broker.writeDatagrams("garage", "garage", ts, DATAGRAM);
        long datagrams = (ts.length + DATAGRAM - 1) / DATAGRAM;

        ServeConfig config = ServeYaml.parse("consumer.yml", "web: {listen: 127.0.0.1:0}\ndata: " + dir.resolve("data")
                + "\ncameras:\n  garage:\n    input: kafka://${KAFKA}/garage?group=${GROUP}&from=earliest\n"
                + "    record: {segment: 1s}\n", Map.of("KAFKA", broker.bootstrap(), "GROUP", "serve-site-a")::get);
        Serve serve = new Serve(config);
        try (ServeWeb web = new ServeWeb(serve, config.web()).start(); serve) {
            serve.start(ClipLinks.parse("web.listen", web.url()));
            HttpClient http = HttpClient.newHttpClient();
            URI camera = URI.create(web.url()).resolve("/api/cameras/garage");
            ObjectMapper json = new ObjectMapper();
            JsonNode[] last = new JsonNode[1];
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(camera).build(),
                        HttpResponse.BodyHandlers.ofString());
                last[0] = json.readTree(r.body());
                JsonNode counters = last[0].path("link").path("counters");
                return last[0].path("recording").path("segments").asLong() >= 2
                        && counters.path("records").asLong() == datagrams
                        && counters.path("commits").asLong() >= 1;
            });
            assertThat(last[0].path("input").asText()).isEqualTo("kafka://" + broker.bootstrap()
                    + "/garage?group=serve-site-a&from=earliest");
            assertThat(last[0].path("link").path("counters").path("partitions").asLong()).isEqualTo(1);
            assertThat(last[0].path("link").path("gauges").path("held").asDouble()).isZero();
        }
    }
}
