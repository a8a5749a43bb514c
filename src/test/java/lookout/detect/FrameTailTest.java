package lookout.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lookout.kafka.Topics;

@Timeout(30)
class FrameTailTest {
    @Test
    void shouldRecordFramesLandingInTheFollowedPartitionsFromTheirEnd() throws Exception {
        // Given a tail over a consumer whose partition 1 already holds 10 frames
        FetchedFrames frames = new FetchedFrames();
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        TopicPartition p1 = new TopicPartition(Topics.FRAMES, 1);
        consumer.updateBeginningOffsets(Map.of(p1, 0L));
        consumer.updateEndOffsets(Map.of(p1, 10L));
        try (FrameTail tail = new FrameTail(frames, null, consumer,
                new CaptureClock(java.time.Duration.ofMinutes(5), java.time.Clock.systemUTC()))) {
            // When the task of partition 1 starts and a frame lands there
            tail.following(1);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!consumer.assignment().contains(p1) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<byte[], byte[]>(Topics.FRAMES, 1, 10, 1000L,
                    org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, "cam1".getBytes(java.nio.charset.StandardCharsets.UTF_8), null,
                    new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty())));
            while (!tail.newerWaiting(1, "cam1", 9, 0) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // Then the frame's offset is known for its camera, from the end (not the backlog before it)
            assertThat(consumer.position(p1)).isGreaterThanOrEqualTo(10);
            // (the first answer on the log's word alone supersedes; the next one in a row analyses)
            assertThat(tail.newerWaiting(1, "cam1", 9, 0)).isFalse();
            // And when the task leaves, the partition is forgotten
            tail.leaving(1);
            assertThat(tail.newerWaiting(1, "cam1", 9, 0)).isFalse();
        }
    }
}
