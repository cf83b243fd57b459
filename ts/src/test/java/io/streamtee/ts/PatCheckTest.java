package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PatCheckTest {
    private static byte[] stream() {
        return new TsWriter()
                .section(256, TsWriter.pmtSection(1, 0, 256, 0x1B, 256)) // a PMT first: not a PAT
                .section(0, TsWriter.patSection(1, 0, 1, 4096))
                .toByteArray();
    }

    @Test
    void aDatagramHoldingAPatWhoseCrcChecksStartsAStream() {
        assertThat(PatCheck.startsStream(ByteBuffer.wrap(stream()))).isTrue();
        ByteBuffer offset = ByteBuffer.allocate(188 + stream().length);
        offset.position(188).put(stream()).position(188);
        assertThat(PatCheck.startsStream(offset)).as("reads from the buffer's position").isTrue();
    }

    @Test
    void aBadCrcOrNoPatIsNoStreamStart() {
        byte[] bad = stream();
        bad[188 + 20] ^= 0x01; // inside the PAT section of the second packet
        assertThat(PatCheck.startsStream(ByteBuffer.wrap(bad))).isFalse();
        byte[] pmtOnly = new TsWriter().section(256, TsWriter.pmtSection(1, 0, 256, 0x1B, 256)).toByteArray();
        assertThat(PatCheck.startsStream(ByteBuffer.wrap(pmtOnly))).isFalse();
    }

    @Test
    void randomTsLookingJunkIsNoStreamStart() {
        Random random = new Random(3);
        for (int n = 0; n < 10_000; n++) {
            byte[] junk = new byte[7 * 188];
            random.nextBytes(junk);
            for (int p = 0; p < junk.length; p += 188) {
                junk[p] = 0x47;
                junk[p + 1] &= (byte) 0xE0; // PID 0
                junk[p + 1] |= 0x40; // payload unit start
            }
            assertThat(PatCheck.startsStream(ByteBuffer.wrap(junk))).isFalse();
        }
    }
}
