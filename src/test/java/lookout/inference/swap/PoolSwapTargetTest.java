package lookout.inference.swap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;
import lookout.common.Sha256;
import lookout.detect.DetectionMetrics;
import lookout.frames.DecodedImage;
import lookout.inference.DetectorFactory;
import lookout.inference.DjlDetector;
import lookout.inference.InferencePool;
import lookout.testing.TestModels;

/** Hot swap on real DJL detectors with the tiny test model (skipped when it has not been built). */
class PoolSwapTargetTest {
    @TempDir
    Path tmp;

    private Path copyAs(Path tiny, String version, byte[] modelBytes) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("v" + version));
        Files.write(dir.resolve("model.pt"), modelBytes);
        ObjectNode meta = (ObjectNode) Json.MAPPER.readTree(tiny.resolve("model.json").toFile());
        meta.put("version", version).put("sha256", Sha256.hex(dir.resolve("model.pt")));
        Json.MAPPER.writeValue(dir.resolve("model.json").toFile(), meta);
        return dir;
    }

    @Test
    void shouldServeNewVersionAfterSwapAndKeepServingWhenNextOneFailsToLoad() throws Exception {
        Path tiny = TestModels.tinyModelDir();
        DecodedImage frame = new DecodedImage(64, 48, new byte[64 * 48 * 3]);
        try (InferencePool pool = new InferencePool(List.of(DjlDetector.load(tiny, "cpu")), 2,
                Duration.ofMillis(5), 8, new DetectionMetrics(new SimpleMeterRegistry())).start()) {
            PoolSwapTarget target = new PoolSwapTarget(pool, List.of("cpu"), DetectorFactory.DJL);
            String before = pool.model().version();

            target.swapTo(null, copyAs(tiny, "42", Files.readAllBytes(tiny.resolve("model.pt"))));
            assertThat(pool.model().version()).isEqualTo("42").isNotEqualTo(before);
            assertThat(pool.submit(frame).get(30, TimeUnit.SECONDS).model().version()).isEqualTo("42");

            // checksum fine (it matches what was published), but not TorchScript: refused at load
            Path broken = copyAs(tiny, "43", "this is not a TorchScript archive".getBytes());
            assertThatThrownBy(() -> target.swapTo(null, broken)).isInstanceOf(Exception.class);
            assertThat(pool.model().version()).isEqualTo("42");
            assertThat(pool.submit(frame).get(30, TimeUnit.SECONDS).model().version()).isEqualTo("42");
        }
    }

    @Test
    void shouldLoadAVariantOfTheTinyModelThatDiffersOnlyInItsZipComment() throws Exception {
        // Given the tiny model and a variant of it (other bytes, other sha256, the same network)
        Path tiny = TestModels.tinyModelDir();
        Path variant = TestModels.variant(tiny, tmp.resolve("variant"), "9");
        assertThat(Sha256.hex(variant.resolve("model.pt"))).isNotEqualTo(Sha256.hex(tiny.resolve("model.pt")));
        DecodedImage frame = new DecodedImage(64, 48, new byte[64 * 48 * 3]);
        // When the pool swaps to it, Then it loads through DJL and answers as version 9
        try (InferencePool pool = new InferencePool(List.of(DjlDetector.load(tiny, "cpu")), 1,
                Duration.ofMillis(5), 8, new DetectionMetrics(new SimpleMeterRegistry())).start()) {
            new PoolSwapTarget(pool, List.of("cpu"), DetectorFactory.DJL).swapTo(null, variant);
            assertThat(pool.submit(frame).get(30, TimeUnit.SECONDS).model().version()).isEqualTo("9");
        }
    }

    @Test
    void shouldRunACamerasFramesOnItsOwnModelAndTheOtherCamerasOnThePoolsUntilItIsDropped() throws Exception {
        // Given a pool serving the tiny model, and a camera given a variant of it (version 9) as its own
        Path tiny = TestModels.tinyModelDir();
        Path variant = TestModels.variant(tiny, tmp.resolve("own"), "9");
        DecodedImage frame = new DecodedImage(64, 48, new byte[64 * 48 * 3]);
        try (InferencePool pool = new InferencePool(List.of(DjlDetector.load(tiny, "cpu")), 2,
                Duration.ofMillis(5), 8, new DetectionMetrics(new SimpleMeterRegistry())).start()) {
            String general = pool.model().version();
            PoolSwapTarget target = new PoolSwapTarget(pool, List.of("cpu"), DetectorFactory.DJL);
            target.swapTo("door", variant);

            // When frames of both cameras are analysed, even in one batch
            var door = pool.submit("door", frame);
            var street = pool.submit("street", frame);

            // Then each ran on its camera's model
            assertThat(door.get(30, TimeUnit.SECONDS).model().version()).isEqualTo("9");
            assertThat(street.get(30, TimeUnit.SECONDS).model().version()).isEqualTo(general);
            assertThat(target.serving("door").version()).isEqualTo("9");
            assertThat(target.serving("street")).isNull();
            assertThat(target.serving(null).version()).isEqualTo(general);

            // And once dropped, the camera runs on the pool's model again
            target.drop("door");
            assertThat(target.ownModels()).isEmpty();
            assertThat(pool.submit("door", frame).get(30, TimeUnit.SECONDS).model().version()).isEqualTo(general);
        }
    }
}
