package lookout.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import lookout.detect.DetectionMetrics;
import lookout.frames.DecodedImage;
import lookout.model.ModelMetadata;

class InferencePoolSwapTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DecodedImage frame = new DecodedImage(8, 6, new byte[8 * 6 * 3]);
    private InferencePool pool;

    /** A fake detector serving a given model version. */
    static final class VersionedDetector extends FakeDetector {
        private final ModelMetadata model;

        VersionedDetector(String version) {
            model = new ModelMetadata("fake-model", version, "fake", MODEL.classes(), 240, 320, null, null, null, null,
                    null, null, null);
        }

        @Override
        public ModelMetadata model() {
            return model;
        }
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void shouldFinishInFlightBatchOnOldModelAndRunLaterFramesOnNewOne() throws Exception {
        VersionedDetector v1 = new VersionedDetector("1");
        v1.delayMs = 400;
        pool = new InferencePool(List.of(v1), 1, Duration.ZERO, 8, new DetectionMetrics(registry)).start();
        CompletableFuture<InferencePool.Result> inFlight = pool.submit(frame);
        Thread.sleep(100); // the worker is now inside v1.detect

        VersionedDetector v2 = new VersionedDetector("2");
        ModelMetadata previous = pool.swap(List.of(v2)); // returns once the old batch is done

        assertThat(previous.version()).isEqualTo("1");
        assertThat(inFlight.get(5, TimeUnit.SECONDS).model().version()).isEqualTo("1");
        assertThat(v1.closed).isTrue();
        assertThat(pool.model().version()).isEqualTo("2");
        InferencePool.Result after = pool.submit(frame).get(5, TimeUnit.SECONDS);
        assertThat(after.model().version()).isEqualTo("2");
        assertThat(v2.batchSizes).hasSize(1);
        assertThat(v2.closed).isFalse();
        assertThat(registry.find("lookout.model.info").tag("version", "2").gauge()).isNotNull();
        assertThat(registry.find("lookout.model.info").tag("version", "1").gauge()).isNull();
    }

    @Test
    void shouldRefuseSwapWithWrongNumberOfDetectors() {
        pool = new InferencePool(List.of(new VersionedDetector("1"), new VersionedDetector("1")), 2, Duration.ZERO, 8,
                new DetectionMetrics(registry)).start();
        assertThatThrownBy(() -> pool.swap(List.of(new VersionedDetector("2"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(pool.model().version()).isEqualTo("1");
    }
}
