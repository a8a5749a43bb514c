package lookout.trust;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A signature over a {@link ModelStatement}, as it travels in a manifest on {@code lookout.models}.
 *
 * @param alg   always Ed25519
 * @param keyId the signing key's id ({@link ModelKeys#keyId})
 * @param value the signature, base64
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSignature(String alg, String keyId, String value) {
}
