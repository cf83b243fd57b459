package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.media.VideoDecoder;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsDemux;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pattern camera's own stream, caught on loopback, demuxed by the ts module and decoded by the media module. */
class PatternDecodeTest {

    @Test
    void everyFrameSentIsDecoded() throws Exception {
        try (UdpReceiver capture = UdpReceiver.open("127.0.0.1")) {
            CameraConfig config = CameraConfig.pattern(
                            Destination.of(new InetSocketAddress("127.0.0.1", capture.port())))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 240).withFps(30).withGop(30)
                            .withBitrate(500_000))
                    .withDuration(Duration.ofSeconds(2));
            CameraStats stats = CameraRuns.runToEnd(config, capture);
            ByteArrayOutputStream ts = new ByteArrayOutputStream();
            capture.timed().forEach(d -> ts.writeBytes(d.bytes()));
            byte[] bytes = ts.toByteArray();

            List<Long> pts = new ArrayList<>();
            List<String> sizes = new ArrayList<>();
            try (VideoDecoder decoder = new VideoDecoder()) {
                AccessUnitAssembler assembler = new AccessUnitAssembler(au -> decoder.decode(au, f -> {
                    pts.add(f.pts());
                    sizes.add(f.width() + "x" + f.height());
                    byte[] small = f.grey(133, 100);
                    assertThat(small).hasSize(133 * 100);
                }));
                TsDemux demux = new TsDemux(assembler);
                demux.feed(bytes, 0, bytes.length);
                demux.flush();
                assembler.flush();
                decoder.flush(f -> {
                    pts.add(f.pts());
                    sizes.add(f.width() + "x" + f.height());
                });
                assertThat(decoder.errors()).isZero();
                assertThat(decoder.skipped()).isZero();
                assertThat(assembler.dropped()).isZero();
            }
            assertThat(stats.framesEncoded()).isEqualTo(60);
            assertThat(pts).hasSize((int) stats.framesEncoded());
            assertThat(sizes).containsOnly("320x240");
            for (int i = 1; i < pts.size(); i++) {
                assertThat(pts.get(i) - pts.get(i - 1)).as("PTS step at frame %d", i)
                        .isEqualTo(Timestamps.PTS_HZ / 30);
            }
        }
    }
}
