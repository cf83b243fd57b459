package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.kafka.KafkaBroker;
import io.streamtee.testing.FfmpegJudge;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Recorders scaled out by consumer group: two members (two machines in life; here two consumers in one JVM told
 * apart by {@code consumer.client.id}), each a process running a recorder per camera, as {@code serve} runs them,
 * each recorder with {@code --listen kafka://...?group=recorders&key=CAMERA}. The group gives each member one of the two cameras' partitions, each
 * camera is recorded by one member only, and when that member stops, the other member's recorder for the camera
 * takes it over from the last commit: every datagram of each camera handed to a recorder once, and the recordings
 * of both hold all frames but for the group of pictures cut by the hand-over. A real broker (KRaft, in this JVM).
 */
@Timeout(180)
class RecordKafkaGroupTest {
    private static final int DATAGRAM = 7 * 188;

    @TempDir
    static Path dir;
    private static byte[] ts;
    private static KafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        ts = Files.readAllBytes(FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25"));
        broker = KafkaBroker.shared();
    }

    /** Two camera names the default partitioner puts in partitions 0 and 1 of a 2-partition topic. */
    private static List<String> cameras() {
        String[] byPartition = new String[2];
        for (int i = 0; byPartition[0] == null || byPartition[1] == null; i++) {
            String name = "porch" + i;
            int p = Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % 2;
            if (byPartition[p] == null) {
                byPartition[p] = name;
            }
        }
        return List.of(byPartition);
    }

    /** A member's recorder of {@code camera}. */
    private static RecordCommand.Running recorder(String member, String camera) throws Exception {
        RecordCommand command = new RecordCommand();
        new CommandLine(command).parseArgs("--listen", "kafka://" + broker.bootstrap() + "/porches?group=recorders"
                + "&from=earliest&key=" + camera + "&consumer.client.id=" + member, "--dir",
                dir.resolve(member).toString(), "--camera", camera, "--segment", "1s");
        return command.start();
    }

    private static long partitions(RecordCommand.Running r) {
        return r.recorder().inputStats().input().getOrDefault("partitions", 0L);
    }

    /** The datagrams of its camera the recorder's Kafka input handed to the recorder. */
    private static long records(RecordCommand.Running r) {
        return r.recorder().inputStats().input().getOrDefault("records", 0L);
    }

    @Test
    void twoRecordersSplitTheCamerasAndOneTakesOverTheOthersFromTheLastCommit() throws Exception {
        broker.createTopic("porches", 2);
        List<String> cameras = cameras();
        int half = (ts.length / DATAGRAM / 2) * DATAGRAM;
        long datagrams = (ts.length + DATAGRAM - 1) / DATAGRAM;
        List<RecordCommand.Running> a = new ArrayList<>();
        List<RecordCommand.Running> b = new ArrayList<>();
        try {
            for (String c : cameras) {
                a.add(recorder("member-a", c));
                b.add(recorder("member-b", c));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> partitions(a.get(0)) == 1 && partitions(b.get(0)) == 1);
            for (String c : cameras) {
                broker.writeDatagrams("porches", c, Arrays.copyOfRange(ts, 0, half), DATAGRAM);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> a.stream().mapToLong(RecordKafkaGroupTest::records).sum()
                    + b.stream().mapToLong(RecordKafkaGroupTest::records).sum() == 2L * half / DATAGRAM);
            for (int c = 0; c < 2; c++) {
                assertThat(records(a.get(c)) == 0 || records(b.get(c)) == 0).as("camera %d at one member", c)
                        .isTrue();
                assertThat(a.get(c).recorder().inputStats().dropped() + b.get(c).recorder().inputStats().dropped())
                        .isZero();
            }
            // member a stops: its cameras go to member b, which goes on from a's last commit
            List<Long> atA = a.stream().map(RecordKafkaGroupTest::records).toList();
            for (RecordCommand.Running r : a) {
                r.close();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> partitions(b.get(0)) == 2);
            for (String c : cameras) {
                broker.writeDatagrams("porches", c, Arrays.copyOfRange(ts, half, ts.length), DATAGRAM);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> records(b.get(0)) + atA.get(0) == datagrams
                    && records(b.get(1)) + atA.get(1) == datagrams);
            for (int c = 0; c < 2; c++) {
                assertThat(records(b.get(c)) + atA.get(c)).as("camera %d: every datagram once", c)
                        .isEqualTo(datagrams);
                // the recorder that takes a camera over mid-stream waits for its next PAT: a few datagrams
                assertThat(b.get(c).recorder().inputStats().dropped()).isLessThan(datagrams / 10);
            }
        } finally {
            for (RecordCommand.Running r : a) {
                r.close();
            }
            for (RecordCommand.Running r : b) {
                r.close();
            }
        }
        // each camera's recordings, from both members together, hold its frames but for what a hand-over costs: the
        // frame cut where the first member stopped, and the frames before the next keyframe the second waited for
        int clipFrames = FfmpegJudge.frames(dir.resolve("clip.ts"));
        for (String c : cameras) {
            int frames = 0;
            for (String member : List.of("member-a", "member-b")) {
                Path camera = dir.resolve(member).resolve(c);
                if (!Files.isDirectory(camera)) {
                    continue;
                }
                try (var files = Files.walk(camera)) {
                    for (Path segment : files.filter(p -> p.toString().endsWith(".ts")).toList()) {
                        frames += FfmpegJudge.frames(segment);
                    }
                }
            }
            assertThat(frames).as("frames of camera " + c).isBetween(clipFrames - 2 * 25, clipFrames);
        }
    }
}
