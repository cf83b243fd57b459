package io.streamtee.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** FFmpeg's own messages: the password of every URL in them masked, a thread's last error kept for its own line. */
class FfmpegLogTest {

    @Test
    void everyUrlsPasswordIsMasked() {
        assertThat(Ffmpeg.mask("[rtsp @ 0x1] Connection to rtsp://admin:s3cret@10.0.0.7:554/h264 failed"))
                .isEqualTo("[rtsp @ 0x1] Connection to rtsp://admin:***@10.0.0.7:554/h264 failed");
        assertThat(Ffmpeg.mask("rtsps://u:p@a/x and srt://h:1?passphrase=x then rtsp://v:q:r@b:1/y"))
                .isEqualTo("rtsps://u:***@a/x and srt://h:1?passphrase=x then rtsp://v:***@b:1/y");
        assertThat(Ffmpeg.mask("rtsp://user@cam/1 mail@example.org")).isEqualTo("rtsp://user@cam/1 mail@example.org");
    }

    @Test
    void aThreadThatNamedItsLoggerGetsItsLastErrorMasked() throws Exception {
        Thread t = Thread.ofPlatform().start(() -> {
            Ffmpeg.logAs(LoggerFactory.getLogger("ffmpeg.test"));
            Ffmpeg.log(AV_LOG_WARNING, "a warning\n");
            assertThat(Ffmpeg.lastError()).isNull();
            Ffmpeg.log(AV_LOG_ERROR, "method DESCRIBE failed: 404 Not Found for rtsp://a:b@h/x\n");
            assertThat(Ffmpeg.lastError()).isEqualTo("method DESCRIBE failed: 404 Not Found for rtsp://a:***@h/x");
            assertThat(Ffmpeg.lastError()).isNull();
        });
        t.join();
        Ffmpeg.log(AV_LOG_ERROR, "on a thread that named no logger");
        assertThat(Ffmpeg.lastError()).isNull();
    }
}
