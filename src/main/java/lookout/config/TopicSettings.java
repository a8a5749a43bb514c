package lookout.config;

/**
 * What the topic registry needs to create topics when missing ({@code lookout.topics.*}) and to
 * size their record limits from what travels on them.
 *
 * @param partitions      partitions of the frames, detections and DLQ topics
 * @param replication     replication factor of every created topic (and Kafka Streams' internals)
 * @param frameMaxBytes   largest encoded frame ({@code lookout.frame.max-bytes})
 * @param modelChunkBytes size of a model chunk on {@code lookout.models} ({@code lookout.models.chunk-bytes})
 * @param retention       how long each topic keeps its records ({@code lookout.topics.<topic>.*}); null
 *                        only in unit tests of other concerns (topics then get the broker's defaults)
 */
public record TopicSettings(int partitions, short replication, int frameMaxBytes, int modelChunkBytes,
        TopicRetention retention) {

    /** Settings without retention: for unit tests that never create a topic. */
    public TopicSettings(int partitions, short replication, int frameMaxBytes, int modelChunkBytes) {
        this(partitions, replication, frameMaxBytes, modelChunkBytes, null);
    }

    /** The same with another partition count (tests that need one partition per camera). */
    public TopicSettings withPartitions(int n) {
        return new TopicSettings(n, replication, frameMaxBytes, modelChunkBytes, retention);
    }
}
