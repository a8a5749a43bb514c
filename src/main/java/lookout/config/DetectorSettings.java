package lookout.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The detector's settings (serve, demo); the keys are listed in docs/service.md.
 * {@code stateDir} ({@code lookout.state-dir}) holds Kafka Streams' state, one folder per replica name;
 * {@code scheduling} ({@code lookout.scheduling}) says which frames of a camera are analysed;
 * {@code clockMaxSkew} ({@code lookout.clock.max-skew}) how far a camera's clock may be off before the
 * service places its frames by the time they were sent; {@code warmBeforeReady}
 * ({@code lookout.batch.warm-before-ready}) how many batch sizes are warmed up before the detector
 * takes frames (the workers warm the rest while idle).
 */
public record DetectorSettings(
        Path modelDir,
        String devices,
        int workersPerDevice,
        int batchMaxSize,
        Duration batchMaxDelay,
        int batchQueueCapacity,
        Duration maxFrameAge,
        float scoreThreshold,
        Duration inferenceTimeout,
        String processingGuarantee,
        int streamThreads,
        Duration commitInterval,
        String applicationId,
        FrameLimits frames,
        Path stateDir,
        FramePolicy scheduling,
        Duration clockMaxSkew,
        int warmBeforeReady) {

    /** Stream threads to run: the configured number, or (0 = auto) max batch size x workers. */
    public int effectiveStreamThreads() {
        if (streamThreads > 0) {
            return streamThreads;
        }
        int workers = (int) Arrays.stream(devices.split(",")).filter(s -> !s.isBlank()).count()
                * Math.max(1, workersPerDevice);
        return Math.max(1, batchMaxSize * Math.max(1, workers));
    }

    public DetectorSettings withBatchMaxDelay(Duration delay) {
        return new DetectorSettings(modelDir, devices, workersPerDevice, batchMaxSize, delay, batchQueueCapacity,
                maxFrameAge, scoreThreshold, inferenceTimeout, processingGuarantee, streamThreads, commitInterval,
                applicationId, frames, stateDir, scheduling, clockMaxSkew, warmBeforeReady);
    }

    public DetectorSettings withModelDir(Path dir) {
        return new DetectorSettings(dir, devices, workersPerDevice, batchMaxSize, batchMaxDelay, batchQueueCapacity,
                maxFrameAge, scoreThreshold, inferenceTimeout, processingGuarantee, streamThreads, commitInterval,
                applicationId, frames, stateDir, scheduling, clockMaxSkew, warmBeforeReady);
    }

    public DetectorSettings withStateDir(Path dir) {
        return new DetectorSettings(modelDir, devices, workersPerDevice, batchMaxSize, batchMaxDelay, batchQueueCapacity,
                maxFrameAge, scoreThreshold, inferenceTimeout, processingGuarantee, streamThreads, commitInterval,
                applicationId, frames, dir, scheduling, clockMaxSkew, warmBeforeReady);
    }

    public DetectorSettings withScheduling(FramePolicy policy) {
        return new DetectorSettings(modelDir, devices, workersPerDevice, batchMaxSize, batchMaxDelay, batchQueueCapacity,
                maxFrameAge, scoreThreshold, inferenceTimeout, processingGuarantee, streamThreads, commitInterval,
                applicationId, frames, stateDir, policy, clockMaxSkew, warmBeforeReady);
    }

    public DetectorSettings withClockMaxSkew(Duration skew) {
        return new DetectorSettings(modelDir, devices, workersPerDevice, batchMaxSize, batchMaxDelay, batchQueueCapacity,
                maxFrameAge, scoreThreshold, inferenceTimeout, processingGuarantee, streamThreads, commitInterval,
                applicationId, frames, stateDir, scheduling, skew, warmBeforeReady);
    }

    public DetectorSettings withWarmBeforeReady(int sizes) {
        return new DetectorSettings(modelDir, devices, workersPerDevice, batchMaxSize, batchMaxDelay, batchQueueCapacity,
                maxFrameAge, scoreThreshold, inferenceTimeout, processingGuarantee, streamThreads, commitInterval,
                applicationId, frames, stateDir, scheduling, clockMaxSkew, sizes);
    }
}
