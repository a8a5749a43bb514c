package lookout.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Which version every detector should serve (key {@code serving} on {@code lookout.models}).
 *
 * @param version  the version to serve
 * @param previous the version served before, for a plain rollback
 * @param reason   published, promote, rollback
 * @param ts       epoch ms
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServingPointer(String version, String previous, String reason, long ts) {
}
