package lookout.detect;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import lookout.inference.BatchAggregator;
import lookout.kafka.Topics;

/**
 * Kafka Streams' last line of defence behind the topology's own checks. The topology answers every
 * frame with a record sized to fit its topic and turns every failure it can foresee into a DLQ
 * record, so neither handler should ever act; if one does, a single record must not fail its stream
 * thread again and again (a replaced thread reprocesses the same record: the partition would be
 * jammed for good). Such a frame is skipped, loudly: an ERROR line and
 * {@code lookout_frames_unanswered_total{stage}}. Failures that are Kafka's, not the record's
 * (fencing, timeouts, a closing pool), still fail the task so the frame is processed again.
 */
public final class LastLineHandlers {
    /** Config key under which the service hands the handlers its meters (Kafka passes unknown keys to configure). */
    public static final String METRICS = "lookout.detection.metrics";
    private static final Logger LOG = Logger.getLogger(LastLineHandlers.class);

    private LastLineHandlers() {
    }

    private static DetectionMetrics metrics(Map<String, ?> configs) {
        return configs.get(METRICS) instanceof DetectionMetrics m ? m : null;
    }

    /** A record Kafka refuses for what it is (too large, invalid, unserialisable) is skipped; the rest as Kafka's default. */
    public static final class Production implements ProductionExceptionHandler {
        private final DefaultProductionExceptionHandler fallback = new DefaultProductionExceptionHandler();
        private DetectionMetrics metrics;

        @Override
        public void configure(Map<String, ?> configs) {
            metrics = metrics(configs);
            fallback.configure(configs);
        }

        @Override
        public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                Exception exception) {
            if (refusesTheRecord(exception)) {
                boolean answer = Topics.DETECTIONS.equals(record.topic()) || Topics.FRAMES_DLQ.equals(record.topic());
                LOG.errorf("frame %s-%d@%d: Kafka refused its %s record (timestamp %d: %s); %s", context.topic(),
                        context.partition(), context.offset(), record.topic(), record.timestamp(), exception.toString(),
                        answer ? "the frame stays unanswered" : "the record is dropped, the frame's answer is not");
                if (metrics != null) {
                    metrics.recordRefused(record.topic(), exception.getClass().getSimpleName());
                    if (answer) {
                        metrics.unanswered("produce");
                    }
                }
                return ProductionExceptionHandlerResponse.CONTINUE;
            }
            return fallback.handle(context, record, exception);
        }

        @Override
        public ProductionExceptionHandlerResponse handleSerializationException(ErrorHandlerContext context,
                ProducerRecord record, Exception exception, SerializationExceptionOrigin origin) {
            LOG.errorf("frame %s-%d@%d: cannot serialise its record (%s); the frame stays unanswered",
                    context.topic(), context.partition(), context.offset(), exception.toString());
            if (metrics != null) {
                metrics.unanswered("serialize");
            }
            return ProductionExceptionHandlerResponse.CONTINUE;
        }

        /** Refusals of the record itself (its size, timestamp or bytes), which retrying can never cure. */
        static boolean refusesTheRecord(Exception e) {
            return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                    || e instanceof InvalidRecordException || e instanceof CorruptRecordException
                    || e instanceof InvalidTimestampException || e instanceof SerializationException;
        }
    }

    /** An exception the processor did not foresee, for one record, skips that record; a closing pool or Kafka's own errors fail the task. */
    public static final class Processing implements ProcessingExceptionHandler {
        private DetectionMetrics metrics;

        @Override
        public void configure(Map<String, ?> configs) {
            metrics = metrics(configs);
        }

        @Override
        public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            if (mustRetry(exception)) {
                return ProcessingHandlerResponse.FAIL;
            }
            LOG.errorf(exception, "frame %s-%d@%d: unexpected failure; the frame stays unanswered",
                    context.topic(), context.partition(), context.offset());
            if (metrics != null) {
                metrics.unanswered("process");
            }
            return ProcessingHandlerResponse.CONTINUE;
        }

        /** The service is stopping, the thread was interrupted, or Kafka failed: the frame must be processed again. */
        static boolean mustRetry(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BatchAggregator.ShutdownException || t instanceof InterruptedException
                        || t instanceof StreamsException || t instanceof org.apache.kafka.common.KafkaException) {
                    return true;
                }
            }
            return false;
        }
    }
}
