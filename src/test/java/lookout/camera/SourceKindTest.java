package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Redact;

class SourceKindTest {

    @Test
    void shouldTellStreamsDevicesFilesAndFoldersApart(@TempDir Path dir) {
        assertThat(SourceKind.of("rtsp://10.0.0.7:554/stream1")).isEqualTo(SourceKind.STREAM);
        assertThat(SourceKind.of("rtmp://host/live/key")).isEqualTo(SourceKind.STREAM);
        assertThat(SourceKind.of("http://cam/mjpg/video.mjpg")).isEqualTo(SourceKind.STREAM);
        assertThat(SourceKind.of("/dev/video0")).isEqualTo(SourceKind.DEVICE);
        assertThat(SourceKind.of(dir.toString())).isEqualTo(SourceKind.FOLDER);
        assertThat(SourceKind.of(dir.resolve("clip.mp4").toString())).isEqualTo(SourceKind.FILE);
        assertThat(SourceKind.of("file://" + dir)).isEqualTo(SourceKind.FOLDER);
        assertThat(SourceKind.STREAM.live()).isTrue();
        assertThat(SourceKind.FILE.live()).isFalse();
    }

    @Test
    void shouldKeepPasswordsOutOfLogs() {
        assertThat(Redact.url("cannot open rtsp://admin:s3cret@10.0.0.7:554/s1: refused"))
                .isEqualTo("cannot open rtsp://admin:***@10.0.0.7:554/s1: refused");
        assertThat(Redact.url("rtsp://10.0.0.7:554/s1")).isEqualTo("rtsp://10.0.0.7:554/s1");
    }
}
