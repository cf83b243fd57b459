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
        assertThat(back.nanos() - lastData).isEqualTo(12 * SECOND);
        assertThat(back.durationMillis()).isEqualTo(12_000);
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
}
