package lookout.detect;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import lookout.frames.FramesTopic;
import lookout.kafka.Topics;

/**
 * Installed on Kafka Streams' main consumer: {@code onConsume} sees every batch of frames as it is
 * fetched, before the stream thread processes any of it, and records in the service's
 * {@link FetchedFrames} (handed over through the config map under {@link #FETCHED_FRAMES_CONFIG})
 * the newest offset of each camera. It changes nothing in the records.
 */
public final class FetchedFramesInterceptor implements ConsumerInterceptor<byte[], byte[]> {
    /** Config entry (object value) carrying the service's {@link FetchedFrames}. */
    public static final String FETCHED_FRAMES_CONFIG = "lookout.fetched-frames";
    private FetchedFrames fetched;

    @Override
    public void configure(Map<String, ?> configs) {
        Object value = configs.get(FETCHED_FRAMES_CONFIG);
        if (!(value instanceof FetchedFrames f)) {
            throw new IllegalArgumentException(FETCHED_FRAMES_CONFIG + " must carry a FetchedFrames instance, got "
                    + (value == null ? "nothing" : value.getClass().getName()));
        }
        this.fetched = f;
    }

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        for (ConsumerRecord<byte[], byte[]> r : records.records(Topics.FRAMES)) {
            fetched.fetched(r.partition(), FramesTopic.camera(r.key()), r.offset());
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }
}
