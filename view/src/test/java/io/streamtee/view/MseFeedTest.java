package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.media.Fmp4Writer;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.TsDemux;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MSE feed without sockets: frames of a libx264 stream published to a {@link Hub}, MSE viewers joining the feed
 * in the middle of a GOP, what they get appended into a file the way the page appends it, and that file read back by
 * ffprobe.
 */
@Timeout(60)
class MseFeedTest {
    private static final int GOP = 25;

    @TempDir
    Path dir;

    @Test
    void viewersJoiningMidGopGetTheInitSegmentAndTheCachedGopFromItsKeyframe() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        List<Frame> frames = frames(FfmpegJudge.testPattern(dir.resolve("high.ts"), 320, 240, 25, 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", String.valueOf(GOP)));
        assertThat(frames).hasSize(100);
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (MseFeed feed = new MseFeed(hub, ViewCommand.QUEUE)) {
            for (Frame f : frames.subList(0, 40)) { // the second GOP, 15 frames in: nothing muxed yet
                hub.publish(f);
            }
            assertThat(feed.hub().frames()).as("no MSE viewer yet: no muxing").isZero();
            Subscriber first = feed.join();
            List<Frame> got = take(first, 15); // the cached GOP at once, keyframe first
            assertThat(got.get(0).keyframe()).isTrue();
            assertThat(got.get(0).pts()).isEqualTo(frames.get(GOP).pts());
            assertThat(got).extracting(MseFeed::kind).containsOnly(MseFeed.KIND_FRAGMENT);
            assertThat(got).extracting(MseFeed::generation).containsOnly(1);

            for (Frame f : frames.subList(40, 60)) { // the third GOP, 10 frames in
                hub.publish(f);
            }
            got.addAll(take(first, 20));
            Subscriber second = feed.join();
            List<Frame> late = take(second, 10);
            assertThat(late.get(0).pts()).as("the second viewer starts at the third GOP's keyframe")
                    .isEqualTo(frames.get(2 * GOP).pts());
            for (Frame f : frames.subList(60, 100)) {
                hub.publish(f);
            }
            got.addAll(take(first, 40));
            late.addAll(take(second, 40));

            Frame init = feed.init(1);
            assertThat(MseFeed.kind(init)).isEqualTo(MseFeed.KIND_INIT);
            assertThat(new String(init.message(), MseFeed.HEADER + 4, 4, "US-ASCII")).isEqualTo("ftyp");
            for (int i = 0; i < got.size(); i++) {
                Frame source = frames.get(GOP + i);
                assertThat(got.get(i).pts()).as("fragment %d", i).isEqualTo(source.pts());
                assertThat(got.get(i).receivedMs()).isEqualTo(source.receivedMs());
                assertThat(got.get(i).keyframe()).isEqualTo(source.keyframe());
            }
            Path whole = append(dir.resolve("first.mp4"), init, got);
            assertThat(FfmpegJudge.decodeErrors(whole)).isEmpty();
            assertThat(FfmpegJudge.frames(whole)).isEqualTo(75);
            Path joined = append(dir.resolve("second.mp4"), init, late);
            assertThat(FfmpegJudge.decodeErrors(joined)).isEmpty();
            assertThat(FfmpegJudge.frames(joined)).isEqualTo(50);
            assertThat(FfmpegJudge.probe(joined, "stream=start_time")).isEqualTo(
                    String.format("%.6f", frames.get(2 * GOP).pts() / 90_000.0));
            assertThat(first.skips() + second.skips()).isZero();
            assertThat(feed.errors()).isZero();
        }
    }

    @Test
    void aNewResolutionGetsANewGeneration() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        List<Frame> small = frames(FfmpegJudge.testPattern(dir.resolve("small.ts"), 320, 240, 25, 1,
                "-c:v", "libx264", "-g", "10"));
        List<Frame> big = frames(FfmpegJudge.testPattern(dir.resolve("big.ts"), 640, 360, 25, 1,
                "-c:v", "libx264", "-g", "10"));
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (MseFeed feed = new MseFeed(hub, ViewCommand.QUEUE)) {
            Subscriber viewer = feed.join();
            small.forEach(hub::publish);
            hub.reset();
            big.forEach(hub::publish);
            List<Frame> got = take(viewer, 50);
            assertThat(got.subList(0, 25)).extracting(MseFeed::generation).containsOnly(1);
            assertThat(got.subList(25, 50)).extracting(MseFeed::generation).containsOnly(2);
            assertThat(got.get(25).keyframe()).isTrue();
            Path second = append(dir.resolve("big.mp4"), feed.init(2), got.subList(25, 50));
            assertThat(FfmpegJudge.stream(second).width()).isEqualTo(640);
            assertThat(FfmpegJudge.stream(second).frames()).isEqualTo(25);
        }
    }

    /**
     * The muxer fails with an exception that is not libavformat's (here its writer is already closed: an
     * IllegalStateException): the feed counts it and starts again with a new writer at the next keyframe, and the
     * connected viewer gets the stream from there (its muxing thread does not die, leaving viewers with nothing).
     */
    @Test
    void anUnexpectedFailureOfTheMuxerStartsAgainAtTheNextKeyframe() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        List<Frame> frames = frames(FfmpegJudge.testPattern(dir.resolve("gop.ts"), 320, 240, 25, 2,
                "-c:v", "libx264", "-bf", "0", "-g", "10"));
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        int[] made = {0};
        Supplier<Fmp4Writer> writers = () -> {
            Fmp4Writer w = new Fmp4Writer();
            if (made[0]++ == 0) {
                w.close(); // the first one fails at its first access unit
            }
            return w;
        };
        try (MseFeed feed = new MseFeed(hub, ViewCommand.QUEUE, writers)) {
            Subscriber viewer = feed.join();
            frames.forEach(hub::publish);
            List<Frame> got = take(viewer, 40); // from the second keyframe on
            assertThat(got.get(0).keyframe()).isTrue();
            assertThat(got.get(0).pts()).isEqualTo(frames.get(10).pts());
            assertThat(feed.errors()).isEqualTo(1);
            Path file = append(dir.resolve("again.mp4"), feed.init(MseFeed.generation(got.get(0))), got);
            assertThat(FfmpegJudge.decodeErrors(file)).isEmpty();
            assertThat(FfmpegJudge.frames(file)).isEqualTo(40);
        }
    }

    /**
     * A camera hub with queues of 300 frames (for long GOPs) and 200 frames cached since its keyframe: the server's
     * MSE feed gives its viewers queues as long as the camera's, so the first MSE viewer starts at once from the cached
     * GOP, as a WebCodecs viewer does, instead of waiting for the next keyframe.
     */
    @Test
    void theServersMseViewersGetQueuesAsLongAsTheCamerasAndStartAtOnceWithALongGop() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        List<Frame> frames = frames(FfmpegJudge.testPattern(dir.resolve("long.ts"), 160, 120, 25, 8,
                "-c:v", "libx264", "-bf", "0", "-g", "250"));
        Hub hub = Hub.withDefaults(300);
        frames.forEach(hub::publish);
        assertThat(hub.cachedFrames()).isEqualTo(200);
        ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)); // not started
        try (MseFeed feed = server.mse()) {
            List<Frame> got = take(feed.join(), 200);
            assertThat(got.get(0).keyframe()).isTrue();
            assertThat(got.get(0).pts()).isEqualTo(frames.get(0).pts());
        } finally {
            server.close();
        }
    }

    /** The stream's access units as the viewer's frames, received one 40 ms apart. */
    static List<Frame> frames(Path ts) throws Exception {
        byte[] bytes = Files.readAllBytes(ts);
        List<Frame> frames = new ArrayList<>();
        AccessUnitAssembler assembler = new AccessUnitAssembler(au -> frames.add(Frame.of(au,
                1_700_000_000_000L + 40L * frames.size())));
        TsDemux demux = new TsDemux(assembler);
        demux.feed(bytes, 0, bytes.length);
        demux.flush();
        assembler.flush();
        return frames;
    }

    private static List<Frame> take(Subscriber s, int n) {
        List<Frame> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Frame f;
            while (got.size() < n && (f = s.poll()) != null) {
                got.add(f);
            }
            return got.size() == n;
        });
        return got;
    }

    /** Appends the messages' fMP4 bytes as the page appends them to its SourceBuffer. */
    private static Path append(Path file, Frame init, List<Frame> fragments) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer i = ByteBuffer.wrap(init.message());
        out.write(init.message(), MseFeed.HEADER, i.remaining() - MseFeed.HEADER);
        for (Frame f : fragments) {
            out.write(f.message(), MseFeed.HEADER, f.message().length - MseFeed.HEADER);
        }
        return Files.write(file, out.toByteArray());
    }
}
