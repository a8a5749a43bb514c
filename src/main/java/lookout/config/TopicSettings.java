package lookout.config;

/**
 * What the topic registry needs to create topics when missing ({@code lookout.topics.*}) and to
 * size their record limits from what travels on them.
 *
 * @param partitions      partitions of the frames, detections and DLQ topics
 * @param replication     replication factor of every created topic (and Kafka Streams' internals)
 * @param frameMaxBytes   largest encoded frame ({@code lookout.frame.max-bytes})
 * @param modelChunkBytes size of a model chunk on {@code lookout.models} ({@code lookout.models.chunk-bytes})
 */
public record TopicSettings(int partitions, short replication, int frameMaxBytes, int modelChunkBytes) {
}
