package lookout.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;

/** The detector's settings, read from application.properties / env (see docs/service.md for the table). */
public record ServiceSettings(
        Path modelDir,
        String devices,
        int workersPerDevice,
        int batchMaxSize,
        Duration batchMaxDelay,
        int batchQueueCapacity,
        Duration maxFrameAge,
        float scoreThreshold,
        Duration inferenceTimeout,
        int topicPartitions,
        short topicReplication,
        String processingGuarantee,
        int streamThreads,
        Duration commitInterval,
        String applicationId,
        int frameMaxBytes,
        int frameMaxDimension,
        long frameMaxPixels) {

    /** Stream threads to run: the configured number, or (0 = auto) max batch size x workers. */
    public int effectiveStreamThreads() {
        if (streamThreads > 0) {
            return streamThreads;
        }
        int workers = (int) java.util.Arrays.stream(devices.split(",")).filter(s -> !s.isBlank()).count()
                * Math.max(1, workersPerDevice);
        return Math.max(1, batchMaxSize * Math.max(1, workers));
    }

    public static ServiceSettings from(Config c) {
        String home = Optional.ofNullable(System.getenv("LOOKOUT_HOME")).orElse(".");
        return new ServiceSettings(
                Path.of(c.getOptionalValue("lookout.model.dir", String.class).orElse(home + "/models/default")),
                c.getValue("lookout.devices", String.class),
                c.getValue("lookout.workers-per-device", Integer.class),
                c.getValue("lookout.batch.max-size", Integer.class),
                c.getValue("lookout.batch.max-delay", Duration.class),
                c.getValue("lookout.batch.queue-capacity", Integer.class),
                c.getValue("lookout.max-frame-age", Duration.class),
                c.getValue("lookout.score-threshold", Float.class),
                c.getValue("lookout.inference-timeout", Duration.class),
                c.getValue("lookout.topics.partitions", Integer.class),
                c.getValue("lookout.topics.replication", Short.class),
                c.getValue("lookout.processing-guarantee", String.class),
                c.getValue("lookout.stream-threads", Integer.class),
                c.getValue("lookout.commit-interval", Duration.class),
                c.getValue("lookout.application-id", String.class),
                c.getValue("lookout.frame.max-bytes", Integer.class),
                c.getValue("lookout.frame.max-dimension", Integer.class),
                c.getValue("lookout.frame.max-pixels", Long.class));
    }

    public ServiceSettings withBatchMaxDelay(Duration delay) {
        return new ServiceSettings(modelDir, devices, workersPerDevice, batchMaxSize, delay, batchQueueCapacity,
                maxFrameAge, scoreThreshold, inferenceTimeout, topicPartitions, topicReplication, processingGuarantee,
                streamThreads, commitInterval, applicationId, frameMaxBytes, frameMaxDimension, frameMaxPixels);
    }

    public ServiceSettings withModelDir(Path dir) {
        return new ServiceSettings(dir, devices, workersPerDevice, batchMaxSize, batchMaxDelay, batchQueueCapacity,
                maxFrameAge, scoreThreshold, inferenceTimeout, topicPartitions, topicReplication, processingGuarantee,
                streamThreads, commitInterval, applicationId, frameMaxBytes, frameMaxDimension, frameMaxPixels);
    }
}
