package lookout.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Json;
import lookout.common.Sha256;

/**
 * A model artifact directory: {@code model.pt} (TorchScript) and {@code model.json} (metadata).
 * {@link #open(Path)} refuses a directory whose files are missing, whose metadata does not parse
 * or whose {@code model.pt} does not match the sha256 recorded in {@code model.json}.
 */
public final class ModelArtifact {
    public static final String MODEL_FILE = "model.pt";
    public static final String METADATA_FILE = "model.json";
    /** The file name without extension, as DJL's {@code optModelName} wants it. */
    public static final String MODEL_NAME = "model";

    private final Path dir;
    private final ModelMetadata metadata;
    private final ObjectNode rawMetadata;

    private ModelArtifact(Path dir, ModelMetadata metadata, ObjectNode rawMetadata) {
        this.dir = dir;
        this.metadata = metadata;
        this.rawMetadata = rawMetadata;
    }

    /** Opens and verifies an artifact directory (files present, metadata parses, sha256 matches). */
    public static ModelArtifact open(Path dir) throws ModelArtifactException {
        if (dir != null && Files.isRegularFile(dir)) {
            throw new ModelArtifactException(dir + " is a file: a model artifact is the directory that holds "
                    + MODEL_FILE + " and " + METADATA_FILE + (dir.getParent() != null ? " (" + dir.getParent() + "?)" : ""));
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ModelArtifactException("model artifact directory does not exist: " + dir);
        }
        Path model = dir.resolve(MODEL_FILE);
        Path json = dir.resolve(METADATA_FILE);
        if (!Files.isRegularFile(model)) {
            throw new ModelArtifactException("model artifact " + dir + " has no " + MODEL_FILE);
        }
        if (!Files.isRegularFile(json)) {
            throw new ModelArtifactException("model artifact " + dir + " has no " + METADATA_FILE);
        }
        ObjectNode raw;
        ModelMetadata metadata;
        try {
            JsonNode tree = Json.MAPPER.readTree(json.toFile());
            if (!(tree instanceof ObjectNode object)) {
                throw new ModelArtifactException(json + " is not a JSON object");
            }
            raw = object;
            metadata = Json.MAPPER.treeToValue(raw, ModelMetadata.class);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot parse " + json + ": " + e.getMessage(), e);
        }
        if (metadata.classes() == null || metadata.classes().isEmpty()) {
            throw new ModelArtifactException(json + " lists no classes");
        }
        if (metadata.sha256() == null || metadata.sha256().isBlank()) {
            throw new ModelArtifactException(json + " records no sha256 for " + MODEL_FILE + "; refusing to load an unverified model");
        }
        String actual;
        try {
            actual = Sha256.hex(model);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot read " + model + ": " + e.getMessage(), e);
        }
        if (!actual.equalsIgnoreCase(metadata.sha256().trim())) {
            throw new ModelArtifactException("sha256 mismatch for " + model + ": model.json expects "
                    + metadata.sha256().trim() + ", file has " + actual);
        }
        return new ModelArtifact(dir, metadata, raw);
    }

    public Path dir() {
        return dir;
    }

    public Path modelFile() {
        return dir.resolve(MODEL_FILE);
    }

    public Path metadataFile() {
        return dir.resolve(METADATA_FILE);
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    /** The whole model.json, unknown fields included (a copy: callers may modify it). */
    public ObjectNode rawMetadata() {
        return rawMetadata.deepCopy();
    }

    /** Parameter-name prefixes to keep frozen while fine-tuning ({@code frozenPrefixes}); empty if absent. */
    public List<String> frozenPrefixes() {
        List<String> prefixes = new ArrayList<>();
        JsonNode node = rawMetadata.get("frozenPrefixes");
        if (node != null && node.isArray()) {
            node.forEach(p -> prefixes.add(p.asText()));
        }
        return prefixes;
    }

    /**
     * Learning-rate multipliers of the fine-tuner by parameter-name prefix ({@code lrFactors}, e.g. a
     * proposal head that learns faster than the box head); empty if absent. Non-numbers and negative
     * factors are left out.
     */
    public Map<String, Float> lrFactors() {
        Map<String, Float> factors = new LinkedHashMap<>();
        JsonNode node = rawMetadata.get("lrFactors");
        if (node != null && node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getValue().isNumber() && e.getValue().asDouble() >= 0) {
                    factors.put(e.getKey(), (float) e.getValue().asDouble());
                }
            });
        }
        return factors;
    }

    /** The score threshold the exporter recommends ({@code scoreThresh}), if any. */
    public Optional<Double> scoreThreshold() {
        JsonNode node = rawMetadata.get("scoreThresh");
        return node != null && node.isNumber() ? Optional.of(node.asDouble()) : Optional.empty();
    }

    /** Index of a class name in {@code classes}, or -1. */
    public int classIndex(String name) {
        return metadata.classes().indexOf(name);
    }

    @Override
    public String toString() {
        return metadata.name() + " v" + metadata.version() + " (" + dir + ")";
    }
}
