package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.ts.TsPacket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Looping a clip, fed to the ts module's demux: no sockets. */
class ClipSourceTest {

    private static final int FPS = 25;

    @TempDir
    Path dir;

    private static byte[] readAll(ClipSource source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] packet = new byte[TsPacket.SIZE];
        while (source.next(packet, 0)) {
            out.write(packet, 0, packet.length);
        }
        return out.toByteArray();
    }

    @Test
    void loopsSeamlesslyWithContinuousCountersAndIncreasingTimestamps() throws IOException {
        Path clip = Clips.write(dir.resolve("clip.ts"), Clips.small(FPS), FPS);
        byte[] played;
        try (ClipSource source = new ClipSource(clip, 3 * 90_000L)) {
            assertThat(source.duration90k()).isEqualTo(90_000L);
            played = readAll(source);
            assertThat(source.loops()).isEqualTo(3);
        }
        StreamCheck check = StreamCheck.of(played);

        assertThat(check.errors).as("TR 101 290 errors").isEmpty();
        assertThat(check.videoPts).hasSize(3 * FPS);
        assertThat(StreamCheck.increasing(check.videoPts, false)).isTrue();
        for (int i = 1; i < check.videoPts.size(); i++) {
            assertThat(check.videoPts.get(i) - check.videoPts.get(i - 1)).isEqualTo(90_000L / FPS);
        }
        assertThat(StreamCheck.increasing(check.pcrs, true)).isTrue();
        // the splice is flagged once per PID with an adaptation field, in each of the two later passes
        assertThat(check.discontinuityPids).isNotEmpty();
        assertThat(new HashSet<>(check.discontinuityPids).size() * 2).isEqualTo(check.discontinuityPids.size());
        assertThat(check.video().codec()).isEqualTo("h264");
        assertThat(check.video().fps()).isEqualTo(FPS, org.assertj.core.api.Assertions.within(0.01));
    }

    @Test
    void skipsAPartialPacketAtTheStartOfACapture() throws IOException {
        byte[] clip = Clips.encode(Clips.small(FPS), FPS);
        byte[] cut = new byte[clip.length + 100];
        System.arraycopy(clip, 0, cut, 100, clip.length);
        java.util.Arrays.fill(cut, 0, 100, (byte) 0x47);
        Path file = Files.write(dir.resolve("cut.ts"), cut);
        try (ClipSource source = new ClipSource(file, 90_000L)) {
            byte[] played = readAll(source);
            assertThat(java.util.Arrays.equals(played, 0, clip.length, clip, 0, clip.length))
                    .as("the first pass is the clip without the 100 leading bytes").isTrue();
        }
    }

    @Test
    void refusesAMissingFile() {
        assertThatThrownBy(() -> new ClipSource(dir.resolve("nope.ts"), 0))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nope.ts: no such file");
    }

    @Test
    void refusesAFileThatIsNotTs() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.ts"), "hello\n".repeat(200));
        assertThatThrownBy(() -> new ClipSource(text, 0))
                .hasMessage(text + ": not an MPEG-TS file (no 0x47 sync byte every 188 bytes)");
        Path tiny = Files.writeString(dir.resolve("tiny.ts"), "G");
        assertThatThrownBy(() -> new ClipSource(tiny, 0)).hasMessageContaining("less than one packet");
    }

    @Test
    void refusesTsWithoutPcr() throws IOException {
        byte[] nulls = new byte[TsPacket.SIZE * 100];
        for (int off = 0; off < nulls.length; off += TsPacket.SIZE) {
            TsPacer.writeNullPacket(nulls, off);
        }
        Path file = Files.write(dir.resolve("nulls.ts"), nulls);
        assertThatThrownBy(() -> new ClipSource(file, 0)).hasMessageContaining("no PCR");
    }
}
