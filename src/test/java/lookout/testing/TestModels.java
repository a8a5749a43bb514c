package lookout.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import lookout.config.LookoutConfig;

/** Where tests find the tiny test model and the real data; skips (not fails) when absent. */
public final class TestModels {
    private TestModels() {
    }

    /** The tiny model dir (system property lookout.test.model.dir); skips the test if missing. */
    public static Path tinyModelDir() {
        String dir = System.getProperty("lookout.test.model.dir", "build/models/tiny");
        Path path = Path.of(dir);
        assumeTrue(Files.isRegularFile(path.resolve("model.pt")) && Files.isRegularFile(path.resolve("model.json")),
                "SKIPPED: tiny test model not found in " + path.toAbsolutePath()
                        + " (run `bash model/make_test_model.sh` from the repo root first)");
        return path;
    }

    /**
     * The tiny two-stage model (the default model's design in small: frozen stand-in teacher, trainable
     * second proposal head with an lrFactors entry, stage 2): build/models/tiny-rcnn beside the tiny
     * model; skips the test if missing.
     */
    public static Path tinyTwoStageModelDir() {
        Path path = tinyModelDir().resolveSibling("tiny-rcnn");
        assumeTrue(Files.isRegularFile(path.resolve("model.pt")) && Files.isRegularFile(path.resolve("model.json")),
                "SKIPPED: tiny two-stage model not found in " + path.toAbsolutePath()
                        + " (run `bash model/make_test_model.sh` from the repo root first)");
        return path;
    }

    /** A folder of the real data (lookout.data.dir, env LOOKOUT_DATA_DIR); skips the test if missing. */
    public static Path dataDir(String sub) {
        Path path = LookoutConfig.current().dataDir().resolve(sub);
        assumeTrue(Files.isDirectory(path), "SKIPPED: real data not found at " + path.toAbsolutePath().normalize()
                + " (see ../shared/data/README.md; set LOOKOUT_DATA_DIR or -Dlookout.data.dir)");
        return path;
    }
}
