package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CameraConfigFileTest {
    private static final CameraSpec DEFAULTS = new CameraSpec("defaults", "-", 0, 0, 80, false, true);

    @Test
    void shouldReadOneCameraPerLineWithOptionsAndDefaults() {
        List<CameraSpec> specs = CameraConfigFile.parse(List.of(
                "# id   source                         options",
                "door   rtsp://u:p@10.0.0.7:554/s1     fps=5 max-width=1280   # the front door",
                "",
                "park   \"/srv/video/car park.mp4\"      loop jpeg-quality=70 as-fast-as-possible",
                "lobby  /srv/snapshots/lobby/"), "cameras.conf", DEFAULTS);

        assertThat(specs).containsExactly(
                new CameraSpec("door", "rtsp://u:p@10.0.0.7:554/s1", 5, 1280, 80, false, true),
                new CameraSpec("park", "/srv/video/car park.mp4", 0, 0, 70, true, false),
                new CameraSpec("lobby", "/srv/snapshots/lobby/", 0, 0, 80, false, true));
    }

    @Test
    void shouldNameTheFileAndLineOfAMistake() {
        assertThatThrownBy(() -> CameraConfigFile.parse(List.of("a /x.mp4", "b /y.mp4 fsp=5"), "cams.conf", DEFAULTS))
                .hasMessageContaining("cams.conf:2").hasMessageContaining("unknown option 'fsp=5'");
        assertThatThrownBy(() -> CameraConfigFile.parse(List.of("a /x.mp4 fps=fast"), "c", DEFAULTS))
                .hasMessageContaining("c:1").hasMessageContaining("needs a number");
        assertThatThrownBy(() -> CameraConfigFile.parse(List.of("a /x.mp4", "a /y.mp4"), "c", DEFAULTS))
                .hasMessageContaining("c:2").hasMessageContaining("used twice");
        assertThatThrownBy(() -> CameraConfigFile.parse(List.of("lonely"), "c", DEFAULTS))
                .hasMessageContaining("c:1");
        assertThatThrownBy(() -> CameraConfigFile.parse(List.of("# nothing"), "c", DEFAULTS))
                .hasMessageContaining("no cameras");
    }

    @Test
    void shouldRefuseACameraIdLongerThanTheDetectorAccepts() {
        assertThatThrownBy(() -> CameraSpec.of("c".repeat(300), "rtsp://x/y", 80))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("camera id is 300 bytes, limit 256");
    }

    @Test
    void shouldReadCountingLinesForTheDetectorWhileTheBridgeIgnoresThem(@TempDir Path dir) throws Exception {
        // Given a cameras file where one camera has a counting line
        Path file = Files.write(dir.resolve("cameras.conf"), List.of(
                "door   rtsp://10.0.0.7/s1   fps=5 line=0,0.6,1,0.6",
                "lobby  /srv/snapshots/lobby/"));
        // Then the bridge reads both cameras as before, and the detector reads door's line
        assertThat(CameraConfigFile.read(file, DEFAULTS)).extracting(CameraSpec::cameraId).containsExactly("door", "lobby");
        Map<String, double[]> lines = CameraConfigFile.countingLines(file);
        assertThat(lines).containsOnlyKeys("door");
        assertThat(lines.get("door")).containsExactly(0, 0.6, 1, 0.6);
    }

    @Test
    void shouldRefuseACountingLineOutsideTheFrame() {
        assertThatThrownBy(() -> CameraConfigFile.parse(List.of("a /x.mp4 line=0,300,640,300"), "c", DEFAULTS))
                .hasMessageContaining("c:1").hasMessageContaining("fractions of the frame");
        assertThatThrownBy(() -> CameraConfigFile.parse(List.of("a /x.mp4 line=0,0.5,1"), "c", DEFAULTS))
                .hasMessageContaining("c:1").hasMessageContaining("x1,y1,x2,y2");
    }
}
