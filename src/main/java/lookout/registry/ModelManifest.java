package lookout.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import lookout.model.ModelMetadata;

/**
 * The last record of a published model (key = version): says how many chunks make up
 * {@code model.pt}, its size and sha256, and carries {@code model.json}. A version is visible only
 * once its manifest is, and the whole publish is one Kafka transaction.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(String version, int chunks, int chunkSize, long size, String sha256, long publishedAt,
        ModelMetadata metadata) {
}
