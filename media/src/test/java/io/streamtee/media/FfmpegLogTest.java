package io.streamtee.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;

import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
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
        // on a thread of its own (the last error is the thread's); get() rethrows what its assertions threw
        FutureTask<Void> onItsThread = new FutureTask<>(() -> {
            Ffmpeg.logAs(LoggerFactory.getLogger("ffmpeg.test"));
            Ffmpeg.log(AV_LOG_WARNING, "a warning\n");
            assertThat(Ffmpeg.lastError()).isNull();
            Ffmpeg.log(AV_LOG_ERROR, "method DESCRIBE failed: 404 Not Found for rtsp://a:b@h/x\n");
            assertThat(Ffmpeg.lastError()).isEqualTo("method DESCRIBE failed: 404 Not Found for rtsp://a:***@h/x");
            assertThat(Ffmpeg.lastError()).isNull();
            return null;
        });
        Thread.ofPlatform().start(onItsThread);
        onItsThread.get(10, TimeUnit.SECONDS);
        Ffmpeg.log(AV_LOG_ERROR, "on a thread that named no logger");
        assertThat(Ffmpeg.lastError()).isNull();
    }

    @Test
    void theDefaultLoggerShowsTwentyLinesInTenSecondsAndSaysHowManyItDidNotShow() {
        Ffmpeg.LineBudget budget = new Ffmpeg.LineBudget();
        long t = 5_000_000_000L;
        for (int i = 0; i < Ffmpeg.LineBudget.LINES_PER_WINDOW; i++) {
            assertThat(budget.take(t + i)).as("line %d", i).isZero();
        }
        assertThat(budget.take(t + 100)).isEqualTo(-1);
        assertThat(budget.take(t + Ffmpeg.LineBudget.WINDOW_NANOS - 1)).isEqualTo(-1);
        // the next window: the first line comes with the count of those not shown
        assertThat(budget.take(t + Ffmpeg.LineBudget.WINDOW_NANOS)).isEqualTo(2);
        assertThat(budget.take(t + Ffmpeg.LineBudget.WINDOW_NANOS + 1)).isZero();
    }
}
