package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.http.AnalyzerServer;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraStats;
import io.streamtee.cli.Cli;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streamtee analyze --http --playback} with a webhook and a mail sink, against a real camera, a real SMTP
 * server (GreenMail) and an HTTP receiver on loopback: the sinks get the snapshots from the analyzer's store (the
 * webhook an absolute URL that serves the JPEG, and the JPEG inline; the mail an attachment), and every sink shows
 * the clip link.
 */
@Timeout(120)
class AnalyzeCommandSnapshotsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static BufferedImage image(byte[] jpeg) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(image).as("a JPEG").isNotNull();
        return image;
    }

    private static String err(String... args) {
        StringWriter err = new StringWriter();
        int code = Cli.run(new AnalyzeCommand(), new PrintWriter(new StringWriter()),
                new PrintWriter(err), args);
        assertThat(code).as("exit code for %s", List.of(args)).isEqualTo(2);
        return err.toString();
    }

    @Test
    void httpIsOffByDefaultAndBadHttpOrPlaybackIsOneLineNamingTheOption() throws Exception {
        AnalyzeCommand defaults = new AnalyzeCommand();
        new CommandLine(defaults).parseArgs("--events", "off");
        assertThat(defaults.httpSettings()).isNull();
        AnalyzerConfig config = defaults.config();
        assertThat(config.clips()).isNull();
        assertThat(config.store().baseUrl()).isNull();

        AnalyzeCommand on = new AnalyzeCommand();
        new CommandLine(on).parseArgs("--events", "off", "--http", "127.0.0.1:8082", "--playback",
                "http://127.0.0.1:8081/");
        assertThat(on.httpSettings().listen().getPort()).isEqualTo(8082);
        AnalyzerConfig withHttp = on.config();
        assertThat(withHttp.store().baseUrl()).as("a fixed port is known before binding")
                .isEqualTo("http://127.0.0.1:8082");
        assertThat(withHttp.clips().base()).isEqualTo("http://127.0.0.1:8081");
        AnalyzeCommand off = new AnalyzeCommand();
        new CommandLine(off).parseArgs("--http", "OFF");
        assertThat(off.httpSettings()).isNull();

        String events = dir.resolve("e.jsonl").toString();
        assertThat(err("--events", events, "--http", "0.0.0.0:8082")).startsWith("streamtee analyze: --http: ")
                .contains("STREAMTEE_API_TOKEN").hasLineCount(1);
        assertThat(err("--events", events, "--http", "nowhere")).startsWith("streamtee analyze: --http")
                .hasLineCount(1);
        assertThat(err("--events", events, "--playback", "127.0.0.1:8081")).isEqualTo("streamtee analyze:"
                + " --playback: expected the playback server's http:// URL, e.g. http://127.0.0.1:8081, not"
                + " '127.0.0.1:8081'\n");
        assertThat(Files.exists(dir.resolve("e.jsonl"))).isFalse();
    }

    private static List<MimeMessage> motionMails(GreenMail smtp) throws Exception {
        List<MimeMessage> list = new ArrayList<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            if (m.getSubject().contains(": motion")) {
                list.add(m);
            }
        }
        return list;
    }

    @Test
    void webhookMailAndFileGetSnapshotsAndClipLinks() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        List<byte[]> hooks = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                hooks.add(in.readAllBytes());
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hook.start();
        Path events = dir.resolve("events.jsonl");
        AnalyzeCommand command = new AnalyzeCommand();
        new CommandLine(command).parseArgs("--listen", "udp://127.0.0.1:0", "--camera", "porch", "--events",
                events.toString(), "--mask", SnapshotTest.CLOCK_MASK, "--http", "127.0.0.1:0",
                "--playback", "http://127.0.0.1:8081", "--sink", "http://127.0.0.1:" + hook.getAddress().getPort()
                        + "/hook?snapshot=inline", "--sink", "smtp://127.0.0.1:" + smtp.getSmtp().getPort()
                        + "?to=me@example.org&from=cam@example.org");
        String snapshotUrl;
        byte[] served;
        try {
            try (Analyzer analyzer = command.start();
                    AnalyzerServer server = AnalyzeCommand.serve(analyzer, command.httpSettings(), "--http")) {
                CameraStats sent;
                try (Camera cam = new Camera(SnapshotTest.camera(analyzer)).start()) {
                    assertThat(cam.awaitDone(Duration.ofSeconds(30))).isTrue();
                    sent = cam.stats();
                }
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> analyzer.stats().datagrams() == sent.datagramsSent());
                await().atMost(Duration.ofSeconds(10)).until(() -> hooks.stream().anyMatch(b -> new String(b)
                        .contains("\"phase\":\"START\"") && new String(b).contains("MOTION")));
                JsonNode start = null;
                for (byte[] b : hooks) {
                    JsonNode n = JSON.readTree(b);
                    if (n.path("kind").asText().equals("MOTION") && n.path("phase").asText().equals("START")) {
                        start = n;
                    }
                }
                assertThat(start).isNotNull();
                snapshotUrl = start.path("snapshot").asText();
                assertThat(snapshotUrl).isEqualTo("http://127.0.0.1:" + server.port() + "/api/events/"
                        + start.path("id").asText() + "/snapshot.jpg");
                BufferedImage inline = image(Base64.getDecoder().decode(start.path("snapshotJpeg").asText()));
                assertThat(inline.getWidth()).isEqualTo(SnapshotTest.WIDTH);
                assertThat(inline.getHeight()).isEqualTo(SnapshotTest.HEIGHT);
                assertThat(start.path("details").path("clip").asText())
                        .startsWith("http://127.0.0.1:8081/clip.mp4?camera=porch&from=");
                HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(snapshotUrl))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).isEqualTo(200);
                served = r.body();
            }
            assertThat(image(served).getWidth()).isEqualTo(SnapshotTest.WIDTH);

            await().atMost(Duration.ofSeconds(10)).until(() -> motionMails(smtp).size() >= 2);
            MimeMessage mail = motionMails(smtp).getFirst(); // the START's (health events' mails have no picture)
            Multipart parts = (Multipart) mail.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            String body = parts.getBodyPart(0).getContent().toString().replace("\r\n", "\n");
            assertThat(body).contains("Clip:       http://127.0.0.1:8081/clip.mp4?camera=porch&from=")
                    .contains("Snapshot:   attached (snapshot.jpg)");
            BodyPart attached = parts.getBodyPart(1);
            assertThat(attached.getFileName()).isEqualTo("snapshot.jpg");
            try (InputStream in = attached.getInputStream()) {
                assertThat(image(in.readAllBytes()).getHeight()).isEqualTo(SnapshotTest.HEIGHT);
            }
        } finally {
            hook.stop(0);
            smtp.stop();
        }
        List<JsonNode> motion = new ArrayList<>();
        for (String line : Files.readAllLines(events)) {
            JsonNode e = JSON.readTree(line);
            if (e.path("kind").asText().equals(Event.Kind.MOTION.name())) {
                motion.add(e);
            }
        }
        assertThat(motion).isNotEmpty().allSatisfy(e -> {
            assertThat(e.path("snapshot").asText()).endsWith("/snapshot.jpg");
            assertThat(e.path("details").path("clip").asText()).startsWith("http://127.0.0.1:8081/clip.mp4?");
        });
    }
}
