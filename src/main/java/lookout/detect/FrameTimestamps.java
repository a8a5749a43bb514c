package lookout.detect;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Kafka Streams' record timestamps for the detector: the record's own, and for a record without a
 * valid one (negative: an old message format, or a crafted produce request) the partition's time so
 * far, else the wall clock. Kafka Streams' default extractor fails the stream thread on such a
 * record, which would then fail every thread that takes the partition over: no frame may do that.
 * The frame still gets its answer; its capture time is judged like any other (see {@link CaptureClock}).
 */
public final class FrameTimestamps implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long ts = record.timestamp();
        if (ts >= 0) {
            return ts;
        }
        return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
    }
}
