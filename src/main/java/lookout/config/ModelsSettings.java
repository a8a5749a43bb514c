package lookout.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The model registry as detectors and publishers use it ({@code lookout.models.*}).
 *
 * @param watch        detectors follow the registry's serving version (hot swap)
 * @param cacheDir     where a detector writes the versions it reassembles
 * @param chunkBytes   size of the pieces model.pt is cut into on {@code lookout.models}
 * @param signingKey   the private key that signs published models: a file, or {@code base64:<PKCS#8>}; empty = none
 * @param trustedKeys  public keys whose signatures a reader accepts: files or {@code base64:<X.509>}
 * @param generateKeys create the signing key pair at first use when its file is missing (demo, laptop)
 */
public record ModelsSettings(boolean watch, Path cacheDir, int chunkBytes, String signingKey, List<String> trustedKeys,
        boolean generateKeys) {
}
