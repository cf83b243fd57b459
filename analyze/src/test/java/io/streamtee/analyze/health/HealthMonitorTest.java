package io.streamtee.analyze.health;

import static io.streamtee.analyze.health.HealthEvent.Kind.BITRATE_LOW;
import static io.streamtee.analyze.health.HealthEvent.Kind.CONTINUITY;
import static io.streamtee.analyze.health.HealthEvent.Kind.FORMAT_CHANGED;
import static io.streamtee.analyze.health.HealthEvent.Kind.PAT;
import static io.streamtee.analyze.health.HealthEvent.Kind.PCR;
import static io.streamtee.analyze.health.HealthEvent.Kind.PTS;
import static io.streamtee.analyze.health.HealthEvent.Kind.STREAM_LOST;
import static io.streamtee.analyze.health.HealthEvent.Kind.TIMESTAMP_JUMP;
import static io.streamtee.analyze.health.HealthEvent.Phase.END;
import static io.streamtee.analyze.health.HealthEvent.Phase.ONCE;
import static io.streamtee.analyze.health.HealthEvent.Phase.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.Tr101290;
import io.streamtee.ts.TsListener;
import io.streamtee.ts.TsPacket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int TICKS_PER_SECOND = 50;

    private final Link link = new Link(HealthSettings.DEFAULTS);
    private final Camera camera = new Camera(1, 10);

    /** Selects video packets with payload (the PCR-only packets carry none), each with probability {@code p}. */
    private static Predicate<byte[]> videoLoss(Random random, double p) {
        return b -> TsPacket.pid(b, 0) == Camera.VIDEO_PID && TsPacket.hasPayload(b, 0) && random.nextDouble() < p;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    @Test
    void cleanStreamHasNoEventsAndKnowsItsFacts() {
        link.send(camera, 10 * TICKS_PER_SECOND);
        assertThat(link.events).isEmpty();
        StreamFacts facts = link.monitor.facts();
        assertThat(facts.codec()).isEqualTo("h264");
        assertThat(facts.videoPid()).isEqualTo(Camera.VIDEO_PID);
        assertThat(facts.width()).isEqualTo(1920);
        assertThat(facts.height()).isEqualTo(1080);
        assertThat(facts.fps()).isEqualTo(25.0);
        // per second: 25 frames of 1500 B slices (9 packets each), 50 PCR, 100 audio (2 each), 50 null,
        // 20 PAT/PMT packets: 445 packets of 188 bytes, 669 kbit/s
        assertThat(facts.bitrate()).isBetween(650_000L, 690_000L);
    }

    @Test
    void theDemuxersCallbacksAreHandedOn() {
        int[] keyframes = {0};
        int[] frames = {0};
        int[] pmts = {0};
        HealthMonitor monitor = new HealthMonitor(HealthSettings.DEFAULTS, 0, e -> { }, new TsListener() {
            @Override
            public void onPmt(Pmt pmt) {
                pmts[0]++;
            }

            @Override
            public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
                frames[0]++;
                keyframes[0] += keyframe ? 1 : 0;
            }
        });
        for (int t = 0; t < 4 * TICKS_PER_SECOND; t++) {
            for (byte[] p : camera.next()) {
                monitor.onDatagram(p, 0, p.length, t * Camera.TICK_NANOS);
            }
        }
        // 100 frames, the last one's end is not yet known; a keyframe each second
        assertThat(frames[0]).isBetween(99, 100);
        assertThat(keyframes[0]).isEqualTo(4);
        assertThat(pmts[0]).isEqualTo(1);
    }

    @Test
    void randomLossIsOneContinuityEpisodeOnTheVideoPid() {
        link.send(camera, 60 * TICKS_PER_SECOND, videoLoss(new Random(7), 0.02));
        long lossEnd = link.nanos;
        link.send(camera, 15 * TICKS_PER_SECOND);

        List<HealthEvent> events = link.of(CONTINUITY);
        assertThat(link.events).as("%s", link.events).allMatch(e -> e.kind() == CONTINUITY);
        assertThat(events).extracting(HealthEvent::phase).containsExactly(START, END);
        assertThat(events).allMatch(e -> e.pid() == Camera.VIDEO_PID);
        HealthEvent start = events.get(0);
        HealthEvent end = events.get(1);
        long gaps = link.expectedVideoGaps();
        assertThat(gaps).isGreaterThan(150); // about 4.5 per second
        assertThat(end.count()).isEqualTo(gaps);
        assertThat(link.monitor.errors().count(Tr101290.Kind.CONTINUITY_COUNT_ERROR, Camera.VIDEO_PID))
                .isEqualTo(gaps);
        assertThat(start.count()).isEqualTo(1);
        assertThat(start.text()).isEqualTo("continuity errors on PID 256");
        assertThat(end.text()).matches("continuity errors on PID 256 ended \\(" + gaps + " in (59|60) s\\)");
        assertThat(seconds(start.nanos())).isLessThan(2);
        // the last error is within the last second of loss; the END comes 10 s (the quiet time) after it
        assertThat(seconds(end.nanos() - lossEnd)).isBetween(9.0, 10.02);
        assertThat(end.startNanos()).isEqualTo(start.nanos());
        assertThat(end.millis()).isEqualTo(end.nanos() / 1_000_000 + 1_000_000L);
        assertThat(end.pts()).isNotEqualTo(Timestamps.NONE);
    }

    @Test
    void lossOnEveryPidIsOneEpisodePerPid() {
        Random random = new Random(3);
        link.send(camera, 20 * TICKS_PER_SECOND, b -> TsPacket.hasPayload(b, 0) && random.nextDouble() < 0.02);
        link.send(camera, 15 * TICKS_PER_SECOND);
        List<HealthEvent> events = link.of(CONTINUITY);
        assertThat(events.stream().filter(e -> e.phase() == START).map(HealthEvent::pid))
                .containsExactlyInAnyOrder(0, Camera.VIDEO_PID, Camera.AUDIO_PID, Camera.PMT_PID);
        assertThat(events.stream().filter(e -> e.phase() == END).map(HealthEvent::pid))
                .containsExactlyInAnyOrder(0, Camera.VIDEO_PID, Camera.AUDIO_PID, Camera.PMT_PID);
    }

    @Test
    void aFlappingLinkIsOneStartAndOneEnd() {
        // a burst of three lost video packets at the start of every second, for 30 s
        for (int s = 0; s < 30; s++) {
            int[] n = {0};
            link.send(camera, 1, b -> TsPacket.pid(b, 0) == Camera.VIDEO_PID && TsPacket.hasPayload(b, 0)
                    && n[0]++ < 3);
            link.send(camera, TICKS_PER_SECOND - 1);
        }
        long lastBurst = link.nanos - SECOND;
        assertThat(link.monitor.activeProblems()).containsExactly(link.events.get(0));
        link.send(camera, 20 * TICKS_PER_SECOND);
        assertThat(link.monitor.activeProblems()).isEmpty();

        assertThat(link.events).extracting(HealthEvent::kind, HealthEvent::phase)
                .containsExactly(tuple(CONTINUITY, START),
                        tuple(CONTINUITY, END));
        HealthEvent end = link.events.get(1);
        assertThat(end.count()).isEqualTo(30);
        assertThat(end.text()).isEqualTo("continuity errors on PID 256 ended (30 in 29 s)");
        assertThat(seconds(end.nanos() - lastBurst)).isCloseTo(10.0, within(0.05));
    }

    @Test
    void aShorterQuietTimeSplitsTheFlappingIntoEpisodes() {
        Link quick = new Link(HealthSettings.DEFAULTS.withQuietTime(Duration.ofMillis(500)));
        for (int s = 0; s < 10; s++) {
            int[] n = {0};
            quick.send(camera, 1, b -> TsPacket.pid(b, 0) == Camera.VIDEO_PID && TsPacket.hasPayload(b, 0)
                    && n[0]++ < 3);
            quick.send(camera, TICKS_PER_SECOND - 1);
        }
        assertThat(quick.of(CONTINUITY).stream().filter(e -> e.phase() == START)).hasSize(10);
    }

    @Test
    void silenceIsStreamLostAndBackAndACameraRestartIsNoError() {
        link.send(camera, 10 * TICKS_PER_SECOND);
        long lastData = link.nanos - Camera.TICK_NANOS;
        link.silence(12_000);
        Camera restarted = new Camera(2, 5000); // new continuity counters, PCR and PTS
        link.send(restarted, 10 * TICKS_PER_SECOND);

        assertThat(link.events).as("%s", link.events).extracting(HealthEvent::kind).containsOnly(STREAM_LOST);
        assertThat(link.events).extracting(HealthEvent::phase).containsExactly(START, END);
        HealthEvent lost = link.events.get(0);
        HealthEvent back = link.events.get(1);
        assertThat(seconds(lost.nanos() - lastData)).isBetween(2.0, 2.1);
        assertThat(lost.startNanos()).isEqualTo(lastData);
        assertThat(lost.text()).isEqualTo("stream lost (no data for 2.0 s)");
        assertThat(back.text()).isEqualTo("stream back after 12 s");
        // reported once data has flowed for backConfirm (5 s by default); the text counts to the first datagram back
        assertThat(back.nanos() - lastData).isEqualTo(17 * SECOND);
        assertThat(back.durationMillis()).isEqualTo(17_000);
        assertThat(link.monitor.errors().total()).isZero();
        assertThat(link.monitor.lost()).isFalse();
        assertThat(link.monitor.activeProblems()).isEmpty();
    }

    @Test
    void withoutAnOutageTheSameRestartIsAContinuityProblem() {
        // control for the test above: the restart is seen as errors when the silence is too short to be an outage
        Link patient = new Link(HealthSettings.DEFAULTS.withLostAfter(Duration.ofSeconds(20)));
        patient.send(camera, 10 * TICKS_PER_SECOND);
        patient.silence(12_000);
        patient.send(new Camera(2, 5000), 10 * TICKS_PER_SECOND);
        assertThat(patient.of(STREAM_LOST)).isEmpty();
        assertThat(patient.of(CONTINUITY)).isNotEmpty();
    }

    @Test
    void aShortGapOfTheWholeStreamIsNoTimeoutProblem() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        link.silence(1500); // shorter than lostAfter, longer than the PAT, PMT and PTS limits; no packet lost
        link.send(camera, 15 * TICKS_PER_SECOND);
        assertThat(link.events).isEmpty();
        assertThat(link.monitor.errors().count(Tr101290.Kind.PAT_ERROR)).isEqualTo(1); // the demuxer counts it
    }

    @Test
    void outagesBeforeBackIsConfirmedAreOneEpisode() {
        Link confirm = new Link(HealthSettings.DEFAULTS.withBackConfirm(Duration.ofSeconds(5)));
        confirm.send(camera, 5 * TICKS_PER_SECOND);
        long lastData = confirm.nanos - Camera.TICK_NANOS;
        for (int i = 0; i < 5; i++) { // 3 s off, 1 s on
            confirm.silence(3000);
            confirm.send(camera, TICKS_PER_SECOND);
        }
        long resumed = confirm.nanos - TICKS_PER_SECOND * Camera.TICK_NANOS;
        confirm.send(camera, 10 * TICKS_PER_SECOND);
        List<HealthEvent> lost = confirm.of(STREAM_LOST);
        assertThat(lost).extracting(HealthEvent::phase).containsExactly(START, END);
        assertThat(lost.get(1).count()).isEqualTo(5);
        assertThat(lost.get(1).text()).isEqualTo("stream back after "
                + HealthMonitor.seconds(resumed - lastData) + " (5 outages)");
        assertThat(lost.get(1).nanos() - resumed).isEqualTo(5 * SECOND);
    }

    @Test
    void aResolutionChangeIsOneFormatEvent() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        camera.width = 1280;
        camera.height = 720;
        link.send(camera, 5 * TICKS_PER_SECOND);

        assertThat(link.events).as("%s", link.events).hasSize(1);
        HealthEvent e = link.events.get(0);
        assertThat(e.kind()).isEqualTo(FORMAT_CHANGED);
        assertThat(e.phase()).isEqualTo(ONCE);
        assertThat(e.pid()).isEqualTo(Camera.VIDEO_PID);
        assertThat(e.before().width()).isEqualTo(1920);
        assertThat(e.before().height()).isEqualTo(1080);
        assertThat(e.after().width()).isEqualTo(1280);
        assertThat(e.after().height()).isEqualTo(720);
        assertThat(e.text()).isEqualTo("format changed: h264 1920x1080 25 fps -> h264 1280x720 25 fps");
        assertThat(seconds(e.nanos())).isCloseTo(5.0, within(0.05)); // the first keyframe after the change
        assertThat(link.monitor.facts().width()).isEqualTo(1280);
    }

    @Test
    void aCameraThatRestartsWithAnotherSizeIsLostBackAndChanged() {
        Link link = new Link(HealthSettings.DEFAULTS.withBackConfirm(Duration.ZERO)); // "back" at the first datagram
        link.send(camera, 5 * TICKS_PER_SECOND);
        link.silence(5000);
        Camera restarted = new Camera(2, 100);
        restarted.width = 640;
        restarted.height = 360;
        link.send(restarted, 3 * TICKS_PER_SECOND);
        assertThat(link.events).extracting(HealthEvent::kind, HealthEvent::phase).containsExactly(
                tuple(STREAM_LOST, START),
                tuple(STREAM_LOST, END),
                tuple(FORMAT_CHANGED, ONCE));
        assertThat(link.events.get(2).text()).isEqualTo("format changed: h264 1920x1080 25 fps -> h264 640x360 25 fps");
        // the PTS of the event is the restarted camera's, 100 s plus a little, not the old one's
        assertThat(link.events.get(2).pts()).isBetween(100 * Timestamps.PTS_HZ, 101 * Timestamps.PTS_HZ);
    }

    @Test
    void aPcrJumpIsAPcrProblemOnThePcrPid() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        camera.pcrJump = 3 * Timestamps.PCR_HZ;
        link.send(camera, 15 * TICKS_PER_SECOND);
        assertThat(link.events).as("%s", link.events).extracting(HealthEvent::kind).containsOnly(PCR);
        assertThat(link.events).extracting(HealthEvent::phase).containsExactly(START, END);
        assertThat(link.events).allMatch(e -> e.pid() == Camera.VIDEO_PID);
        assertThat(link.events.get(1).text()).isEqualTo("PCR errors on PID 256 ended (1 in 0.0 s)");
        assertThat(link.monitor.errors().count(Tr101290.Kind.PCR_DISCONTINUITY_INDICATOR_ERROR, Camera.VIDEO_PID))
                .isEqualTo(1);
    }

    @Test
    void aPtsJumpIsATimestampProblemOnEachPid() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        camera.ptsJump = -30 * Timestamps.PTS_HZ; // back by 30 s; the PCR goes on
        link.send(camera, 5 * TICKS_PER_SECOND);
        camera.ptsJump = 0; // and forward again
        link.send(camera, 15 * TICKS_PER_SECOND);
        assertThat(link.events).as("%s", link.events).extracting(HealthEvent::kind).containsOnly(TIMESTAMP_JUMP);
        assertThat(link.events.stream().filter(e -> e.phase() == START).map(HealthEvent::pid))
                .containsExactlyInAnyOrder(Camera.VIDEO_PID, Camera.AUDIO_PID);
        assertThat(link.events.stream().filter(e -> e.phase() == END).map(HealthEvent::text))
                .containsExactlyInAnyOrder("timestamp jumps on PID 256 ended (2 in 5.0 s)",
                        "timestamp jumps on PID 257 ended (2 in 5.0 s)");
    }

    @Test
    void aMissingPatLastsUntilItComesBackAndStaysForTheQuietTime() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        long lastPat = link.nanos - 5 * Camera.TICK_NANOS;
        camera.sendPat = false;
        link.send(camera, 15 * TICKS_PER_SECOND);
        long patBack = link.nanos;
        camera.sendPat = true;
        link.send(camera, 15 * TICKS_PER_SECOND);

        assertThat(link.events).as("%s", link.events).extracting(HealthEvent::kind).containsOnly(PAT);
        assertThat(link.events).extracting(HealthEvent::phase).containsExactly(START, END);
        HealthEvent start = link.events.get(0);
        HealthEvent end = link.events.get(1);
        assertThat(start.pid()).isEqualTo(0);
        assertThat(start.text()).isEqualTo("PAT missing or invalid on PID 0");
        assertThat(seconds(start.nanos() - lastPat)).isBetween(0.5, 0.55);
        // not 10 s after the single PAT_error, while the PAT is still missing: 10 s after it came back
        assertThat(seconds(end.nanos() - patBack)).isCloseTo(10.0, within(0.05));
    }

    @Test
    void missingAudioPtsIsAPtsProblemOnTheAudioPid() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        camera.sendAudio = false;
        link.send(camera, 2 * TICKS_PER_SECOND);
        camera.sendAudio = true;
        link.send(camera, 15 * TICKS_PER_SECOND);
        assertThat(link.events).as("%s", link.events).extracting(HealthEvent::kind).containsOnly(PTS);
        assertThat(link.events).extracting(HealthEvent::phase).containsExactly(START, END);
        assertThat(link.events).allMatch(e -> e.pid() == Camera.AUDIO_PID);
    }

    @Test
    void aLowBitrateStartsAfterItsTimeAndEndsAfterTheQuietTime() {
        Link floor = new Link(HealthSettings.DEFAULTS.withBitrateFloor(500_000, Duration.ofSeconds(10)));
        floor.send(camera, 10 * TICKS_PER_SECOND);
        camera.frameBytes = 100; // about 300 kbit/s
        long dropAt = floor.nanos;
        floor.send(camera, 30 * TICKS_PER_SECOND);
        camera.frameBytes = 1500;
        long upAt = floor.nanos;
        floor.send(camera, 20 * TICKS_PER_SECOND);

        assertThat(floor.events).as("%s", floor.events).extracting(HealthEvent::kind).containsOnly(BITRATE_LOW);
        assertThat(floor.events).extracting(HealthEvent::phase).containsExactly(START, END);
        HealthEvent start = floor.events.get(0);
        HealthEvent end = floor.events.get(1);
        // the 5 s average crosses 500 kbit/s a few seconds after the drop; then 10 s below it
        assertThat(seconds(start.nanos() - dropAt)).isBetween(11.0, 15.0);
        assertThat(seconds(start.nanos() - start.startNanos())).isCloseTo(10.0, within(0.05));
        assertThat(start.text()).startsWith("bitrate below 500.0 kbit/s for 10 s (");
        assertThat(seconds(end.nanos() - upAt)).isBetween(10.0, 15.0);
        assertThat(end.text()).startsWith("bitrate back above 500.0 kbit/s after ");
    }

    @Test
    void noBitrateFloorByDefault() {
        camera.frameBytes = 10;
        link.send(camera, 30 * TICKS_PER_SECOND);
        assertThat(link.events).isEmpty();
    }

    // ---- hysteresis at the defaults, the format, the end, the metrics

    @Test
    void aFlappingLinkIsOneOutageAtTheDefaults() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        long lastData = link.nanos - Camera.TICK_NANOS;
        for (int i = 0; i < 5; i++) { // 3 s off, 1 s on: a flapping link
            link.silence(3000);
            link.send(camera, TICKS_PER_SECOND);
        }
        long resumed = link.nanos - TICKS_PER_SECOND * Camera.TICK_NANOS;
        link.send(camera, 10 * TICKS_PER_SECOND);
        assertThat(link.events).as("%s", link.events).extracting(HealthEvent::kind, HealthEvent::phase)
                .containsExactly(tuple(STREAM_LOST, START), tuple(STREAM_LOST, END));
        HealthEvent back = link.events.get(1);
        assertThat(back.count()).isEqualTo(5);
        assertThat(back.text()).isEqualTo("stream back after " + HealthMonitor.seconds(resumed - lastData)
                + " (5 outages)");
        assertThat(link.monitor.outagesTotal()).isEqualTo(5);
    }

    @Test
    void aFlappingResolutionIsTwoEventsNotSixty() {
        link.send(camera, 2 * TICKS_PER_SECOND);
        long firstChange = 0;
        for (int s = 0; s < 60; s++) { // another size at every keyframe (each second), for a minute
            camera.width = s % 2 == 0 ? 1280 : 1920;
            camera.height = s % 2 == 0 ? 720 : 1080;
            if (s == 0) {
                firstChange = link.nanos;
            }
            link.send(camera, TICKS_PER_SECOND);
        }
        long lastChange = link.nanos - TICKS_PER_SECOND * Camera.TICK_NANOS;
        link.send(camera, 15 * TICKS_PER_SECOND);

        assertThat(link.events).as("%s", link.events).extracting(HealthEvent::kind, HealthEvent::phase)
                .containsExactly(tuple(FORMAT_CHANGED, ONCE), tuple(FORMAT_CHANGED, ONCE));
        HealthEvent first = link.events.get(0);
        HealthEvent summary = link.events.get(1);
        assertThat(first.text()).isEqualTo("format changed: h264 1920x1080 25 fps -> h264 1280x720 25 fps");
        assertThat(seconds(first.nanos() - firstChange)).isLessThan(0.1);
        assertThat(summary.count()).isEqualTo(59);
        assertThat(summary.text()).isEqualTo("format changed 59 more times in 58 s: h264 1280x720 25 fps"
                + " -> h264 1920x1080 25 fps");
        assertThat(summary.before().width()).isEqualTo(1280);
        assertThat(summary.after().width()).isEqualTo(1920);
        // once the format has stayed put for the quiet time
        assertThat(seconds(summary.nanos() - lastChange)).isCloseTo(10.0, within(0.05));
        assertThat(link.monitor.formatChanges()).isEqualTo(60);
        assertThat(link.monitor.problemsStarted(FORMAT_CHANGED)).isEqualTo(2);
    }

    @Test
    void changesFurtherApartThanTheQuietTimeAreEachAnEvent() {
        link.send(camera, 2 * TICKS_PER_SECOND);
        for (int i = 0; i < 3; i++) {
            camera.width = i % 2 == 0 ? 1280 : 1920;
            camera.height = i % 2 == 0 ? 720 : 1080;
            link.send(camera, 11 * TICKS_PER_SECOND);
        }
        assertThat(link.events).extracting(HealthEvent::text).containsExactly(
                "format changed: h264 1920x1080 25 fps -> h264 1280x720 25 fps",
                "format changed: h264 1280x720 25 fps -> h264 1920x1080 25 fps",
                "format changed: h264 1920x1080 25 fps -> h264 1280x720 25 fps");
    }

    @Test
    void theFormatIsReportedOnceWhenFirstKnown() {
        link.send(camera, 10 * TICKS_PER_SECOND);
        link.silence(5000);
        link.send(new Camera(2, 100), 3 * TICKS_PER_SECOND); // back with the same format: not reported again
        assertThat(link.formats).hasSize(1);
        HealthEvent f = link.formats.get(0);
        assertThat(f.kind()).isEqualTo(HealthEvent.Kind.FORMAT);
        assertThat(f.phase()).isEqualTo(ONCE);
        assertThat(f.pid()).isEqualTo(Camera.VIDEO_PID);
        assertThat(f.text()).isEqualTo("stream format: h264 1920x1080 25 fps");
        assertThat(f.after().codec()).isEqualTo("h264");
        assertThat(f.after().width()).isEqualTo(1920);
        assertThat(seconds(f.nanos())).isLessThan(0.1); // the first keyframe, handed over at the second frame
        assertThat(link.monitor.problemsStarted(HealthEvent.Kind.FORMAT)).isEqualTo(1);
    }

    @Test
    void aStreamWithoutVideoSaysSoOnceAndIsOtherwiseHealthy() {
        camera.video = false;
        link.send(camera, 10 * TICKS_PER_SECOND);
        assertThat(link.events).isEmpty();
        assertThat(link.formats).extracting(HealthEvent::text).containsExactly(
                "stream format: no H.264 or H.265 video, no motion analysis (aac on PID 257)");
        assertThat(link.monitor.facts().codec()).isEqualTo("unknown");
        assertThat(link.monitor.facts().bitrate()).isPositive();
    }

    @Test
    void finishEndsEveryOpenEpisodeSayingTheAnalyzerStopped() {
        link.send(camera, 5 * TICKS_PER_SECOND, videoLoss(new Random(7), 0.05));
        camera.sendAudio = false; // PTS missing on the audio PID from now on
        link.send(camera, 2 * TICKS_PER_SECOND);
        assertThat(link.monitor.activeCount()).isEqualTo(2);
        long stop = link.nanos;
        link.monitor.finish(stop);

        assertThat(link.events).extracting(HealthEvent::kind, HealthEvent::phase).containsExactly(
                tuple(CONTINUITY, START), tuple(PTS, START), tuple(CONTINUITY, END), tuple(PTS, END));
        HealthEvent end = link.events.get(2);
        assertThat(end.nanos()).isEqualTo(stop);
        assertThat(end.text()).matches("continuity errors on PID 256 ended: analyzer stopped \\(\\d+ in \\d\\.\\d s\\)");
        assertThat(link.events.get(3).text()).startsWith("PTS missing on PID 257 ended: analyzer stopped (1 in ");
        assertThat(link.monitor.activeProblems()).isEmpty();
        assertThat(link.monitor.activeCount()).isZero();

        // nothing after it, and a second finish says nothing
        link.send(camera, 3 * TICKS_PER_SECOND, videoLoss(new Random(8), 0.5));
        link.monitor.finish(link.nanos);
        assertThat(link.events).hasSize(4);
    }

    @Test
    void finishWhileLostEndsTheOutage() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        long lastData = link.nanos - Camera.TICK_NANOS;
        link.silence(7000);
        link.monitor.finish(link.nanos);
        assertThat(link.events).extracting(HealthEvent::kind, HealthEvent::phase).containsExactly(
                tuple(STREAM_LOST, START), tuple(STREAM_LOST, END));
        assertThat(link.events.get(1).text()).isEqualTo("stream still lost when the analyzer stopped, after 7.0 s");
        assertThat(link.events.get(1).nanos() - lastData).isEqualTo(7 * SECOND);
    }

    @Test
    void finishSoonAfterTheStreamCameBackReportsItBack() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        link.silence(4000);
        link.send(camera, TICKS_PER_SECOND); // back, not yet confirmed (5 s)
        link.monitor.finish(link.nanos);
        assertThat(link.events).extracting(HealthEvent::text).containsExactly(
                "stream lost (no data for 2.0 s)", "stream back after 4.0 s");
    }

    @Test
    void theMetricsCountAcrossOutages() {
        link.send(camera, 20 * TICKS_PER_SECOND, videoLoss(new Random(7), 0.02));
        long gaps = link.expectedVideoGaps();
        link.silence(5000);
        link.send(new Camera(2, 100), 10 * TICKS_PER_SECOND, videoLoss(new Random(9), 0.02));
        long allGaps = link.expectedVideoGaps();
        assertThat(allGaps).isGreaterThan(gaps);
        // the demuxer's own counters start afresh after the outage; the monitor's go on
        assertThat(link.monitor.errors().count(Tr101290.Kind.CONTINUITY_COUNT_ERROR)).isEqualTo(allGaps - gaps);
        assertThat(link.monitor.errorCount(Tr101290.Kind.CONTINUITY_COUNT_ERROR)).isEqualTo(allGaps);
        // one episode: the errors went on within the quiet time of the outage's start
        assertThat(link.monitor.problemsStarted(CONTINUITY)).isEqualTo(1);
        assertThat(link.monitor.problemsStarted(STREAM_LOST)).isEqualTo(1);
        assertThat(link.monitor.outagesTotal()).isEqualTo(1);
        assertThat(link.monitor.datagrams()).isPositive();
        assertThat(link.monitor.bytes()).isGreaterThan(link.monitor.datagrams() * TsPacket.SIZE);
        assertThat(link.monitor.activeCount()).isEqualTo(1); // the continuity episode
    }

    @Test
    void garbageInTheStreamIsOneSyncEpisodeAndTheStreamGoesOn() {
        link.send(camera, 5 * TICKS_PER_SECOND);
        Random random = new Random(11);
        for (int i = 0; i < 20; i++) { // a second of datagrams of random bytes between the good ones
            byte[] junk = new byte[1 + random.nextInt(1400)];
            random.nextBytes(junk);
            link.monitor.onDatagram(junk, 0, junk.length, link.nanos);
            link.send(camera, 2);
        }
        link.send(camera, 15 * TICKS_PER_SECOND);

        List<HealthEvent> sync = link.of(HealthEvent.Kind.SYNC);
        assertThat(sync).as("%s", link.events).extracting(HealthEvent::phase).containsExactly(START, END);
        assertThat(sync.get(0).text()).isEqualTo("sync errors");
        assertThat(link.monitor.errorCount(Tr101290.Kind.TS_SYNC_LOSS)
                + link.monitor.errorCount(Tr101290.Kind.SYNC_BYTE_ERROR)).isEqualTo(sync.get(1).count());
        // whatever else the junk broke (a packet cut short by it), every problem ended and the stream is known
        assertThat(link.events.stream().filter(e -> e.phase() == START)).hasSize(link.events.size() / 2);
        assertThat(link.monitor.activeProblems()).isEmpty();
        assertThat(link.monitor.facts().width()).isEqualTo(1920);
        assertThat(link.formats).hasSize(1);
    }

    @Test
    void lostFramesDoNotChangeTheFrameRate() {
        camera.timing = false; // the rate only from the timestamps
        for (int s = 0; s < 20; s++) { // every second, one frame lost whole (all its packets)
            link.send(camera, 20);
            link.send(camera, 1, b -> TsPacket.pid(b, 0) == Camera.VIDEO_PID && TsPacket.hasPayload(b, 0));
            link.send(camera, TICKS_PER_SECOND - 21);
        }
        link.send(camera, 15 * TICKS_PER_SECOND);
        assertThat(link.of(FORMAT_CHANGED)).as("%s", link.events).isEmpty();
        assertThat(link.monitor.facts().fps()).isEqualTo(25.0);
        assertThat(link.formats).extracting(HealthEvent::text).containsExactly("stream format: h264 1920x1080 25 fps");
        assertThat(link.of(CONTINUITY)).isNotEmpty(); // the loss itself is seen, as continuity errors
    }

    @Test
    void aChangeWhoseFrameRateIsNotKnownYetWaitsForIt() {
        camera.timing = false; // as our camera: the rate only from the timestamps, learnt afresh after an outage
        link.send(camera, 5 * TICKS_PER_SECOND);
        link.silence(5000);
        Camera restarted = new Camera(2, 100);
        restarted.timing = false;
        restarted.width = 640;
        restarted.height = 360;
        link.send(restarted, 3 * TICKS_PER_SECOND);
        assertThat(link.formats).extracting(HealthEvent::text).containsExactly("stream format: h264 1920x1080 25 fps");
        assertThat(link.of(FORMAT_CHANGED)).extracting(HealthEvent::text)
                .containsExactly("format changed: h264 1920x1080 25 fps -> h264 640x360 25 fps");
        assertThat(link.of(FORMAT_CHANGED).get(0).after().fps()).isEqualTo(25.0);
    }
}
