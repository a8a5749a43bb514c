package lookout.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArtifactWriterTest {
    @Test
    void shouldBumpIntegerVersionsAndExtendOthers() {
        assertThat(ArtifactWriter.nextVersion("1")).isEqualTo("2");
        assertThat(ArtifactWriter.nextVersion(" 41 ")).isEqualTo("42");
        assertThat(ArtifactWriter.nextVersion("1.3")).isEqualTo("1.3.1");
        assertThat(ArtifactWriter.nextVersion(null)).isEqualTo("1");
    }
}
