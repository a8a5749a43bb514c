package lookout.train;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import lookout.model.ModelArtifact;
import lookout.model.ModelArtifactException;

/** Saves a (fine-tuned) TorchScript module as an artifact dir: model.pt, then model.json with its sha256. */
public final class ArtifactWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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

    /** Next version: integer + 1, otherwise the parent's version with ".1" appended. */
    public static String nextVersion(String parent) {
        if (parent == null) {
            return "1";
        }
        try {
            return Long.toString(Long.parseLong(parent.trim()) + 1);
        } catch (NumberFormatException e) {
            return parent + ".1";
        }
    }

    /**
     * Writes model.pt and model.json (parent's metadata with a new version, parent, data fingerprint,
     * creation time, fresh sha256, metrics cleared, training summary) and re-opens the result to verify it.
     */
    public static ModelArtifact write(PtSymbolBlock block, ModelArtifact parent, Path dir, String version,
            String dataFingerprint, Map<String, Object> training) throws IOException, ModelArtifactException {
        Files.createDirectories(dir);
        writeModule(block, dir.resolve(ModelArtifact.MODEL_FILE));
        ObjectNode meta = parent.rawMetadata();
        meta.put("version", version);
        meta.put("parent", parent.metadata().version());
        meta.put("dataFingerprint", dataFingerprint);
        meta.put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        meta.putObject("metrics");
        meta.set("training", JSON.valueToTree(training));
        meta.put("sha256", ModelArtifact.sha256(dir.resolve(ModelArtifact.MODEL_FILE)));
        Path json = dir.resolve(ModelArtifact.METADATA_FILE);
        Path tmp = dir.resolve(ModelArtifact.METADATA_FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), meta);
        Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return ModelArtifact.open(dir);
    }
}
