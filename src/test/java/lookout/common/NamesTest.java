package lookout.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void shouldAcceptVersionNamesAndRefuseAnythingPathLike() {
        assertThat(Names.isVersion("1")).isTrue();
        assertThat(Names.isVersion("2024-05-01.rc_1")).isTrue();
        for (String bad : new String[] {null, "", "../trav", "..", ".", "a/b", "a\\b", "/etc", " 1", "v\u0000",
                "x".repeat(65), "-1", "é"}) {
            assertThat(Names.isVersion(bad)).as("%s", bad).isFalse();
        }
        assertThatThrownBy(() -> Names.requireVersion("../trav")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid version \"../trav\"");
    }

    @Test
    void shouldBoundCameraIdsInBytesNotCharacters() {
        assertThat(Names.cameraProblem("door-1")).isNull();
        assertThat(Names.cameraProblem("é".repeat(128))).isNull(); // 256 bytes
        assertThat(Names.cameraProblem("é".repeat(129))).contains("258 bytes, limit 256");
        assertThat(Names.cameraProblem(" ")).isEqualTo("camera id is empty");
    }

    @Test
    void shouldClipLongTextWithANoteOfWhatWasCut() {
        assertThat(Names.clip("short", 10)).isEqualTo("short");
        assertThat(Names.clip("x".repeat(5_000_000), 20)).isEqualTo("x".repeat(20) + "...(4999980 more chars)");
    }

    @Test
    void shouldKeepNamesInsideTheirDirectory() {
        Path base = Path.of("/tmp/cache");
        assertThat(SafePaths.inside(base, "7")).isEqualTo(Path.of("/tmp/cache/7"));
        for (String bad : new String[] {"../trav", "..", ".", "a/b", "/etc/passwd", "a/../../b", ""}) {
            assertThatThrownBy(() -> SafePaths.inside(base, bad)).as("%s", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
