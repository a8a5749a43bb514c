package lookout.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import lookout.testing.TestBroker;

/** Following a compacted topic on a real broker: replay, sync, snapshot. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TopicFollowerIT {
    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();

    private static void write(String topic, int n, String prefix) throws Exception {
        try (KafkaProducer<String, byte[]> p = broker.clients().producer("it")) {
            for (int i = 0; i < n; i++) {
                p.send(new ProducerRecord<>(topic, prefix + i, new byte[] {(byte) i}));
            }
            p.flush();
        }
    }

    @Test
    void shouldHandTheHandlerEverythingWrittenBeforeASyncFromBeforeAndAfterItStarted() throws Exception {
        write(Topics.LABELS, 50, "before-");
        AtomicInteger seen = new AtomicInteger();
        try (TopicFollower follower = new TopicFollower(broker.clients(), "it-follower", List.of(Topics.LABELS),
                List.of(), (records, caughtUp) -> seen.addAndGet(records.size())).start()) {
            follower.sync(Duration.ofSeconds(60));
            assertThat(seen.get()).isEqualTo(50);
            write(Topics.LABELS, 20, "after-");
            follower.sync(Duration.ofSeconds(60));
            assertThat(seen.get()).isEqualTo(70);
            assertThat(follower.caughtUp()).isTrue();
        }
        AtomicInteger snapshot = new AtomicInteger();
        TopicFollower.snapshot(broker.clients(), "it-snapshot", Topics.LABELS, Duration.ofSeconds(60),
                (k, v) -> snapshot.incrementAndGet());
        assertThat(snapshot.get()).isEqualTo(70);
    }
}
