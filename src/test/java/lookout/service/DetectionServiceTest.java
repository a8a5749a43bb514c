package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import lookout.kafka.Topics;

class DetectionServiceTest {
    static ServiceSettings settings(String devices, int workers, int batch, int threads, String guarantee) {
        return new ServiceSettings(Path.of("m"), devices, workers, batch, Duration.ofMillis(5), 64, Duration.ofSeconds(10),
                0.5f, Duration.ofSeconds(60), 4, (short) 3, guarantee, threads, Duration.ofMillis(100), "app-x",
                8_388_608, 8192, 37_748_736L);
    }

    @Test
    void shouldRunBatchSizeTimesWorkersStreamThreadsByDefault() {
        assertThat(settings("cpu", 1, 4, 0, "exactly_once_v2").effectiveStreamThreads()).isEqualTo(4);
        assertThat(settings("gpu:0,gpu:1", 2, 8, 0, "exactly_once_v2").effectiveStreamThreads()).isEqualTo(32);
        assertThat(settings("cpu", 1, 4, 3, "exactly_once_v2").effectiveStreamThreads()).isEqualTo(3);
    }

    @Test
    void shouldConfigureStreamsForExactlyOnceAndLargeDeadLetters() {
        DetectionService service = new DetectionService(settings("cpu", 1, 4, 0, "exactly_once_v2"),
                Map.of("bootstrap.servers", "k:9092", "security.protocol", "SSL"), null, null, null);
        Properties p = service.streamsConfig();
        assertThat(p).containsEntry("application.id", "app-x")
                .containsEntry("bootstrap.servers", "k:9092")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("num.stream.threads", 4)
                .containsEntry("commit.interval.ms", 100L)
                .containsEntry("replication.factor", 3)
                .containsEntry("producer.max.request.size", 8_388_608 + 65_536);
    }

    @Test
    void shouldCreateTheThreeTopicsWithRoomForWholeFramesOnFramesAndDlq() {
        var topics = new DetectionService(settings("cpu", 1, 4, 0, "at_least_once"), Map.of(), null, null, null).topics();
        assertThat(topics).extracting(NewTopic::name)
                .containsExactlyInAnyOrder(Topics.FRAMES, Topics.DETECTIONS, Topics.FRAMES_DLQ);
        assertThat(topics).allSatisfy(t -> {
            assertThat(t.numPartitions()).isEqualTo(4);
            assertThat(t.replicationFactor()).isEqualTo((short) 3);
        });
        assertThat(topics.stream().filter(t -> t.name().equals(Topics.FRAMES_DLQ)).findFirst().orElseThrow().configs())
                .containsEntry("max.message.bytes", String.valueOf(8_388_608 + 65_536));
    }
}
