package lookout.registry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Json;
import lookout.model.ModelMetadata;
import lookout.trust.ModelSignature;
import lookout.trust.ModelStatement;

/**
 * The last record of a published model (key = version): says how many chunks make up
 * {@code model.pt}, its size and sha256, and carries {@code model.json} and the publisher's signature
 * over both ({@link #statement()}). A version is visible only once its manifest is, and the whole
 * publish is one Kafka transaction.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(String version, int chunks, int chunkSize, long size, String sha256, long publishedAt,
        ObjectNode metadata, ModelSignature signature) {

    /** What the signature vouches for: this version's bytes (sha256, size) and model.json. */
    @JsonIgnore
    public ModelStatement statement() {
        return ModelStatement.of(version, sha256, size, metadata);
    }

    /** model.json as the typed record (unknown fields dropped). */
    @JsonIgnore
    public ModelMetadata meta() {
        if (metadata == null) {
            return null;
        }
        try {
            return Json.MAPPER.treeToValue(metadata, ModelMetadata.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable model.json in manifest of " + version, e);
        }
    }
}
