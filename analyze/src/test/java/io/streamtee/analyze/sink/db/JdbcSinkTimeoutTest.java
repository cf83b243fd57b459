package io.streamtee.analyze.sink.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.net.Backoff;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A database server that takes the connection and then never answers (a hung PostgreSQL, a firewall that swallows
 * packets): the login timeout fails the delivery, and the sink's queue never holds up another sink.
 */
@Timeout(60)
class JdbcSinkTimeoutTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));

    private ServerSocket silent;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private Thread acceptor;

    @BeforeEach
    void startSilentServer() throws Exception {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon().name("silent server").start(() -> {
            while (!silent.isClosed()) {
                try {
                    accepted.add(silent.accept()); // read nothing, answer nothing
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stopSilentServer() throws Exception {
        silent.close();
        for (Socket s : accepted) {
            s.close();
        }
        acceptor.join(Duration.ofSeconds(5));
    }

    private String url() {
        return "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/cams?user=cam&loginTimeout=1";
    }

    @Test
    void aServerThatNeverAnswersFailsTheDeliveryAfterTheDefaultLoginTimeout() {
        JdbcSink sink = JdbcSink.parse("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/cams?user=cam",
                name -> null);
        long started = System.nanoTime();
        assertThatThrownBy(() -> sink.deliver(Events.start("fd-1"))).isInstanceOf(SQLException.class)
                .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(DbTarget.LOGIN_TIMEOUT_S - 1))
                .isLessThan(Duration.ofSeconds(DbTarget.LOGIN_TIMEOUT_S + 10));
        await().atMost(Duration.ofSeconds(5)).until(() -> !accepted.isEmpty()); // it did reach the server
        sink.close();
    }

    @Test
    void aHangingServerNeverHoldsUpAnotherSink() {
        Events.Recording recording = new Events.Recording();
        try (SinkQueue hung = new SinkQueue(JdbcSink.parse(url(), name -> null), 5, 2, FAST,
                Duration.ofSeconds(10)).start();
                SinkQueue ok = new SinkQueue(recording, 100, 2, FAST, Duration.ofSeconds(10)).start()) {
            for (int n = 1; n <= 20; n++) {
                assertThat(hung.offer(Events.start("fd-" + n))).isTrue();
                assertThat(ok.offer(Events.start("fd-" + n))).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> recording.ids.size() == 20);
            assertThat(hung.delivered()).isZero();
            await().atMost(Duration.ofSeconds(20)).until(() -> hung.failed() >= 1); // given up, not stuck
            assertThat(hung.dropped()).as("the oldest waiting events were dropped").isGreaterThan(0);
            hung.close(Duration.ofMillis(100));
        }
    }
}
