package io.streamtee.analyze.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.net.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SinkQueueTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(1), Duration.ofMillis(5));

    static Event event(int n) {
        return new Event("cam-" + n, "cam", Event.Kind.MOTION, Event.Phase.START, "motion " + n, List.of("porch"),
                1_790_000_000_000L + n, -1, 90_000L * n, -1, 0.1, List.of(new Event.Region(0.1, 0.2, 0.3, 0.4)), null,
                Map.of("frames", n));
    }

    /** Records what it was given, in order. */
    static class Recording implements EventSink {
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void deliver(Event event) {
            ids.add(event.id());
        }
    }

    /** Never returns from its first delivery until released. */
    static final class Hanging implements EventSink {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public String name() {
            return "hanging";
        }

        @Override
        public void deliver(Event event) throws InterruptedException {
            entered.countDown();
            release.await();
        }
    }

    @Test
    @Timeout(20)
    void aHangingSinkNeverHoldsUpTheAnalysisOrAnotherSink() throws Exception {
        Hanging hanging = new Hanging();
        Recording recording = new Recording();
        SinkQueue stuck = new SinkQueue(hanging, 100, 3, FAST, Duration.ofSeconds(10)).start();
        SinkQueue ok = new SinkQueue(recording, 2000, 3, FAST, Duration.ofSeconds(10)).start();
        stuck.offer(event(0));
        hanging.entered.await();

        for (int n = 1; n <= 1000; n++) { // offer never waits: this loop ends whatever the hanging sink does
            assertThat(stuck.offer(event(n))).isTrue();
            assertThat(ok.offer(event(n))).isTrue();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> recording.ids.size() == 1000);
        assertThat(recording.ids).first().isEqualTo("cam-1");
        assertThat(recording.ids).last().isEqualTo("cam-1000");
        assertThat(stuck.waiting()).isEqualTo(100);
        assertThat(stuck.dropped()).as("the oldest waiting events are dropped").isEqualTo(900);
        ok.close();
        stuck.close(Duration.ofMillis(100)); // gives up on the hanging delivery
        assertThat(stuck.delivered()).isZero();
    }

    @Test
    void aFailedDeliveryIsTriedAgainAfterABackoff() {
        AtomicInteger tries = new AtomicInteger();
        Recording recording = new Recording();
        EventSink flaky = new EventSink() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public void deliver(Event event) throws Exception {
                if (tries.incrementAndGet() <= 2) {
                    throw new java.io.IOException("connection refused");
                }
                recording.deliver(event);
            }
        };
        try (SinkQueue q = new SinkQueue(flaky, 10, 5, FAST, Duration.ofSeconds(10)).start()) {
            q.offer(event(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> q.delivered() == 1);
            assertThat(q.retried()).isEqualTo(2);
            assertThat(q.failed()).isZero();
            assertThat(recording.ids).containsExactly("cam-1");
        }
    }

    @Test
    void aDeliveryThatKeepsFailingIsGivenUpAndTheNextGoesOn() {
        Recording recording = new Recording();
        EventSink picky = new EventSink() {
            @Override
            public String name() {
                return "picky";
            }

            @Override
            public void deliver(Event event) throws Exception {
                if (event.id().equals("cam-1")) {
                    throw new IllegalStateException("500 Internal Server Error");
                }
                recording.deliver(event);
            }
        };
        try (SinkQueue q = new SinkQueue(picky, 10, 3, FAST, Duration.ofSeconds(10)).start()) {
            q.offer(event(1));
            q.offer(event(2));
            await().atMost(Duration.ofSeconds(5)).until(() -> q.delivered() == 1 && q.failed() == 1);
            assertThat(q.retried()).isEqualTo(2);
            assertThat(recording.ids).containsExactly("cam-2");
        }
    }

    @Test
    void closeDeliversWhatWaitsThenClosesTheSink() {
        AtomicInteger closed = new AtomicInteger();
        Recording recording = new Recording() {
            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
        SinkQueue q = new SinkQueue(recording, 100, 1, FAST, Duration.ofSeconds(10));
        for (int n = 1; n <= 50; n++) {
            q.offer(event(n));
        }
        q.start().close();
        assertThat(recording.ids).hasSize(50);
        assertThat(closed).hasValue(1);
        assertThat(q.offer(event(51))).as("closed").isFalse();
        q.close();
        assertThat(closed).hasValue(1);
    }

    @Test
    @Timeout(20)
    void aCooldownSuppressesMotionEventsButNeverHealthAndCountsWhatItSuppressed() throws Exception {
        Recording recording = new Recording();
        SinkQueue q = new SinkQueue(recording, 100, 1, FAST, Duration.ofSeconds(10), Duration.ofMinutes(5));
        assertThat(q.cooldown()).isEqualTo(Duration.ofMinutes(5));
        long t0 = CooldownTest.T0;
        for (int n = 0; n < 10; n++) { // a tree in the wind: an event every 20 s, 3 messages each
            String id = "tree-" + n;
            for (Event.Phase phase : Event.Phase.values()) {
                assertThat(q.offer(CooldownTest.motion(id, "porch", phase, t0 + n * 20_000L))).isTrue();
            }
            assertThat(q.offer(CooldownTest.health("health-" + n, Event.Phase.START, t0 + n * 20_000L))).isTrue();
        }
        assertThat(q.suppressed()).as("9 events of 3 messages").isEqualTo(27);
        assertThat(q.waiting()).isEqualTo(3 + 10);
        q.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> q.delivered() == 13);
        q.close();
        assertThat(recording.ids).filteredOn(id -> id.startsWith("tree")).containsExactly("tree-0", "tree-0",
                "tree-0");
        assertThat(recording.ids).filteredOn(id -> id.startsWith("health")).hasSize(10);
        assertThat(q.dropped()).isZero();
    }

    @Test
    void withoutACooldownNothingIsSuppressed() {
        Recording recording = new Recording();
        SinkQueue q = new SinkQueue(recording, 100, 1, FAST, Duration.ofSeconds(10));
        for (int n = 0; n < 10; n++) {
            q.offer(CooldownTest.motion("tree-" + n, "porch", Event.Phase.START, CooldownTest.T0 + n * 20_000L));
        }
        assertThat(q.suppressed()).isZero();
        assertThat(q.waiting()).isEqualTo(10);
        assertThat(q.cooldown()).isZero();
        q.close();
    }
}
