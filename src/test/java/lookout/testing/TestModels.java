package lookout.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Json;
import lookout.common.Sha256;

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

    /**
     * A copy of a TorchScript artifact whose model.pt differs from the original only in its zip
     * comment (the same network, another sha256), stamped as {@code version}: distinct versions of
     * the tiny model for swap tests. Refuses a file whose zip end record already has a comment.
     */
    public static Path variant(Path model, Path dir, String version) throws java.io.IOException {
        byte[] pt = Files.readAllBytes(model.resolve("model.pt"));
        int eocd = pt.length - 22; // end of central directory record, no comment yet
        if (eocd < 0 || pt[eocd] != 'P' || pt[eocd + 1] != 'K' || pt[eocd + 2] != 5 || pt[eocd + 3] != 6
                || pt[pt.length - 2] != 0 || pt[pt.length - 1] != 0) {
            throw new IllegalArgumentException(model + "/model.pt does not end in a comment-free zip end record");
        }
        byte[] comment = ("lookout test variant " + version).getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(pt, pt.length + comment.length);
        out[pt.length - 2] = (byte) comment.length;
        out[pt.length - 1] = (byte) (comment.length >> 8);
        System.arraycopy(comment, 0, out, pt.length, comment.length);
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.pt"), out);
        ObjectNode meta = (ObjectNode) Json.MAPPER.readTree(model.resolve("model.json").toFile());
        meta.put("version", version).put("sha256", Sha256.hex(out));
        Json.pretty().writeValue(dir.resolve("model.json").toFile(), meta);
        return dir;
    }
}
