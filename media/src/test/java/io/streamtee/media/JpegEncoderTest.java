package io.streamtee.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.testing.FfmpegJudge;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pictures kept out of the decoder and encoded as JPEG with boxes, read back by ffprobe and ImageIO. */
class JpegEncoderTest {
    @TempDir
    Path dir;

    private static BufferedImage read(byte[] jpeg) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(image).as("ImageIO reads the JPEG").isNotNull();
        return image;
    }

    private static boolean red(BufferedImage image, int x, int y) {
        int rgb = image.getRGB(x, y);
        int r = rgb >> 16 & 0xFF;
        int g = rgb >> 8 & 0xFF;
        int b = rgb & 0xFF;
        return r > 180 && g < 90 && b < 90;
    }

    private static int grey(BufferedImage image, int x, int y) {
        int rgb = image.getRGB(x, y);
        return ((rgb >> 16 & 0xFF) + (rgb >> 8 & 0xFF) + (rgb & 0xFF)) / 3;
    }

    @Test
    void aGreyPictureWithABoxIsAFullSizeJpegWithARedOutlineJustOutsideTheBox() throws Exception {
        Picture picture = Picture.blank(1280, 720, false);
        byte[] jpeg;
        try (JpegEncoder encoder = new JpegEncoder()) {
            jpeg = encoder.encode(picture, List.of(new JpegEncoder.Outline(400, 200, 600, 500)));
            assertThat(encoder.encoded()).isEqualTo(1);
        }
        Path file = Files.write(dir.resolve("box.jpg"), jpeg);
        FfmpegJudge.Probe probe = FfmpegJudge.stream(file);
        assertThat(probe.codec()).isEqualTo("mjpeg");
        assertThat(probe.width()).isEqualTo(1280);
        assertThat(probe.height()).isEqualTo(720);

        BufferedImage image = read(jpeg);
        assertThat(image.getWidth()).isEqualTo(1280);
        assertThat(image.getHeight()).isEqualTo(720);
        int t = JpegEncoder.thickness(720);
        assertThat(t).isEqualTo(3);
        // the middle of the outline on each side is red: top, bottom, left, right
        int mid = t / 2;
        for (int x = 400; x < 600; x += 10) {
            assertThat(red(image, x, 200 - t + mid)).as("top edge at x=%d", x).isTrue();
            assertThat(red(image, x, 500 + mid)).as("bottom edge at x=%d", x).isTrue();
        }
        for (int y = 200; y < 500; y += 10) {
            assertThat(red(image, 400 - t + mid, y)).as("left edge at y=%d", y).isTrue();
            assertThat(red(image, 600 + mid, y)).as("right edge at y=%d", y).isTrue();
        }
        // inside the box and well outside it, the picture is untouched: mid-grey (128 limited is 130 full range)
        for (int[] p : new int[][] {{500, 350}, {405, 205}, {595, 495}, {100, 100}, {700, 600}, {390, 190}}) {
            assertThat(red(image, p[0], p[1])).as("%d,%d is not red", p[0], p[1]).isFalse();
            assertThat(grey(image, p[0], p[1])).as("%d,%d grey", p[0], p[1]).isBetween(124, 136);
        }
    }

    @Test
    void aBoxAtThePicturesEdgeStaysVisibleInside() throws Exception {
        Picture picture = Picture.blank(320, 180, true);
        byte[] jpeg;
        try (JpegEncoder encoder = new JpegEncoder()) {
            jpeg = encoder.encode(picture, List.of(new JpegEncoder.Outline(0, 0, 100, 180)));
        }
        BufferedImage image = read(jpeg);
        assertThat(red(image, 0, 90)).as("left edge moved inwards").isTrue();
        assertThat(red(image, 50, 0)).as("top edge moved inwards").isTrue();
        assertThat(red(image, 50, 179)).as("bottom edge moved inwards").isTrue();
        assertThat(red(image, 101, 90)).as("right edge just outside").isTrue();
        assertThat(grey(image, 50, 90)).isBetween(122, 134);
    }

    @Test
    void aDecodedFrameKeptAsAPictureEncodesToTheSameImage() throws Exception {
        Path ts = FfmpegJudge.testPattern(dir.resolve("pattern.ts"), 640, 360, 25, 1, "-c:v", "libx264",
                "-profile:v", "baseline");
        List<Picture> kept = new ArrayList<>();
        List<byte[]> lumas = new ArrayList<>();
        try (VideoDecoder decoder = new VideoDecoder()) {
            Decoded.decodeWith(Files.readAllBytes(ts), decoder, f -> {
                if (f.index() == 10) {
                    kept.add(f.copyTo(new Picture()));
                    lumas.add(f.luma());
                }
            });
        }
        assertThat(kept).hasSize(1);
        Picture p = kept.getFirst();
        assertThat(p.width()).isEqualTo(640);
        assertThat(p.height()).isEqualTo(360);
        assertThat(p.fullRange()).isFalse();
        assertThat(java.util.Arrays.copyOf(p.y(), 640 * 360)).isEqualTo(lumas.getFirst());
        byte[] jpeg;
        try (JpegEncoder encoder = new JpegEncoder(2)) {
            jpeg = encoder.encode(p, List.of());
        }
        BufferedImage image = read(jpeg);
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(360);
        // the JPEG's brightness follows the picture's luma (stretched to full range) within compression error
        long diff = 0;
        for (int y = 0; y < 360; y += 4) {
            for (int x = 0; x < 640; x += 4) {
                int rgb = image.getRGB(x, y);
                double luma = 0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
                int expected = Math.clamp(Math.round(((p.y()[y * 640 + x] & 0xFF) - 16) * 255f / 219f), 0, 255);
                diff += Math.abs(Math.round(luma) - expected);
            }
        }
        assertThat(diff / (160.0 * 90)).as("mean brightness difference").isLessThan(6.0);
    }

    @Test
    void aTenBitFrameIsConvertedToEightBitPlanes() throws Exception {
        FfmpegJudge.assumeEncoder("libx265");
        Path ts = FfmpegJudge.testPattern(dir.resolve("main10.ts"), 320, 240, 25, 0.2, "-c:v", "libx265",
                "-pix_fmt", "yuv420p10le", "-x265-params", "log-level=error");
        List<Picture> kept = new ArrayList<>();
        List<byte[]> lumas = new ArrayList<>();
        try (VideoDecoder decoder = new VideoDecoder()) {
            Decoded.decodeWith(Files.readAllBytes(ts), decoder, f -> {
                kept.add(f.copyTo(new Picture()));
                lumas.add(f.luma());
            });
        }
        assertThat(kept).isNotEmpty();
        Picture p = kept.getFirst();
        assertThat(p.width()).isEqualTo(320);
        long diff = 0;
        for (int i = 0; i < 320 * 240; i++) {
            diff += Math.abs((p.y()[i] & 0xFF) - (lumas.getFirst()[i] & 0xFF));
        }
        assertThat(diff / (320.0 * 240)).isLessThan(1.5);
        try (JpegEncoder encoder = new JpegEncoder()) {
            assertThat(read(encoder.encode(p, List.of())).getWidth()).isEqualTo(320);
        }
    }

    @Test
    void misuseIsRefused() {
        assertThatThrownBy(() -> new JpegEncoder(1)).hasMessageContaining("between 2 and 31");
        try (JpegEncoder encoder = new JpegEncoder()) {
            assertThatThrownBy(() -> encoder.encode(new Picture(), List.of())).hasMessageContaining("empty");
            encoder.close();
            assertThatThrownBy(() -> encoder.encode(Picture.blank(16, 16, true), List.of()))
                    .hasMessageContaining("closed");
        }
    }
}
