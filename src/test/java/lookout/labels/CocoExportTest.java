package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.SafePaths;
import lookout.testing.TestFrames;

class CocoExportTest {

    private static LabelSample sample(String id) {
        return new LabelSample(id, TestFrames.jpeg(32, 24), 32, 24, List.of(), List.of(), "cam", null);
    }

    @Test
    void shouldKeepEveryHostileSampleIdBelowTheExportFolder(@TempDir Path dir) {
        Path images = dir.resolve("img");
        for (String id : List.of("/etc/passwd", "../../escape", "a/../../b", "./.././x", "//", "..", "cam/../../../../tmp/x",
                "C:\\\\Windows\\\\x", "a/./b/../c", "\u0000nul", "~/.ssh/authorized_keys")) {
            String name = CocoExport.fileName(sample(id));
            assertThat(Path.of(name).isAbsolute()).as(id).isFalse();
            Path p = SafePaths.under(images, name);
            assertThat(p.startsWith(images.toAbsolutePath().normalize())).as(id + " -> " + p).isTrue();
            assertThat(p).as(id).isNotEqualTo(images.toAbsolutePath().normalize());
        }
        assertThat(CocoExport.fileName(sample("tud/TUD-Stadtmitte/000001"))).isEqualTo("tud/TUD-Stadtmitte/000001.jpg");
    }

    @Test
    void shouldRefuseAPathThatLeavesItsBase(@TempDir Path dir) {
        assertThatThrownBy(() -> SafePaths.under(dir, "/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SafePaths.under(dir, "a/../../b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(SafePaths.under(dir, "a/b/c.jpg")).isEqualTo(dir.toAbsolutePath().normalize().resolve("a/b/c.jpg"));
    }
}
