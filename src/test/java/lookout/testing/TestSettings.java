package lookout.testing;

import java.nio.file.Path;
import java.time.Duration;

import lookout.config.DetectorSettings;
import lookout.config.LookoutConfig;
import lookout.frames.FrameDecoder;

/** Settings for tests: what application.properties says, with the few changes a test needs said in the test. */
public final class TestSettings {
    private TestSettings() {
    }

    public static LookoutConfig config() {
        return LookoutConfig.current();
    }

    /** A decoder with the configured frame limits. */
    public static FrameDecoder decoder() {
        return new FrameDecoder(config().frameLimits());
    }

    /** The configured detector, on another model and consumer group, small batches, short delays. */
    public static DetectorSettings detector(Path model, String applicationId, int batchMaxSize) {
        DetectorSettings d = config().detector();
        return new DetectorSettings(model, "cpu", 1, batchMaxSize, Duration.ofMillis(10), 32, Duration.ofMinutes(5),
                d.scoreThreshold(), Duration.ofSeconds(60), d.processingGuarantee(), 0, Duration.ofMillis(100),
                applicationId, d.frames(), d.stateDir(), d.scheduling(), d.clockMaxSkew(),
                d.warmBeforeReady());
    }
}
