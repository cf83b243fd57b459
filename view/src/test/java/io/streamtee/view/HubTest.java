package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GOP cache, the per-viewer queues and the fan-out, without sockets. */
class HubTest {
    private static final int GOP = 10;

    /** Frame {@code n} of a stream with a keyframe every {@value #GOP}: its PTS is n * 3000. */
    private static Frame frame(int n) {
        byte[] au = {0, 0, 0, 1, (byte) (n % GOP == 0 ? 0x65 : 0x41), (byte) n};
        return Frame.of(Frame.CODEC_H264, n % GOP == 0, false, n * 3000L, 1_000_000L + n, au, au.length);
    }

    private static int number(Frame f) {
        return (int) (f.pts() / 3000);
    }

    private static List<Integer> drain(Subscriber s) {
        List<Integer> got = new ArrayList<>();
        for (Frame f = s.poll(); f != null; f = s.poll()) {
            got.add(number(f));
        }
        return got;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }

    @Test
    void aViewersQueueIsBoundedInBytesTooAndMovesOnAtTheNextKeyframe() {
        Subscriber s = new Subscriber(100, 10_000);
        byte[] big = new byte[3000];
        for (int n = 0; n < 5; n++) { // 4 frames of ~3 KB fit in 10 KB, the 5th does not
            big[4] = (byte) (n % GOP == 0 ? 0x65 : 0x41);
            s.offer(Frame.of(Frame.CODEC_H264, n == 0, false, n * 3000L, 0, big, big.length));
        }
        assertThat(s.skips()).as("full by bytes though 95 frames of room are left").isEqualTo(1);
        assertThat(s.waiting()).isZero();
        assertThat(s.waitingBytes()).isZero();
        s.offer(frame(GOP)); // the next keyframe starts it again
        assertThat(s.waiting()).isEqualTo(1);
        assertThat(s.waitingBytes()).isEqualTo(frame(GOP).message().length);
        assertThat(s.poll()).isNotNull();
        assertThat(s.waitingBytes()).isZero();
    }

    @Test
    void aViewerJoiningAtTheEndOfAGopAsLongAsItsQueueIsNotMovedOnByTheFirstLiveFrames() {
        Hub hub = new Hub(new GopCache(100, 1 << 20), GOP); // a queue as long as the GOP, as 120 frames of a 4 s GOP
        for (int n = 0; n < GOP; n++) {
            hub.publish(frame(n)); // the whole GOP cached: frames 0..9
        }
        Subscriber s = hub.join();
        for (int n = GOP; n < GOP + 3; n++) {
            hub.publish(frame(n)); // live frames before its sender has taken any
        }
        assertThat(s.skips()).as("moved to the next keyframe").isZero();
        assertThat(drain(s)).isEqualTo(range(0, GOP + 3));
    }

    @Test
    void theHeaderIsAsDocumented() {
        byte[] au = {0, 0, 0, 1, 0x65, 9, 8, 7};
        Frame f = Frame.of(Frame.CODEC_H264, true, true, 123_456_789_012L, 1_764_000_000_123L, au, 6);
        ByteBuffer b = ByteBuffer.wrap(f.message());
        assertThat(b.get(0)).isEqualTo((byte) 1);
        assertThat(b.get(1)).isEqualTo((byte) 3);
        assertThat(b.get(2)).isEqualTo((byte) 1);
        assertThat(b.getLong(4)).isEqualTo(123_456_789_012L);
        assertThat(b.getLong(12)).isEqualTo(1_764_000_000_123L);
        assertThat(f.message()).hasSize(Frame.HEADER + 6);
        byte[] payload = new byte[f.payload().remaining()];
        f.payload().get(payload);
        assertThat(payload).containsExactly(0, 0, 0, 1, 0x65, 9);
    }

    @Test
    void theCacheHoldsTheGopFromTheLastKeyframe() {
        GopCache cache = new GopCache(100, 1 << 20);
        for (int n = 5; n < 10; n++) {
            cache.add(frame(n)); // before any keyframe: nothing to start from
        }
        assertThat(cache.frames()).isEmpty();
        for (int n = 10; n < 24; n++) {
            cache.add(frame(n));
        }
        assertThat(cache.frames()).extracting(HubTest::number).containsExactlyElementsOf(range(20, 24));
        assertThat(cache.bytes()).isEqualTo(4L * (Frame.HEADER + 6));
    }

    @Test
    void aGopPastTheBoundIsDroppedUntilTheNextKeyframe() {
        GopCache cache = new GopCache(6, 1 << 20);
        for (int n = 0; n < 15; n++) {
            cache.add(frame(n));
        }
        assertThat(cache.overflows()).isEqualTo(1);
        assertThat(cache.frames()).extracting(HubTest::number).containsExactlyElementsOf(range(10, 15));
        GopCache bytes = new GopCache(100, 3L * (Frame.HEADER + 6));
        for (int n = 0; n < 5; n++) {
            bytes.add(frame(n));
        }
        assertThat(bytes.frames()).isEmpty();
        assertThat(bytes.overflows()).isEqualTo(1);
    }

    @Test
    void aViewerJoiningMidGopGetsTheGopThenEveryLiveFrame() {
        Hub hub = Hub.withDefaults(64);
        for (int n = 0; n < 17; n++) {
            hub.publish(frame(n));
        }
        Subscriber late = hub.join();
        for (int n = 17; n < 35; n++) {
            hub.publish(frame(n));
        }
        assertThat(drain(late)).containsExactlyElementsOf(range(10, 35));
        assertThat(late.skips()).isZero();
        assertThat(late.framesDropped()).isZero();
    }

    /** The page shows none of the cached GOP but its last frame: the server tells it how many there are. */
    @Test
    void aJoiningViewerKnowsHowManyFramesAreTheCachedGop() {
        Hub hub = new Hub(new GopCache(100, 1 << 20), 8);
        Subscriber early = hub.join();
        assertThat(early.cachedAtJoin()).as("nothing cached yet").isZero();
        for (int n = 0; n < 14; n++) {
            hub.publish(frame(n));
        }
        Subscriber mid = hub.join();
        assertThat(mid.cachedAtJoin()).isEqualTo(4); // 10, 11, 12, 13
        hub.publish(frame(14));
        assertThat(mid.cachedAtJoin()).as("live frames after the join are not counted").isEqualTo(4);
        assertThat(drain(mid)).containsExactlyElementsOf(range(10, 15));
        for (int n = 15; n < 19; n++) {
            hub.publish(frame(n));
        }
        assertThat(hub.join().cachedAtJoin()).as("a GOP longer than the queue: it waits for a keyframe").isZero();
    }

    @Test
    void aStalledViewerIsMovedToTheNextKeyframeAndCountedWhileTheOthersGetEveryFrame() {
        Hub hub = Hub.withDefaults(8);
        Subscriber stalled = hub.join();
        List<Subscriber> others = List.of(hub.join(), hub.join(), hub.join());
        List<List<Integer>> got = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int n = 0; n < 36; n++) {
            hub.publish(frame(n));
            for (int i = 0; i < others.size(); i++) {
                got.get(i).addAll(drain(others.get(i))); // these keep up
            }
        }
        for (List<Integer> g : got) {
            assertThat(g).containsExactlyElementsOf(range(0, 36));
        }
        // the stalled one filled its 8 at frames 0..7, overflowed at 8, restarted at 10, overflowed at 18, 28
        assertThat(stalled.skips()).isEqualTo(3);
        assertThat(hub.skips()).isEqualTo(3);
        assertThat(stalled.framesDropped() + stalled.waiting()).isEqualTo(36);
        assertThat(drain(stalled)).containsExactlyElementsOf(range(30, 36)); // from a keyframe on, contiguous
        for (Subscriber o : others) {
            assertThat(o.skips()).isZero();
        }
        // once it reads again it goes on with every frame
        for (int n = 36; n < 44; n++) {
            hub.publish(frame(n));
        }
        assertThat(drain(stalled)).containsExactlyElementsOf(range(36, 44));
        assertThat(stalled.skips()).isEqualTo(3);
    }

    @Test
    void aKeyframeThatFindsTheQueueFullStartsItAgain() {
        Subscriber s = new Subscriber(4);
        for (int n = 6; n < 11; n++) { // 6..9 wait for a keyframe, so start at 0
            s.offer(frame(n - 6));
        }
        // 0..3 queued, 4 overflowed: waiting for a keyframe
        assertThat(s.skips()).isEqualTo(1);
        Subscriber t = new Subscriber(3);
        for (int n = 7; n < 11; n++) {
            t.offer(frame(n == 7 ? 0 : n)); // 0, 8, 9 fill it; keyframe 10 finds it full
        }
        assertThat(t.skips()).isEqualTo(1);
        assertThat(drain(t)).containsExactly(10);
        assertThat(t.framesDropped()).isEqualTo(3);
    }

    @Test
    void aViewerThatLeavesGetsNothingMoreAndItsSkipsStayCounted() {
        Hub hub = Hub.withDefaults(2);
        Subscriber s = hub.join();
        for (int n = 0; n < 5; n++) {
            hub.publish(frame(n));
        }
        assertThat(s.skips()).isEqualTo(1);
        hub.leave(s);
        hub.leave(s);
        drain(s);
        hub.publish(frame(10));
        assertThat(s.waiting()).isZero();
        assertThat(hub.viewers()).isZero();
        assertThat(hub.skips()).isEqualTo(1);
    }

    @Test
    void afterTheCameraRestartsAViewerGetsTheNewStreamFromItsFirstKeyframeAndTheCacheOnlyTheNewStream() {
        Hub hub = Hub.withDefaults(64);
        Subscriber s = hub.join();
        for (int n = 0; n < 15; n++) {
            hub.publish(frame(n));
        }
        assertThat(drain(s)).containsExactlyElementsOf(range(0, 15));
        hub.reset(); // the new stream's first frames come before its first keyframe (joined mid-GOP)
        for (int n = 101; n < 110; n++) {
            hub.publish(frame(n));
        }
        assertThat(hub.cachedFrames()).isZero();
        assertThat(drain(s)).as("no frame of the new stream before its keyframe").isEmpty();
        for (int n = 200; n < 203; n++) {
            hub.publish(frame(n));
        }
        assertThat(drain(s)).containsExactly(200, 201, 202);
        assertThat(hub.cached()).extracting(HubTest::number).containsExactly(200, 201, 202);
        assertThat(s.skips()).isZero();
    }
}
