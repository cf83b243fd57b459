package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.TsDemux;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Snapshots} without sockets: a clip whose every frame is one flat grey, its level telling the frame's number
 * (made by ffmpeg with libx264), is published frame by frame to a {@link Hub}; each snapshot must show the newest
 * frame in presentation order, with B-frames (the decoder holds frames back) and without (the decoder goes on from
 * where the last snapshot left it).
 */
class SnapshotsTest {
    private static final int FPS = 25;
    private static final long STEP = 90_000 / FPS;

    /** The access units of a TS file, as the viewer's input would publish them. */
    private static List<Frame> frames(Path ts) throws Exception {
        List<Frame> out = new ArrayList<>();
        AccessUnitAssembler assembler = new AccessUnitAssembler(au -> out.add(Frame.of(au, 0)));
        TsDemux demux = new TsDemux(assembler);
        byte[] bytes = Files.readAllBytes(ts);
        demux.feed(bytes, 0, bytes.length);
        demux.flush();
        assembler.flush();
        return out;
    }

    /** Frame n is grey 16 + 8 * (n mod 25) (limited range); the JPEG is full range. */
    private static Path clip(Path dir, int bFrames) throws Exception {
        Path clip = dir.resolve("grey-" + bFrames + ".ts");
        FfmpegJudge.Result made = FfmpegJudge.run(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", "nullsrc=size=160x128:rate=" + FPS
                        + ",format=yuv420p,geq=lum='16+8*mod(N\\,25)':cb=128:cr=128",
                "-t", "4", "-c:v", "libx264", "-preset", "veryfast", "-bf", String.valueOf(bFrames), "-g", "50",
                "-keyint_min", "50", "-sc_threshold", "0", "-qp", "4", "-f", "mpegts", clip.toString()));
        assertThat(made.exit()).as(made.err()).isZero();
        return clip;
    }

    /** The frame number (mod 25) a snapshot shows, from its middle pixel. */
    private static int shown(byte[] jpeg) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(List.of(image.getWidth(), image.getHeight())).containsExactly(160, 128);
        int full = image.getRGB(80, 64) & 0xff;
        int limited = Math.round(full * 219f / 255f + 16);
        return Math.round((limited - 16) / 8f);
    }

    private static void check(Path clip, boolean incremental) throws Exception {
        List<Frame> frames = frames(clip);
        assertThat(frames).hasSizeGreaterThan(90);
        long first = frames.stream().mapToLong(Frame::pts).min().orElseThrow();
        Hub hub = Hub.withDefaults(8);
        try (Snapshots snapshots = new Snapshots("grey", hub)) {
            assertThat(snapshots.latest()).as("no picture before the first keyframe").isNull();
            long newest = -1;
            int asked = 0;
            for (int i = 0; i < frames.size(); i++) {
                Frame f = frames.get(i);
                hub.publish(f);
                newest = f.keyframe() ? f.pts() : Math.max(newest, f.pts());
                if (i % 7 == 3 || i == 49 || i == 50 || i == 51) {
                    long before = snapshots.decodedFrames();
                    int expected = (int) ((newest - first) / STEP % 25);
                    assertThat(shown(snapshots.latest())).as("the snapshot after access unit %d", i)
                            .isEqualTo(expected);
                    if (incremental && i % 7 == 3 && i > 7 && !f.keyframe() && hub.cachedFrames() > 7) {
                        assertThat(snapshots.decodedFrames() - before).as("only the frames since the last one")
                                .isEqualTo(7);
                    }
                    asked++;
                }
            }
            assertThat(snapshots.made()).isEqualTo(asked);
        }
    }

    @Test
    void eachSnapshotShowsTheNewestFrameWithBFrames(@TempDir Path dir) throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        check(clip(dir, 2), false);
    }

    @Test
    void withoutBFramesTheDecoderGoesOnFromTheLastSnapshot(@TempDir Path dir) throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        check(clip(dir, 0), true);
    }
}
