package lookout.finetune;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import lookout.common.Json;
import lookout.common.Sha256;
import lookout.model.Lineage;
import lookout.model.ModelArtifact;
import lookout.model.ModelArtifactException;

/** Saves a (fine-tuned) TorchScript module as an artifact dir: model.pt, then model.json stamped by the lineage rule. */
public final class ArtifactWriter {
    private ArtifactWriter() {
    }

    /** Writes the module's TorchScript to {@code file} (via a temp file, so readers never see half a model). */
    public static void writeModule(PtSymbolBlock block, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            JniUtils.writeModule(block, out, false);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Writes model.pt, then model.json as the lineage rule derives it from the parent's (see
     * {@link Lineage#derive}) plus a training summary, and re-opens the result to verify it.
     */
    public static ModelArtifact write(PtSymbolBlock block, ModelArtifact parent, Path dir, String version,
            String dataFingerprint, Map<String, Object> training) throws IOException, ModelArtifactException {
        Files.createDirectories(dir);
        Path model = dir.resolve(ModelArtifact.MODEL_FILE);
        writeModule(block, model);
        ObjectNode meta = Lineage.derive(parent.rawMetadata(), version, dataFingerprint, Sha256.hex(model));
        meta.set("training", Json.MAPPER.valueToTree(training));
        Path json = dir.resolve(ModelArtifact.METADATA_FILE);
        Path tmp = dir.resolve(ModelArtifact.METADATA_FILE + ".tmp");
        Json.pretty().writeValue(tmp.toFile(), meta);
        Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return ModelArtifact.open(dir);
    }
}
