package lookout.config;

import java.nio.file.Path;

/**
 * The model registry as detectors and publishers use it ({@code lookout.models.*}).
 *
 * @param watch      detectors follow the registry's serving version (hot swap)
 * @param cacheDir   where a detector writes the versions it reassembles
 * @param chunkBytes size of the pieces model.pt is cut into on {@code lookout.models}
 */
public record ModelsSettings(boolean watch, Path cacheDir, int chunkBytes) {
}
