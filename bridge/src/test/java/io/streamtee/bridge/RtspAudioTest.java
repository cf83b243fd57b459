package io.streamtee.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamtee.relay.Route;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.RtspServer;
import io.streamtee.testing.UdpReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A camera's audio next to its video, against gst-rtsp-server serving a 4 s H.264 High clip with B-frames and AAC
 * (MPEG4-GENERIC) or G.711 (PCMU): AAC comes out of the relay as an audio stream ffprobe reads, about as many packets
 * as the source's, the video frames unchanged; G.711 and {@code audio=drop} give video only, with a note.
 */
@Timeout(90)
class RtspAudioTest {
    private static final int COMPARED = 80; // the first 3.2 s of video (see RtspInputTest.COMPARED)
    @TempDir
    static Path dir;
    private static Path clip;
    private static Path wav;
    private static Path script;
    private static List<String> sourceFrames;
    private static int sourceAudioPackets;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void clip() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        RtspServer.assumeInstalled();
        clip = dir.resolve("av.ts");
        FfmpegJudge.check(FfmpegJudge.ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "4", "-pix_fmt", "yuv420p",
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25", "-c:a", "aac", "-b:a", "64k",
                "-ac", "1", "-f", "mpegts", clip.toString()));
        wav = dir.resolve("sine.wav");
        FfmpegJudge.check(FfmpegJudge.ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=8000", "-t", "4", "-ac", "1", wav.toString()));
        script = RtspServer.script(dir);
        sourceFrames = RtspInputTest.frameHashes(clip).subList(0, COMPARED);
        sourceAudioPackets = audioPts(clip).size();
        assertThat(sourceAudioPackets).isBetween(180, 200); // 4 s of 1024-sample frames at 48 kHz
    }

    @BeforeEach
    void watchLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(RtspInput.class)).addAppender(logs);
    }

    @AfterEach
    void close() throws Exception {
        ((Logger) LoggerFactory.getLogger(RtspInput.class)).detachAppender(logs);
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T use(T c) {
        open.add(c);
        return c;
    }

    private List<String> logLines() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The audio packets' PTS, in the order they are in the file. */
    private static List<Long> audioPts(Path ts) throws Exception {
        String out = FfmpegJudge.check(FfmpegJudge.ffprobe("-v", "error", "-select_streams", "a",
                "-show_entries", "packet=pts", "-of", "csv=p=0", ts.toString()));
        return out.lines().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.strip().split(",")[0])).toList();
    }

    /** The streams of a file as ffprobe sees them: {@code codec_type,codec_name} each. */
    private static List<String> streams(Path ts) throws Exception {
        String out = FfmpegJudge.check(FfmpegJudge.ffprobe("-v", "error", "-show_entries",
                "stream=index,codec_name,codec_type", "-of", "csv=p=0", ts.toString()));
        return out.lines().filter(l -> !l.isBlank()).map(String::strip).distinct().toList();
    }

    private static final String VIDEO = "filesrc location=%s ! tsdemux name=d d. ! queue ! h264parse"
            + " ! rtph264pay name=pay0 pt=96 config-interval=-1 ";
    private static final String AAC = "d. ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97";
    private static final String PCMU = "filesrc location=%s ! wavparse ! audioconvert ! audioresample"
            + " ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay name=pay1 pt=0";

    /** Relays the server's stream to UDP until its first session has ended (the clip's end); what came out. */
    private Path relayed(String pipeline, String query, String name) throws Exception {
        RtspServer server = use(RtspServer.serving(script, pipeline));
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Route route = use(RtspInputTest.relay("rtsp://127.0.0.1:" + server.port() + "/stream" + query, rx.url()))
                .routes().get(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> route.stats().inputCounters().get("reconnects") >= 1);
        Path captured = rx.writeTo(dir.resolve(name), 0);
        assertThat(Collections.indexOfSubList(RtspInputTest.frameHashes(captured), sourceFrames))
                .as("the video, frame for frame, in order").isGreaterThanOrEqualTo(0);
        return captured;
    }

    @Test
    void aacIsCopiedAsAnAudioStreamAndTheVideoIsUnchanged() throws Exception {
        Path captured = relayed(VIDEO.formatted(clip) + AAC, "", "aac.ts");
        assertThat(streams(captured)).containsExactly("0,h264,video", "1,aac,audio");
        assertThat(logLines()).anyMatch(l -> l.contains("receiving H.264 320x240 with AAC 48000 Hz over tcp"));
        // the first session's audio: up to where the times start again (the reconnected session)
        List<Long> pts = audioPts(captured);
        int first = 1;
        while (first < pts.size() && pts.get(first) > pts.get(first - 1)) {
            first++;
        }
        assertThat(first).as("audio packets of the first session, of %d in the source", sourceAudioPackets)
                .isBetween(sourceAudioPackets * 9 / 10, sourceAudioPackets);
        String errors = FfmpegJudge.check(FfmpegJudge.ffmpeg("-v", "error", "-i", captured.toString(), "-map", "0:a",
                "-f", "null", "-"));
        assertThat(errors).as("the audio decodes without errors").isBlank();
    }

    @Test
    void audioDropLeavesTheVideoOnly() throws Exception {
        Path captured = relayed(VIDEO.formatted(clip) + AAC, "?audio=drop", "dropped.ts");
        assertThat(streams(captured)).containsExactly("0,h264,video");
        assertThat(logLines()).anyMatch(l -> l.contains("receiving H.264 320x240 over tcp; audio not asked for"
                + " (audio=drop)"));
    }

    @Test
    void g711IsDroppedWithANoteAndTheVideoIsUnchanged() throws Exception {
        Path captured = relayed(VIDEO.formatted(clip) + PCMU.formatted(wav), "", "pcmu.ts");
        assertThat(streams(captured)).containsExactly("0,h264,video");
        assertThat(logLines()).anyMatch(l -> l.contains("receiving H.264 320x240 over tcp; audio (pcm_mulaw) dropped:"
                + " only AAC is copied"));
    }
}
