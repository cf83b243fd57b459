package io.streamtee.media;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Times what a snapshot costs on a TS file's pictures: {@link Frame#copyTo} (done when a frame may become a snapshot)
 * and {@link JpegEncoder#encode} with one box (done for START and END). Not a unit test: run it by hand.
 *
 * <pre>java -cp ... io.streamtee.media.SnapshotSpeed file.ts [pictures]</pre>
 */
public final class SnapshotSpeed {
    private SnapshotSpeed() {
    }

    public static void main(String[] args) throws Exception {
        byte[] ts = Files.readAllBytes(Path.of(args[0]));
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        List<Picture> pictures = new ArrayList<>();
        Picture reused = new Picture();
        long[] copyNanos = {0, 0};
        try (VideoDecoder decoder = new VideoDecoder()) {
            Decoded.decodeWith(ts, decoder, f -> {
                long start = System.nanoTime();
                f.copyTo(reused);
                copyNanos[0] += System.nanoTime() - start;
                copyNanos[1]++;
                if (pictures.size() < count) {
                    pictures.add(f.copyTo(new Picture()));
                }
            });
        }
        Picture p = pictures.getFirst();
        List<JpegEncoder.Outline> box = List.of(new JpegEncoder.Outline(p.width() / 4, p.height() / 4,
                p.width() / 2, p.height() / 2));
        long bytes = 0;
        long start;
        try (JpegEncoder encoder = new JpegEncoder()) {
            for (Picture warm : pictures.subList(0, Math.min(5, pictures.size()))) {
                encoder.encode(warm, box);
            }
            start = System.nanoTime();
            for (Picture q : pictures) {
                bytes += encoder.encode(q, box).length;
            }
        }
        long encodeNanos = System.nanoTime() - start;
        System.out.printf("%dx%d: copyTo %.3f ms a frame (%d frames), encode %.2f ms a JPEG (%d), %d bytes a JPEG%n",
                p.width(), p.height(), copyNanos[0] / 1e6 / copyNanos[1], copyNanos[1],
                encodeNanos / 1e6 / pictures.size(), pictures.size(), bytes / pictures.size());
    }
}
