package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

/** FFmpeg's own lines (at debug level they name the URL) reach the log through the redacting callback. */
class FfmpegLoggingTest {

    @Test
    void shouldRouteFfmpegsOwnLinesThroughRedaction() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("lookout.ffmpeg");
        logger.addHandler(capture);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try {
            FfmpegLogging.apply("debug");
            String url = "http://viewer:Secr3t-" + port + "@127.0.0.1:" + port + "/video.cgi?user=viewer&pwd=qwerty" + port;
            assertThatThrownBy(() -> FfmpegSource.open(url, SourceKind.STREAM, Duration.ofSeconds(2), null))
                    .isInstanceOf(SourceException.class).hasMessageNotContaining("Secr3t").hasMessageNotContaining("qwerty");
        } finally {
            logger.removeHandler(capture);
        }
        // FFmpeg names the input it opens (with the password): that line came through, redacted
        assertThat(lines).as("FFmpeg's lines came through the callback")
                .anyMatch(l -> l.contains("Opening 'http://viewer:***@127.0.0.1:" + port + "/video.cgi?user=***&pwd=***'"));
        assertThat(String.join("\n", lines)).doesNotContain("Secr3t").doesNotContain("qwerty" + port)
                .contains("127.0.0.1");
    }
}
