package io.streamtee.media;

import io.streamtee.ts.AccessUnit;
import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.TsDemux;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** What tests keep of decoded frames: size, PTS, keyframe flag and a copy of the luma. */
final class Decoded implements Consumer<Frame> {
    record Picture(int width, int height, long pts, boolean keyframe, byte[] luma) {
    }

    final List<Picture> pictures = new ArrayList<>();

    @Override
    public void accept(Frame f) {
        pictures.add(new Picture(f.width(), f.height(), f.pts(), f.keyframe(), f.luma()));
    }

    /** The access units of a transport stream, copied (the assembler's are valid only during its callback). */
    static List<AccessUnit> accessUnits(byte[] ts) {
        List<AccessUnit> units = new ArrayList<>();
        AccessUnitAssembler assembler = new AccessUnitAssembler(au -> units.add(
                AccessUnit.of(au.streamType(), au.toByteArray(), au.pts(), au.dts(), au.keyframe())));
        TsDemux demux = new TsDemux(assembler);
        demux.feed(ts, 0, ts.length);
        demux.flush();
        assembler.flush();
        return units;
    }

    /** Demuxes and decodes a whole transport stream with {@code decoder}, flushing it at the end. */
    static Decoded decode(byte[] ts, VideoDecoder decoder) {
        Decoded out = new Decoded();
        decodeWith(ts, decoder, out);
        return out;
    }

    /** Decodes {@code units} in order with {@code decoder}, flushing it at the end. */
    static Decoded decode(List<AccessUnit> units, VideoDecoder decoder) {
        Decoded out = new Decoded();
        for (AccessUnit au : units) {
            decoder.decode(au, out);
        }
        decoder.flush(out);
        return out;
    }

    /** Demuxes and decodes a whole transport stream, handing each frame to {@code out}. */
    static void decodeWith(byte[] ts, VideoDecoder decoder, Consumer<Frame> out) {
        AccessUnitAssembler assembler = new AccessUnitAssembler(au -> decoder.decode(au, out));
        TsDemux demux = new TsDemux(assembler);
        demux.feed(ts, 0, ts.length);
        demux.flush();
        assembler.flush();
        decoder.flush(out);
    }
}
