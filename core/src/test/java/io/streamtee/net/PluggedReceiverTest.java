package io.streamtee.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.input.InputFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link UdpReceiver} on a plugged input (an {@code rtsp://} URL served by {@link Scripted}, registered for the
 * tests in {@code META-INF/services}): no socket; the input's datagrams reach the listener through the same checks,
 * signals and counters as a socket's; a full queue drops and counts; close closes the input. No sockets at all.
 */
@Timeout(30)
class PluggedReceiverTest {
    static final AtomicReference<Scripted.Running> LAST = new AtomicReference<>();

    /** An input the test drives: it hands the sink whatever the test pushes, and counts its pushes. */
    public static final class Scripted implements InputFactory {
        @Override
        public Set<String> schemes() {
            return Set.of("rtsp");
        }

        @Override
        public Input start(String route, Endpoint endpoint, DatagramSink sink) {
            Running r = new Running(route, sink);
            LAST.set(r);
            return r;
        }

        static final class Running implements Input {
            final String route;
            final DatagramSink sink;
            final AtomicBoolean closed = new AtomicBoolean();
            volatile long pushes;

            Running(String route, DatagramSink sink) {
                this.route = route;
                this.sink = sink;
            }

            void push(List<byte[]> batch) {
                pushes++;
                sink.accept(batch);
            }

            @Override
            public Map<String, Long> counters() {
                Map<String, Long> m = new LinkedHashMap<>();
                m.put("connects", 1L);
                m.put("pushes", pushes);
                return m;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        }
    }

    private static byte[] ts(int packets) {
        byte[] d = new byte[188 * packets];
        for (int i = 0; i < packets; i++) {
            d[188 * i] = 0x47;
        }
        return d;
    }

    private static UdpReceiver receiver(UdpReceiver.Listener heard) {
        return new UdpReceiver(Endpoint.parse("rtsp://admin:secret@127.0.0.1:8554/stream", Endpoint.Role.INPUT),
                UdpReceiver.Options.of("recorder").withStoppedAfter(Duration.ofMillis(300)), heard);
    }

    @Test
    void theInputsDatagramsGoThroughTheSameChecksSignalsAndCounters() {
        UdpReceiverTest.Heard heard = new UdpReceiverTest.Heard();
        Scripted.Running input;
        try (UdpReceiver in = receiver(heard).start()) {
            input = LAST.get();
            assertThat(input.route).isEqualTo("recorder");
            assertThat(in.localAddress()).isNull();
            assertThat(in.where()).isEqualTo("taken from the rtsp:// input");
            byte[] reused = ts(7);
            input.push(List.of(reused, ts(7), new byte[100]));
            reused[0] = 0; // the sink copied it
            await().atMost(Duration.ofSeconds(5)).until(() -> in.stats().datagrams() == 3);
            UdpReceiver.Stats s = in.stats();
            assertThat(heard.bytes.get()).isEqualTo(2 * 1316);
            assertThat(s.accepted()).isEqualTo(2);
            assertThat(s.dropped(UdpReceiver.Drop.NOT_TS)).isEqualTo(1);
            assertThat(s.input()).containsExactly(Map.entry("connects", 1L), Map.entry("pushes", 1L));
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.events.contains("stopped"));
            input.push(List.of(ts(7)));
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.events.contains("back"));
            assertThat(heard.ticks.get()).isPositive();
        }
        assertThat(input.closed).isTrue();
        assertThat(heard.events).containsSubsequence("stopped", "back").last().isEqualTo("end");
        input.push(List.of(ts(7))); // after close: nothing more reaches the listener
        assertThat(heard.bytes.get()).isEqualTo(3 * 1316);
    }

    @Test
    void aFullQueueDropsAndCountsWhileTheListenerIsBusy() {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        UdpReceiver.Listener busy = new UdpReceiver.Listener() {
            @Override
            public void onData(byte[] buf, int off, int len, long nanos) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (UdpReceiver in = receiver(busy).start()) {
            Scripted.Running input = LAST.get();
            input.push(List.of(ts(7)));
            await().atMost(Duration.ofSeconds(5)).until(() -> inside.getCount() == 0);
            List<byte[]> many = new ArrayList<>();
            for (int i = 0; i < UdpReceiver.QUEUE + 50; i++) {
                many.add(ts(7));
            }
            input.push(many);
            assertThat(in.stats().dropped(UdpReceiver.Drop.QUEUE_FULL)).isEqualTo(50);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> in.stats().accepted() == 1 + UdpReceiver.QUEUE);
            UdpReceiver.Stats s = in.stats();
            assertThat(s.datagrams()).isEqualTo(1 + UdpReceiver.QUEUE + 50);
            assertThat(s.bytes()).isEqualTo((1L + UdpReceiver.QUEUE + 50) * 1316);
            assertThat(s.dropped()).isEqualTo(50);
        }
    }

    @Test
    void anOfferedBatchIsTakenWholeOrRefusedWholeAndARefusalIsNoDrop() {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        UdpReceiver.Listener busy = new UdpReceiver.Listener() {
            @Override
            public void onData(byte[] buf, int off, int len, long nanos) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (UdpReceiver in = receiver(busy).start()) {
            Scripted.Running input = LAST.get();
            input.push(List.of(ts(7)));
            await().atMost(Duration.ofSeconds(5)).until(() -> inside.getCount() == 0);
            List<byte[]> most = new ArrayList<>();
            for (int i = 0; i < UdpReceiver.QUEUE - 10; i++) {
                most.add(ts(7));
            }
            assertThat(input.sink.offer(most)).isTrue();
            List<byte[]> eleven = new ArrayList<>(most.subList(0, 11));
            assertThat(input.sink.offer(eleven)).isFalse(); // 10 places left: none of the 11 taken
            assertThat(input.sink.offer(eleven.subList(0, 10))).isTrue();
            assertThat(in.stats().dropped()).isZero();
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> in.stats().accepted() == 1 + UdpReceiver.QUEUE);
            assertThat(in.stats().datagrams()).isEqualTo(1 + UdpReceiver.QUEUE);
            assertThat(input.sink.offer(eleven)).isTrue();
        }
    }

    @Test
    void aSchemeNoInputServesIsOneLineNamingTheUrlMasked() {
        assertThatThrownBy(() -> new UdpReceiver(Endpoint.parse("srt://127.0.0.1:9000?passphrase=0123456789ab",
                Endpoint.Role.INPUT), UdpReceiver.Options.of("viewer"), new UdpReceiverTest.Heard()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("srt://127.0.0.1:9000?passphrase=***: no input for srt:// here (this build takes udp://,"
                        + " rtsp://)");
    }
}
