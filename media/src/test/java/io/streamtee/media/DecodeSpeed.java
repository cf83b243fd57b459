package io.streamtee.media;

import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.TsDemux;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Times the whole decoding path on a TS file: demux, access units, {@link VideoDecoder}, and optionally a small grey
 * picture per frame (what the analyzer asks for). Not a unit test: run it by hand, next to
 * {@code ffmpeg -threads 1 -i same.ts -f null -}, on the same machine in the same sitting.
 *
 * <pre>java -cp ... io.streamtee.media.DecodeSpeed file.ts [threads] [rounds]</pre>
 */
public final class DecodeSpeed {
    private DecodeSpeed() {
    }

    public static void main(String[] args) throws Exception {
        byte[] ts = Files.readAllBytes(Path.of(args[0]));
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        for (boolean grey : new boolean[] {false, true}) {
            for (int round = 0; round < rounds; round++) {
                byte[] small = new byte[178 * 100];
                long start = System.nanoTime();
                long frames;
                try (VideoDecoder decoder = new VideoDecoder(threads)) {
                    AccessUnitAssembler assembler = new AccessUnitAssembler(au -> decoder.decode(au, f -> {
                        if (grey) {
                            f.grey(178, 100, small);
                        }
                    }));
                    TsDemux demux = new TsDemux(assembler);
                    demux.feed(ts, 0, ts.length);
                    demux.flush();
                    assembler.flush();
                    decoder.flush(f -> { });
                    frames = decoder.frames();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("threads=%d grey=%s round=%d: %d frames in %.2f s = %.0f fps%n", threads,
                        grey ? "178x100" : "no", round, frames, seconds, frames / seconds);
            }
        }
    }
}
