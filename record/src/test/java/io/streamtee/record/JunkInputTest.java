package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import io.streamtee.net.UdpReceiver;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.Figures;
import io.streamtee.ts.TsPacket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Junk on the camera's port: while a real camera stream plays, random datagrams (half of them TS-looking, with
 * random PIDs and counters) arrive from another loopback port, some before the camera starts. The recording holds
 * exactly the camera's packets, every segment decodes cleanly, and the junk is counted by reason.
 */
class JunkInputTest {

    private static final int JUNK = 1500;

    @TempDir
    Path dir;

    @Test
    void junkFromAnotherSourceStaysOutOfTheRecording() throws Exception {
        FfmpegJudge.assumeInstalled();
        CameraStats sent;
        long junkSent;
        byte[] fromCamera;
        Recorder.Stats recorded;
        UdpReceiver.Stats input;
        try (Recorder recorder = new Recorder(Recordings.config(dir).withSegment(Duration.ofSeconds(2))).start();
                Forwarder camPort = new Forwarder(recorder.localAddress());
                Junk junk = new Junk(recorder)) {
            junk.send(100); // junk before the camera
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.inputStats().datagrams() >= 100);
            junk.start();
            CameraConfig config = CameraConfig.pattern(Destination.of(camPort.address()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(640, 360).withFps(25).withGop(50)
                            .withBitrate(1_000_000))
                    .withDuration(Duration.ofSeconds(8));
            try (Camera camera = new Camera(config).start()) {
                assertThat(camera.awaitDone(Duration.ofSeconds(60))).isTrue();
                assertThat(camera.failure()).isNull();
                sent = camera.stats();
            }
            junkSent = junk.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> camPort.datagrams.get() == sent.datagramsSent());
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().datagrams() == camPort.datagrams.get()
                    && recorder.inputStats().datagrams() == camPort.datagrams.get() + junkSent);
            recorded = recorder.stats();
            fromCamera = camPort.bytes();
            input = recorder.inputStats();
            assertThat(input.source()).isEqualTo(camPort.address());
        }
        assertThat(junkSent).isGreaterThan(JUNK / 2);
        assertThat(recorded.bytesReceived()).isEqualTo(sent.bytesSent());
        assertThat(recorded.continuityErrors()).isZero();
        assertThat(input.dropped()).isEqualTo(junkSent);
        assertThat(input.dropped(UdpReceiver.Drop.NO_STREAM_YET)).isGreaterThan(0);
        assertThat(input.dropped(UdpReceiver.Drop.OTHER_SOURCE)).isGreaterThan(0);
        assertThat(input.dropped(UdpReceiver.Drop.NOT_TS)).isGreaterThan(0);

        Path cam = dir.resolve("camera");
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertThat(rows).hasSizeGreaterThanOrEqualTo(3);
        ByteArrayOutputStream recordedPackets = new ByteArrayOutputStream();
        for (SegmentIndex.Row row : rows) {
            Path file = cam.resolve(row.path());
            assertThat(FfmpegJudge.decodeErrors(file)).as("ffmpeg errors in %s", row.path()).isEmpty();
            recordedPackets.writeBytes(withoutHeadPsi(Files.readAllBytes(file)));
        }
        byte[] got = recordedPackets.toByteArray();
        int start = indexOfPacket(fromCamera, Arrays.copyOf(got, TsPacket.SIZE));
        assertThat(start).as("the first recorded packet is one the camera sent").isNotNegative();
        assertThat(got.length).isEqualTo(fromCamera.length - start);
        assertThat(Arrays.equals(got, 0, got.length, fromCamera, start, fromCamera.length))
                .as("the recording is the camera's packets from the first keyframe on").isTrue();
    }

    @Test
    void emptyAndMaximalDatagramsFromTheCamerasPortAreCountedAndTheRecordingGoesOn() throws Exception {
        byte[] max = new byte[Datagrams.MAX_IPV4];
        new Random(4).nextBytes(max);
        max[0] = TsPacket.SYNC_BYTE; // starts like TS, is not: 65,507 is no multiple of 188
        try (Recorder recorder = new Recorder(Recordings.config(dir).withSegment(Duration.ofSeconds(2))).start();
                Forwarder camPort = new Forwarder(recorder.localAddress())) {
            CameraConfig config = CameraConfig.pattern(Destination.of(camPort.address()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(25).withGop(25)
                            .withBitrate(400_000))
                    .withDuration(Duration.ofSeconds(3));
            CameraStats sent;
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().datagrams() > 10);
                for (int i = 0; i < 20; i++) { // from the camera's own port, mid-stream
                    camPort.channel.send(ByteBuffer.allocate(0), recorder.localAddress());
                    camPort.channel.send(ByteBuffer.wrap(max), recorder.localAddress());
                }
                assertThat(camera.awaitDone(Duration.ofSeconds(60))).isTrue();
                sent = camera.stats();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> camPort.datagrams.get() == sent.datagramsSent()
                    && recorder.stats().datagrams() == sent.datagramsSent()
                    && recorder.inputStats().dropped() >= 40);
            UdpReceiver.Stats input = recorder.inputStats();
            assertThat(input.dropped()).isEqualTo(40);
            assertThat(input.dropped(UdpReceiver.Drop.NOT_TS)).isEqualTo(40);
            assertThat(recorder.stats().bytesReceived()).isEqualTo(sent.bytesSent());
            assertThat(recorder.stats().continuityErrors()).isZero();
            Figures.of("hostile.datagram-size.record").put("sent_empty", 20).put("sent_65507", 20)
                    .put("counted_not_ts", input.dropped(UdpReceiver.Drop.NOT_TS))
                    .put("camera_bytes_recorded", recorder.stats().bytesReceived())
                    .record(getClass(), "emptyAndMaximalDatagramsFromTheCamerasPortAreCountedAndTheRecordingGoesOn");
        }
    }

    /** A segment without the PAT and PMT the recorder puts at its head. */
    private static byte[] withoutHeadPsi(byte[] segment) {
        int table = 5 + (segment[4] & 0xFF); // the PAT's section, after the pointer field
        int pmtPid = ((segment[table + 10] & 0x1F) << 8) | (segment[table + 11] & 0xFF); // its first program
        int off = 0;
        while (off < segment.length && (TestStream.pid(segment, off) == 0 || TestStream.pid(segment, off) == pmtPid)) {
            off += TsPacket.SIZE;
        }
        return Arrays.copyOfRange(segment, off, segment.length);
    }

    private static int indexOfPacket(byte[] stream, byte[] packet) {
        for (int off = 0; off + TsPacket.SIZE <= stream.length; off += TsPacket.SIZE) {
            if (Arrays.equals(stream, off, off + TsPacket.SIZE, packet, 0, TsPacket.SIZE)) {
                return off;
            }
        }
        return -1;
    }

    /** The camera's port: keeps a copy of every datagram and forwards it to the recorder from one port. */
    private static final class Forwarder implements AutoCloseable {
        final AtomicLong datagrams = new AtomicLong();
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
        private final DatagramChannel channel;
        private final Thread thread;

        Forwarder(InetSocketAddress to) throws IOException {
            channel = DatagramChannel.open();
            channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            thread = Thread.ofPlatform().name("forwarder").start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(65_536);
                try {
                    while (true) {
                        buf.clear();
                        channel.receive(buf);
                        buf.flip();
                        synchronized (copy) {
                            copy.write(buf.array(), 0, buf.limit());
                        }
                        channel.send(buf, to);
                        datagrams.incrementAndGet();
                    }
                } catch (ClosedChannelException e) {
                    // closed
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) channel.getLocalAddress();
        }

        byte[] bytes() {
            synchronized (copy) {
                return copy.toByteArray();
            }
        }

        @Override
        public void close() throws Exception {
            channel.close();
            thread.join();
        }
    }

    /**
     * Random datagrams from another loopback port, sizes 0 to 65507, half of them TS-looking (0x47 every 188 bytes,
     * random PIDs and counters); never more than a few ahead of what the recorder took, so the camera loses nothing
     * to a full receive buffer. Bounded: {@link #JUNK} datagrams at most.
     */
    private static final class Junk implements AutoCloseable {
        private final Recorder recorder;
        private final DatagramChannel channel;
        private final Random random = new Random(42);
        private final AtomicLong sent = new AtomicLong();
        private volatile boolean stop;
        private Thread thread;

        Junk(Recorder recorder) throws IOException {
            this.recorder = recorder;
            channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
        }

        void send(int n) throws IOException {
            for (int i = 0; i < n && sent.get() < JUNK; i++) {
                byte[] d = datagram();
                channel.send(ByteBuffer.wrap(d), recorder.localAddress());
                sent.incrementAndGet();
            }
        }

        void start() {
            thread = Thread.ofPlatform().name("junk").start(() -> {
                long deadline = System.nanoTime() + 30_000_000_000L;
                try {
                    while (!stop && sent.get() < JUNK && System.nanoTime() < deadline) {
                        long mine = sent.get();
                        // at most four junk datagrams in flight
                        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                                .pollInterval(Duration.ofMillis(1))
                                .until(() -> stop || recorder.inputStats().dropped() >= mine - 4);
                        send(1);
                        Thread.sleep(3); // spread over the camera's run
                    }
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        private byte[] datagram() {
            if (random.nextBoolean()) {
                byte[] d = new byte[random.nextInt(65_508)];
                random.nextBytes(d);
                return d;
            }
            int packets = 1 + random.nextInt(65_507 / TsPacket.SIZE);
            byte[] d = new byte[packets * TsPacket.SIZE];
            random.nextBytes(d);
            for (int off = 0; off < d.length; off += TsPacket.SIZE) {
                d[off] = (byte) TsPacket.SYNC_BYTE;
            }
            return d;
        }

        long stop() throws InterruptedException {
            stop = true;
            if (thread != null) {
                thread.join();
            }
            return sent.get();
        }

        @Override
        public void close() throws Exception {
            stop();
            channel.close();
        }
    }
}
