package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Inputs the fuzz tests ({@link TsFuzzTest}) found to break a parser, as plain regression tests. */
class FuzzFindingsTest {
    private static final int VIDEO_PID = 0x100;

    /**
     * Found by {@code TsFuzzTest#demux}: a PES whose optional header has PES_header_data_length 0 (no PTS, legal)
     * made {@code EsParser.header} loop for ever.
     */
    @Test
    void pesWithoutTimestampsDoesNotHangTheDemuxer() {
        byte[] ts = new TsWriter()
                .section(TsPacket.PAT_PID, TsWriter.patSection(1, 0, 1, 0x1000))
                .section(0x1000, TsWriter.pmtSection(1, 0, VIDEO_PID, Pmt.STREAM_TYPE_H264, VIDEO_PID))
                .pes(VIDEO_PID, 0xE0, Timestamps.NONE, Timestamps.NONE, new byte[] {0, 0, 0, 1, 0x09, (byte) 0xF0})
                .pes(VIDEO_PID, 0xE0, 900, 900, new byte[] {0, 0, 0, 1, 0x09, (byte) 0xF0})
                .toByteArray();
        int pes = TsPacket.payloadOffset(ts, 2 * TsPacket.SIZE);
        assertThat(ts[pes + 8]).as("PES_header_data_length").isZero();
        Events events = new Events();
        TsDemux demux = new TsDemux(events);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            demux.feed(ts, 0, ts.length);
            demux.flush();
        });
        assertThat(demux.packets()).isEqualTo(ts.length / TsPacket.SIZE);
        assertThat(events.lines).filteredOn(line -> line.startsWith("pes ")).hasSize(2);
    }
}
