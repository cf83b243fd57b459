package io.streamtee.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.relay.Relay;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.testing.UdpSender;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntSupplier;

/**
 * Simulated cameras for the Kafka tests: datagrams that say which camera sent them and their number (byte 0 and
 * bytes 1-4), of a camera's sizes (mostly 7 x 188 bytes, some small, a few large), and the relays around them.
 */
final class Cameras {
    private Cameras() {
    }

    /**
     * Camera names {@code prefix0, prefix1, ...}, one per partition of a {@code partitions}-partition topic, in
     * partition order: where Kafka's default partitioner puts the records the relay keys by route name.
     */
    static List<String> onPartitions(String prefix, int partitions) {
        String[] byPartition = new String[partitions];
        int found = 0;
        for (int i = 0; found < partitions; i++) {
            String name = prefix + i;
            int p = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                    name.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
            if (byPartition[p] == null) {
                byPartition[p] = name;
                found++;
            }
        }
        return List.of(byPartition);
    }

    /** {@code count} datagrams of camera {@code camera}, numbered from {@code first}. */
    static List<byte[]> datagrams(int camera, int first, int count) {
        Random r = new Random(camera * 1_000_003L + first);
        List<byte[]> out = new ArrayList<>(count);
        for (int i = first; i < first + count; i++) {
            int kind = r.nextInt(20);
            int size = kind < 16 ? 1316 : kind < 19 ? 5 + r.nextInt(1500) : 1316 * (2 + r.nextInt(40));
            byte[] d = new byte[size];
            r.nextBytes(d);
            d[0] = (byte) camera;
            ByteBuffer.wrap(d, 1, 4).putInt(i);
            out.add(d);
        }
        return out;
    }

    static int camera(byte[] datagram) {
        return datagram[0];
    }

    static int number(byte[] datagram) {
        return ByteBuffer.wrap(datagram, 1, 4).getInt();
    }

    /** The datagrams of camera {@code camera} in {@code received}, in the order received. */
    static List<byte[]> of(int camera, List<byte[]> received) {
        return received.stream().filter(d -> camera(d) == camera).toList();
    }

    /** A relay whose routes {@code names} each take UDP on a loopback port 0 and send to {@code output}. */
    static Relay relay(List<String> names, String output) {
        Map<String, RouteConfig> routes = new LinkedHashMap<>();
        for (String n : names) {
            routes.put(n, RouteConfig.of("udp://127.0.0.1:0", List.of(), List.of(output)));
        }
        return new Relay(ConfigLoader.check(new RelayConfig(routes, "0", null))).start();
    }

    /** A relay with one route {@code name} from {@code input} to {@code outputs}. */
    static Relay relay(String name, String input, String... outputs) {
        return new Relay(ConfigLoader.check(new RelayConfig(Map.of(name, RouteConfig.of(input, List.of(),
                List.of(outputs))), "0", null))).start();
    }

    /**
     * Sends, camera by camera in turn, datagram {@code i} of each list, never more than {@code window} ahead of
     * what {@code delivered} counts at the far end (loss in a test is then a bug, not load).
     */
    static void sendInterleaved(List<UdpSender> senders, List<List<byte[]>> perCamera, int window,
            IntSupplier delivered) throws IOException {
        int sent = 0;
        for (int i = 0; i < perCamera.get(0).size(); i++) {
            for (int c = 0; c < senders.size(); c++) {
                final int before = sent;
                if (before - delivered.getAsInt() >= window) {
                    await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                            .until(() -> before - delivered.getAsInt() < window);
                }
                senders.get(c).send(perCamera.get(c).get(i));
                sent++;
            }
        }
    }

    static void assertSameInOrder(List<byte[]> got, List<byte[]> sent) {
        assertThat(got).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(got.get(i)).as("datagram %d of camera %d", i, camera(sent.get(i))).isEqualTo(sent.get(i));
        }
    }
}
