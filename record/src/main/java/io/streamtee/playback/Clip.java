package io.streamtee.playback;

import io.streamtee.playback.Catalog.Recording;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A time range of recordings, snapped to keyframes: the pieces of segment files that play it. The start snaps back
 * to the keyframe at or before {@code from} and the end forward to the keyframe at or after {@code to}, so the clip
 * covers the whole range and starts with a picture that decodes. Nothing is re-encoded: a piece is a byte range of a
 * segment file, and a piece that starts at a later keyframe is preceded by the segment's own PAT and PMT.
 *
 * <pre>{@code
 * Clip clip = Clip.of(catalog.segments(camera, from, to), from, to);
 * clip.writeTs(catalog, out);                     // one MPEG-TS file
 * String m3u8 = clip.playlist(p -> p.uri());      // or an HLS playlist of the pieces
 * }</pre>
 */
public final class Clip {
    /** Pieces further apart than this in wall-clock time, or in PTS, are not continuous. */
    static final long DISCONTINUITY_MILLIS = 500;

    private final List<Piece> pieces;

    private Clip(List<Piece> pieces) {
        this.pieces = List.copyOf(pieces);
    }

    /**
     * One byte range of one segment.
     *
     * @param fromKeyframe  index of the keyframe it starts at (0: the file's start, with its PAT and PMT)
     * @param toKeyframe    index of the keyframe it ends before, or -1 for the end of the file
     * @param discontinuity whether it does not continue the piece before it (a gap, or time jumped)
     */
    public record Piece(Recording segment, int fromKeyframe, int toKeyframe, long startMillis, long endMillis,
            long durationMillis, boolean discontinuity) {

        /** The whole segment file. */
        public boolean whole() {
            return fromKeyframe == 0 && toKeyframe < 0;
        }

        /** Offset of the first byte after the header. */
        long startOffset() {
            return fromKeyframe == 0 ? 0 : segment.keyframeOffsets()[fromKeyframe];
        }

        long endOffset() {
            return toKeyframe < 0 ? segment.bytes() : segment.keyframeOffsets()[toKeyframe];
        }

        /** PTS of its first keyframe, or {@link Timestamps#NONE}. */
        long startPts() {
            return fromKeyframe == 0 ? segment.ptsStart() : segment.keyframePts()[fromKeyframe];
        }

        /** PTS where it ends (the end of its last frame, or the keyframe it ends before), or {@link Timestamps#NONE}. */
        long endPts() {
            return toKeyframe < 0 ? segment.ptsEnd() : segment.keyframePts()[toKeyframe];
        }

        /** Bytes it takes in a clip: the PAT and PMT when it starts at a later keyframe, then its range. */
        public long length() {
            return (fromKeyframe == 0 ? 0 : segment.headerBytes()) + endOffset() - startOffset();
        }
    }

    /**
     * The pieces that play {@code [from, to)} out of {@code segments} (closed, oldest first, as
     * {@link Catalog#segments} returns them).
     */
    public static Clip of(List<Recording> segments, long from, long to) {
        List<Piece> pieces = new ArrayList<>();
        Piece last = null;
        for (Recording s : segments) {
            if (s.endMillis() <= from || s.startMillis() >= to || s.bytes() == 0) {
                continue;
            }
            int first = 0;
            int end = -1;
            if (s.cuttable()) {
                long[] kf = s.keyframePts();
                for (int i = 1; i < kf.length && s.keyframeMillis(i) <= from; i++) {
                    first = i;
                }
                for (int i = first + 1; i < kf.length; i++) {
                    if (s.keyframeMillis(i) >= to) {
                        end = i;
                        break;
                    }
                }
            }
            long startPts = first == 0 ? s.ptsStart() : s.keyframePts()[first];
            long endPts = end < 0 ? s.ptsEnd() : s.keyframePts()[end];
            long startMillis = first == 0 ? s.startMillis() : s.keyframeMillis(first);
            long endMillis = end < 0 ? s.endMillis() : s.keyframeMillis(end);
            long duration = startPts == Timestamps.NONE || endPts == Timestamps.NONE ? endMillis - startMillis
                    : Math.max(0, Timestamps.ptsDiff(startPts, endPts) / 90);
            boolean jump = last != null && (Math.abs(startMillis - last.endMillis()) > DISCONTINUITY_MILLIS
                    || !continuous(last, startPts));
            last = new Piece(s, first, end, startMillis, endMillis, duration, jump);
            pieces.add(last);
        }
        return new Clip(pieces);
    }

    private static boolean continuous(Piece previous, long startPts) {
        long endPts = previous.endPts();
        return endPts == Timestamps.NONE || startPts == Timestamps.NONE
                || Math.abs(Timestamps.ptsDiff(endPts, startPts)) <= DISCONTINUITY_MILLIS * 90;
    }

    public List<Piece> pieces() {
        return pieces;
    }

    public boolean isEmpty() {
        return pieces.isEmpty();
    }

    /** Wall-clock start of the first piece (its keyframe). */
    public long startMillis() {
        return pieces.isEmpty() ? 0 : pieces.getFirst().startMillis();
    }

    public long endMillis() {
        return pieces.isEmpty() ? 0 : pieces.getLast().endMillis();
    }

    /**
     * Checks every piece's file is there, before a response commits to a length.
     *
     * @throws java.nio.file.NoSuchFileException naming the first that is gone (deleted by retention, say)
     */
    public void checkFiles(Catalog catalog) throws IOException {
        for (Piece p : pieces) {
            checkFile(catalog, p);
        }
    }

    static void checkFile(Catalog catalog, Piece p) throws IOException {
        Path file = catalog.file(p.segment());
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
    }

    /** Bytes of the clip as {@link #writeTs} writes it. */
    public long length() {
        return pieces.stream().mapToLong(Piece::length).sum();
    }

    /**
     * Writes the clip as one MPEG-TS stream: the pieces in order, continuity counters rewritten so they run on
     * across the cuts, the timestamps of the pieces after a discontinuity moved to run on wall-clock time (see
     * {@link #timestampOffsets()}), and the discontinuity indicator set where a piece does not continue the one
     * before (see {@link ClipRewriter}). A clip with no discontinuity is the recorded packets, continuity counters
     * aside.
     */
    public void writeTs(Catalog catalog, OutputStream out) throws IOException {
        try (InputStream in = openTs(catalog)) {
            in.transferTo(out);
        }
    }

    /**
     * The 90 kHz ticks added to each piece's timestamps in {@link #writeTs}, so that the clip's timeline keeps real
     * time: 0 for the first piece and every piece whose timestamps continue the one before's (the camera's clock
     * is trusted over when the data arrived); where they do not (the camera restarted, or its clock jumped), the
     * piece starts where the one before ended plus the wall-clock gap between them (0 if they overlap). So a camera
     * whose clock restarted runs on (players and ffprobe take a clip's length from its first and last timestamp, and
     * would otherwise see a fraction of it), and a gap of five minutes is five minutes of the clip's time: a time in
     * the clip is the wall-clock time since its start, within the drift of the camera's clock. A piece whose
     * timestamps are unknown keeps the offset before it.
     */
    long[] timestampOffsets() {
        long[] offsets = new long[pieces.size()];
        long offset = 0;
        for (int i = 1; i < offsets.length; i++) {
            Piece previous = pieces.get(i - 1);
            Piece p = pieces.get(i);
            long startPts = p.startPts();
            if (!continuous(previous, startPts)) {
                long gapTicks = Math.max(0, p.startMillis() - previous.endMillis()) * 90;
                offset = Math.floorMod(previous.endPts() + offset + gapTicks - startPts, Timestamps.PTS_WRAP);
            }
            offsets[i] = offset;
        }
        return offsets;
    }

    /** Writes one piece alone (an HLS segment), with continuity counters that run on from its header. */
    public static void writePiece(Catalog catalog, Piece p, OutputStream out) throws IOException {
        new Clip(List.of(p)).writeTs(catalog, out);
    }

    /** The clip as {@link #writeTs} writes it, to read: for the MP4 remux, which pulls its input. */
    public InputStream openTs(Catalog catalog) {
        return new TsStream(catalog, pieces, timestampOffsets());
    }

    /** Reads the pieces' byte ranges from their files, a chunk of whole packets at a time, rewriting as it goes. */
    private static final class TsStream extends InputStream {
        private final Catalog catalog;
        private final List<Piece> pieces;
        private final long[] offsets;
        private final ClipRewriter rewriter = new ClipRewriter();
        private int next;
        private final byte[] buf = new byte[512 * TsPacket.SIZE];
        private final java.util.ArrayDeque<long[]> ranges = new java.util.ArrayDeque<>();
        private FileChannel channel;
        private int pos;
        private int len;

        TsStream(Catalog catalog, List<Piece> pieces, long[] offsets) {
            this.catalog = catalog;
            this.pieces = pieces;
            this.offsets = offsets;
        }

        @Override
        public int read() throws IOException {
            return fill() ? buf[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int n) throws IOException {
            if (n == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int k = Math.min(n, len - pos);
            System.arraycopy(buf, pos, b, off, k);
            pos += k;
            return k;
        }

        /** Makes sure the buffer has bytes to give; false at the end of the last piece. */
        private boolean fill() throws IOException {
            while (pos == len) {
                long[] range = ranges.peek();
                if (range == null) {
                    if (!nextPiece()) {
                        return false;
                    }
                    continue;
                }
                if (range[0] == range[1]) {
                    ranges.pop();
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) Math.min(buf.length, range[1] - range[0]));
                int n = channel.read(b, range[0]);
                if (n < 0) {
                    throw new IOException("segment file shorter than its index says (" + range[0] + " < " + range[1]
                            + ")");
                }
                int whole = n - n % TsPacket.SIZE;
                if (whole == 0) {
                    throw new IOException("segment file ends in a partial packet at " + range[0]);
                }
                for (int off = 0; off < whole; off += TsPacket.SIZE) {
                    rewriter.rewrite(buf, off);
                }
                range[0] += whole;
                pos = 0;
                len = whole;
            }
            return true;
        }

        private boolean nextPiece() throws IOException {
            closeChannel();
            if (next == pieces.size()) {
                return false;
            }
            Piece p = pieces.get(next);
            rewriter.startPiece(offsets[next], p.discontinuity());
            next++;
            channel = FileChannel.open(catalog.file(p.segment()), StandardOpenOption.READ);
            if (p.fromKeyframe() != 0) {
                ranges.add(new long[] {0, p.segment().headerBytes()});
            }
            ranges.add(new long[] {p.startOffset(), p.endOffset()});
            return true;
        }

        private void closeChannel() throws IOException {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }

        @Override
        public void close() throws IOException {
            closeChannel();
        }
    }

    /**
     * An HLS media playlist (RFC 8216, version 3, VOD) of the pieces: one media segment per piece, with its
     * wall-clock time as {@code EXT-X-PROGRAM-DATE-TIME} and {@code EXT-X-DISCONTINUITY} where it does not continue
     * the one before.
     *
     * @param uri the URI of a piece, relative to the playlist
     */
    public String playlist(Function<Piece, String> uri) {
        long target = Math.max(1, (pieces.stream().mapToLong(Piece::durationMillis).max().orElse(1000) + 999) / 1000);
        StringBuilder m = new StringBuilder(128 + pieces.size() * 96);
        m.append("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n")
                .append("#EXT-X-TARGETDURATION:").append(target).append('\n')
                .append("#EXT-X-MEDIA-SEQUENCE:0\n");
        for (Piece p : pieces) {
            if (p.discontinuity()) {
                m.append("#EXT-X-DISCONTINUITY\n");
            }
            m.append("#EXT-X-PROGRAM-DATE-TIME:").append(Instant.ofEpochMilli(p.startMillis())).append('\n')
                    .append("#EXTINF:").append(String.format(Locale.ROOT, "%.3f", p.durationMillis() / 1000.0))
                    .append(",\n")
                    .append(uri.apply(p)).append('\n');
        }
        return m.append("#EXT-X-ENDLIST\n").toString();
    }
}
