package io.streamtee.analyze.motion;

/**
 * Hand-run speed check (not a test): frames per second of {@link MotionDetector} on one core, 178x100 pictures with
 * a disc crossing. Run: {@code java -cp analyze/target/classes:analyze/target/test-classes:<core,ts jars>
 * io.streamtee.analyze.motion.MotionSpeed}.
 */
public final class MotionSpeed {
    private MotionSpeed() {
    }

    public static void main(String[] args) {
        int count = 500;
        Scene scene = new Scene(9);
        GreyFrame[] frames = new GreyFrame[count];
        for (int i = 0; i < count; i++) {
            scene.discR = i > 100 ? 8 : 0;
            scene.discY = 50;
            scene.discX = (i * 3) % 200 - 10;
            GreyFrame f = scene.next();
            frames[i] = new GreyFrame(f.width(), f.height(), f.luma().clone(), f.pts());
        }
        MotionDetector detector = new MotionDetector(MotionSettings.defaults(),
                java.util.List.of(Polygon.parse("m", "[[0,0],[0.2,0],[0.2,0.2],[0,0.2]]")));
        long boxes = 0;
        for (int round = 0; round < 5; round++) {
            int rounds = 20;
            long t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                for (GreyFrame f : frames) {
                    boxes += detector.detect(f).count();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("round %d: %.0f frames/s, %.1f us/frame (boxes %d)%n", round,
                    rounds * count / seconds, seconds * 1e6 / (rounds * count), boxes);
        }
    }
}
