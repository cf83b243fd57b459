package io.streamtee.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.relay.Route;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.RtspServer;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.ts.Pes;
import io.streamtee.ts.TsPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No drift over 60 s (the suite's one long test): gst-rtsp-server serves a 62 s H.264 High clip with B-frames at real
 * time; the relay's output carries every frame once, with rising DTS, and its times keep pace with the wall clock: the
 * slope of the frames' DTS against their arrival (least squares, after the first 2 s) is 1 within 0.1 %.
 */
class RtspDriftTest {
    private static final int SECONDS = 62;
    private static final int FPS = 25;
    @TempDir
    Path dir;

    /** One video access unit of the relay's output: its PES times (90 kHz) and when its first datagram came. */
    record Unit(long pts, long dts, long arrivalNanos) {
    }

    /** The video access units of the first MPEG-TS stream in the datagrams (up to the next muxer's discontinuity). */
    static List<Unit> firstSession(List<UdpReceiver.Datagram> datagrams) {
        List<Unit> units = new ArrayList<>();
        int videoPid = -1;
        for (UdpReceiver.Datagram d : datagrams) {
            byte[] b = d.bytes();
            for (int off = 0; off + TsPacket.SIZE <= b.length; off += TsPacket.SIZE) {
                int pid = TsPacket.pid(b, off);
                if (pid == videoPid && TsPacket.hasAdaptationField(b, off) && TsPacket.discontinuity(b, off)
                        && !units.isEmpty()) {
                    return units; // the input connected again: a new muxer
                }
                if (!TsPacket.payloadUnitStart(b, off) || !TsPacket.hasPayload(b, off)) {
                    continue;
                }
                int p = TsPacket.payloadOffset(b, off);
                boolean videoPes = p >= 0 && p + 19 <= off + TsPacket.SIZE && b[p] == 0 && b[p + 1] == 0
                        && b[p + 2] == 1 && (b[p + 3] & 0xF0) == 0xE0;
                if (!videoPes || videoPid >= 0 && pid != videoPid) {
                    continue;
                }
                videoPid = pid;
                int flags = (b[p + 7] & 0xC0) >> 6;
                long pts = Pes.readTimestamp(b, p + 9);
                long dts = flags == 3 ? Pes.readTimestamp(b, p + 14) : pts;
                units.add(new Unit(pts, dts, d.receivedNanos()));
            }
        }
        return units;
    }

    @Test
    @Timeout(180)
    void sixtySecondsOfRtspKeepPaceWithTheWallClockFrameForFrame() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        RtspServer.assumeInstalled();
        Path clip = FfmpegJudge.encode(dir.resolve("long.ts"), "testsrc2=size=320x240:rate=" + FPS, SECONDS,
                "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-bf", "2", "-g", "50");
        int sourceFrames = FfmpegJudge.frames(clip);
        assertThat(sourceFrames).isEqualTo(SECONDS * FPS);
        Path script = RtspServer.script(dir);
        try (RtspServer server = RtspServer.start(script, clip, 0, null);
                UdpReceiver rx = UdpReceiver.open("127.0.0.1");
                var relay = RtspInputTest.relay("rtsp://127.0.0.1:" + server.port() + "/stream", rx.url())) {
            Route route = relay.routes().get(0);
            await().atMost(Duration.ofSeconds(SECONDS + 40)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> route.stats().inputCounters().get("reconnects") >= 1);
            List<Unit> units = firstSession(rx.timed());

            assertThat(units).as("every frame of the clip, once").hasSize(sourceFrames);
            for (int i = 1; i < units.size(); i++) {
                assertThat(units.get(i).dts()).as("DTS rising at frame %d", i).isGreaterThan(units.get(i - 1).dts());
                assertThat(units.get(i).pts()).as("PTS not before DTS at frame %d", i)
                        .isGreaterThanOrEqualTo(units.get(i).dts());
            }
            // least squares of stream time against arrival time, over the minute after the first 2 s (at the start
            // the first GOP waits for its times, see MissingTimes, and comes out at once: a start, not a drift)
            List<Unit> steady = units.subList(2 * FPS, units.size());
            long t0 = steady.get(0).arrivalNanos();
            long d0 = steady.get(0).dts();
            double sx = 0;
            double sy = 0;
            double sxx = 0;
            double sxy = 0;
            int n = steady.size();
            for (Unit u : steady) {
                double x = (u.arrivalNanos() - t0) / 1e9;
                double y = (u.dts() - d0) / 90_000.0;
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
            }
            double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
            double span = (units.get(units.size() - 1).dts() - units.get(0).dts()) / 90_000.0;
            assertThat(span).as("stream time covered, s").isBetween(SECONDS - 1.0, SECONDS + 0.0);
            assertThat(slope).as("stream seconds per wall-clock second").isBetween(0.999, 1.001);
            System.out.printf("RTSP drift over %.1f s: slope %.6f, %d frames%n", span, slope, units.size());
        }
    }
}
