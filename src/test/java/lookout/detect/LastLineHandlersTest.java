package lookout.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.kafka.Topics;

class LastLineHandlersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private LastLineHandlers.Production production() {
        LastLineHandlers.Production h = new LastLineHandlers.Production();
        h.configure(Map.of(LastLineHandlers.METRICS, new DetectionMetrics(registry)));
        return h;
    }

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return Topics.FRAMES;
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return 42;
            }

            @Override
            public org.apache.kafka.common.header.Headers headers() {
                return new RecordHeaders();
            }

            @Override
            public String processorNodeId() {
                return "camera-stats-sink";
            }

            @Override
            public TaskId taskId() {
                return new TaskId(0, 0);
            }

            @Override
            public long timestamp() {
                return 0;
            }

            @Override
            public byte[] sourceRawKey() {
                return null;
            }

            @Override
            public byte[] sourceRawValue() {
                return null;
            }
        };
    }

    @Test
    void shouldDropAStatsRecordTheBrokerRefusesForItsTimestampCountingItWithoutCountingTheFrameUnanswered() {
        // Given a camera-stats record the broker refused as too far ahead
        var response = production().handle(context(), new ProducerRecord<>(Topics.CAMERA_STATS, new byte[1], new byte[1]),
                new InvalidTimestampException("timestamp 4102444800000 is out of range"));
        // Then it is dropped (not retried for ever), counted by topic and error; the frame's answer is another record
        assertThat(response).isEqualTo(ProductionExceptionHandlerResponse.CONTINUE);
        assertThat(registry.get("lookout.records.refused").tag("topic", Topics.CAMERA_STATS)
                .tag("error", "InvalidTimestampException").counter().count()).isEqualTo(1);
        assertThat(registry.find("lookout.frames.unanswered").counter()).isNull();
    }

    @Test
    void shouldCountAFrameUnansweredWhenItsDetectionsRecordIsRefused() {
        var response = production().handle(context(), new ProducerRecord<>(Topics.DETECTIONS, new byte[1], new byte[1]),
                new RecordTooLargeException("too large"));
        assertThat(response).isEqualTo(ProductionExceptionHandlerResponse.CONTINUE);
        assertThat(registry.get("lookout.frames.unanswered").tag("stage", "produce").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldStillFailTheTaskOnKafkasOwnErrors() {
        var response = production().handle(context(), new ProducerRecord<>(Topics.DETECTIONS, new byte[1], new byte[1]),
                new ProducerFencedException("fenced"));
        assertThat(response).isEqualTo(ProductionExceptionHandlerResponse.FAIL);
    }

    @Test
    void shouldGiveARecordWithoutAValidTimestampThePartitionsTimeInsteadOfFailingTheThread() {
        FrameTimestamps extractor = new FrameTimestamps();
        ConsumerRecord<Object, Object> valid = new ConsumerRecord<>(Topics.FRAMES, 0, 1, 1_000L, TimestampType.LOG_APPEND_TIME,
                0, 0, null, null, new RecordHeaders(), java.util.Optional.empty());
        ConsumerRecord<Object, Object> none = new ConsumerRecord<>(Topics.FRAMES, 0, 2, -1L, TimestampType.NO_TIMESTAMP_TYPE,
                0, 0, null, null, new RecordHeaders(), java.util.Optional.empty());
        assertThat(extractor.extract(valid, 500)).isEqualTo(1_000);
        assertThat(extractor.extract(none, 900)).isEqualTo(900);
        long before = System.currentTimeMillis();
        assertThat(extractor.extract(none, -1)).isGreaterThanOrEqualTo(before);
    }
}
