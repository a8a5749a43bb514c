package lookout.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Sha256;

class ModelArtifactTest {
    @TempDir
    Path tmp;

    private Path artifact(String json, byte[] model) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("a"));
        if (model != null) {
            Files.write(dir.resolve("model.pt"), model);
        }
        if (json != null) {
            Files.writeString(dir.resolve("model.json"), json);
        }
        return dir;
    }

    @Test
    void shouldOpenAnArtifactWhoseChecksumMatches() throws Exception {
        byte[] model = "weights".getBytes();
        Path dir = artifact("{}", model);
        String sha = Sha256.hex(dir.resolve("model.pt"));
        Files.writeString(dir.resolve("model.json"), """
                {"name":"m","version":"3","classes":["__background__","person"],"sha256":"%s",
                 "frozenPrefixes":["a.","b."],"scoreThresh":0.3,"somethingNew":1}""".formatted(sha));
        ModelArtifact artifact = ModelArtifact.open(dir);
        assertThat(artifact.metadata().version()).isEqualTo("3");
        assertThat(artifact.frozenPrefixes()).containsExactly("a.", "b.");
        assertThat(artifact.scoreThreshold()).contains(0.3);
        assertThat(artifact.classIndex("person")).isEqualTo(1);
        assertThat(artifact.rawMetadata().has("somethingNew")).isTrue();
        assertThat(sha).hasSize(64).isEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(model)));
    }

    @Test
    void shouldNameExpectedAndActualChecksumsOnMismatch() throws Exception {
        Path dir = artifact("""
                {"name":"m","version":"1","classes":["__background__","person"],"sha256":"00ff"}""", "w".getBytes());
        assertThatThrownBy(() -> ModelArtifact.open(dir)).isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("expects 00ff")
                .hasMessageContaining(Sha256.hex(dir.resolve("model.pt")));
    }

    @Test
    void shouldRefuseMissingFilesAndBadMetadata() throws Exception {
        assertThatThrownBy(() -> ModelArtifact.open(tmp.resolve("nope"))).isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("does not exist");
        Path noModel = artifact("{}", null);
        assertThatThrownBy(() -> ModelArtifact.open(noModel)).hasMessageContaining("has no model.pt");
        Files.write(noModel.resolve("model.pt"), new byte[] {1});
        Files.writeString(noModel.resolve("model.json"), "{not json");
        assertThatThrownBy(() -> ModelArtifact.open(noModel)).isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("cannot parse");
        Files.writeString(noModel.resolve("model.json"), "{\"classes\":[\"a\"]}");
        assertThatThrownBy(() -> ModelArtifact.open(noModel)).hasMessageContaining("no sha256");
        Files.delete(noModel.resolve("model.json"));
        assertThatThrownBy(() -> ModelArtifact.open(noModel)).hasMessageContaining("has no model.json");
    }
}
