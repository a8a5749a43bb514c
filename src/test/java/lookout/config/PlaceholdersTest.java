package lookout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlaceholdersTest {

    @Test
    void shouldResolveVariablesFilesAndTheFileConvention(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("pw"), "fr0m:f1le@x\n");
        Placeholders p = Placeholders.of(Map.of("CAM_USER", "admin", "CAM_PW_FILE", secret.toString()));
        Placeholders.Expanded e = p.expand("rtsp://${CAM_USER}:${CAM_PW}@10.0.0.7/s?k=${file:" + secret + "}&cost=$$5");
        assertThat(e.text()).isEqualTo("rtsp://admin:fr0m:f1le@x@10.0.0.7/s?k=fr0m:f1le@x&cost=$5");
        assertThat(e.values()).containsExactly("admin", "fr0m:f1le@x", "fr0m:f1le@x");
    }

    @Test
    void shouldLeaveTextWithoutReferencesAlone() {
        assertThat(Placeholders.of(Map.of()).expand("rtsp://u:p$w@h/x").text()).isEqualTo("rtsp://u:p$w@h/x");
    }

    @Test
    void shouldNameAnUnresolvedReferenceButNeverAValue(@TempDir Path dir) {
        Placeholders p = Placeholders.of(Map.of("OTHER", "s3cret-value"));
        assertThatThrownBy(() -> p.expand("rtsp://u:${DOOR_PW}@h/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("${DOOR_PW} is not set").hasMessageContaining("DOOR_PW_FILE");
        assertThatThrownBy(() -> p.expand("${file:" + dir.resolve("missing") + "}"))
                .hasMessageContaining("cannot read");
        assertThatThrownBy(() -> p.expand("${no such}")).hasMessageContaining("is no reference");
    }
}
