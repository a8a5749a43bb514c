package lookout.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import lookout.frames.FramesTopic;
import lookout.kafka.Topics;

class FetchedFramesInterceptorTest {
    private static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, String key) {
        return new ConsumerRecord<>(topic, partition, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                new byte[] {1});
    }

    @Test
    void shouldRecordTheNewestFetchedOffsetPerPartitionAndCameraAndPassRecordsThrough() {
        // Given an interceptor configured with the service's marker, as Kafka passes config objects
        FetchedFrames fetched = new FetchedFrames();
        FetchedFramesInterceptor interceptor = new FetchedFramesInterceptor();
        interceptor.configure(Map.of(FetchedFramesInterceptor.FETCHED_FRAMES_CONFIG, fetched, "client.id", "x"));
        TopicPartition p0 = new TopicPartition(Topics.FRAMES, 0);
        TopicPartition p1 = new TopicPartition(Topics.FRAMES, 1);
        TopicPartition other = new TopicPartition("something.else", 0);
        ConsumerRecords<byte[], byte[]> records = new ConsumerRecords<>(Map.of(
                p0, List.of(record(Topics.FRAMES, 0, 5, "cam1"), record(Topics.FRAMES, 0, 6, "cam2"),
                        record(Topics.FRAMES, 0, 7, "cam1"), record(Topics.FRAMES, 0, 8, null)),
                p1, List.of(record(Topics.FRAMES, 1, 3, "cam3")),
                other, List.of(record("something.else", 0, 99, "cam1"))), Map.of());
        // When a poll returns them
        ConsumerRecords<byte[], byte[]> out = interceptor.onConsume(records);
        // Then the records pass unchanged and each camera's newest offset is known per partition
        assertThat(out).isSameAs(records);
        assertThat(fetched.newerWaiting(0, "cam1", 5, 0)).isTrue();
        assertThat(fetched.newerWaiting(0, "cam1", 7, 0)).isFalse();
        assertThat(fetched.newerWaiting(0, "cam2", 6, 0)).isFalse();
        assertThat(fetched.newerWaiting(0, FramesTopic.NO_CAMERA, 7, 0)).isTrue();
        assertThat(fetched.newerWaiting(1, "cam1", 0, 0)).as("another partition's cam1").isFalse();
        assertThat(fetched.newerWaiting(1, "cam3", 2, 0)).isTrue();
        assertThat(fetched.size()).as("other topics are not frames").isEqualTo(4);
        fetched.forget(0);
        assertThat(fetched.newerWaiting(0, "cam1", 5, 0)).isFalse();
        assertThat(fetched.newerWaiting(1, "cam3", 2, 0)).isTrue();
    }

    @Test
    void shouldRefuseToStartWithoutTheSharedMarker() {
        FetchedFramesInterceptor interceptor = new FetchedFramesInterceptor();
        assertThatThrownBy(() -> interceptor.configure(Map.of("client.id", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(FetchedFramesInterceptor.FETCHED_FRAMES_CONFIG);
    }
}
