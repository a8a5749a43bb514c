package lookout.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import lookout.config.GroupSettings;
import lookout.config.KafkaSettings;
import lookout.config.TopicSettings;

class TopicsTest {
    static final TopicSettings SETTINGS = new TopicSettings(4, (short) 3, 8_388_608, 524_288);
    static final GroupSettings GROUP = new GroupSettings("replica-a", Duration.ofSeconds(10));

    @Test
    void shouldCreateTheDetectorTopicsWithRoomForWholeFramesOnFramesAndDlq() {
        assertThat(Topics.DETECTOR).containsExactlyInAnyOrder(Topics.FRAMES, Topics.DETECTIONS, Topics.FRAMES_DLQ,
                Topics.CAMERA_STATS);
        for (String name : Topics.DETECTOR) {
            NewTopic t = Topics.spec(name, SETTINGS);
            assertThat(t.numPartitions()).isEqualTo(4);
            assertThat(t.replicationFactor()).isEqualTo((short) 3);
        }
        assertThat(Topics.spec(Topics.FRAMES_DLQ, SETTINGS).configs())
                .containsEntry("max.message.bytes", String.valueOf(8_388_608 + 65_536));
        assertThat(Topics.spec(Topics.FRAMES, SETTINGS).configs())
                .containsEntry("max.message.bytes", String.valueOf(8_388_608 + 65_536));
    }

    @Test
    void shouldLetTheBrokerStampFramesAsTheyLandAndLeaveOutputTimestampsToTheDetector() {
        // the broker's append time is every camera's clock reference, and no frame is refused for its timestamp
        assertThat(Topics.spec(Topics.FRAMES, SETTINGS).configs()).containsEntry("message.timestamp.type", "LogAppendTime");
        assertThat(Topics.spec(Topics.DETECTIONS, SETTINGS).configs()).doesNotContainKey("message.timestamp.type");
    }

    @Test
    void shouldSizeTheModelsTopicFromTheChunkAndTheLabelsTopicFromTheFrameLimit() {
        NewTopic models = Topics.spec(Topics.MODELS, SETTINGS);
        assertThat(models.numPartitions()).isEqualTo(1);
        assertThat(models.configs()).containsEntry("cleanup.policy", "compact")
                .containsEntry("max.message.bytes", String.valueOf(2 * 524_288));
        NewTopic labels = Topics.spec(Topics.LABELS, SETTINGS);
        assertThat(labels.configs()).containsEntry("cleanup.policy", "compact");
        // a frame at the limit still fits as base64 inside a labels record
        int base64OfLargestFrame = (8_388_608 + 2) / 3 * 4;
        assertThat(Topics.maxRecordBytes(Topics.LABELS, SETTINGS)).isGreaterThan(base64OfLargestFrame);
    }

    @Test
    void shouldGiveControlOnePartitionAndEveryLoopTopicTheConfiguredReplication() {
        assertThat(Topics.spec(Topics.CONTROL, SETTINGS).numPartitions()).isEqualTo(1);
        for (String name : Topics.LOOP) {
            assertThat(Topics.spec(name, SETTINGS).replicationFactor()).isEqualTo((short) 3);
        }
    }

    @Test
    void shouldLayerRoleTuningThenTheOperatorsKafkaKeysThenWhatTheRoleRequires() {
        KafkaClients clients = new KafkaClients(new KafkaSettings(Map.of("bootstrap.servers", "k:9092",
                "security.protocol", "SSL", "linger.ms", "20", "acks", "1"), SETTINGS, GROUP));
        Map<String, Object> p = clients.properties(Map.of("linger.ms", 5, "batch.size", 1), KafkaClients.durable());
        assertThat(p).containsEntry("security.protocol", "SSL") // the operator's security reaches every client
                .containsEntry("linger.ms", "20")                 // the operator may tune
                .containsEntry("batch.size", 1)
                .containsEntry("acks", "all");                    // but not configure durability away
    }

    @Test
    void shouldGiveEveryTopicTheConfiguredRetentionFromApplicationProperties() {
        // Given the settings as application.properties gives them
        TopicSettings configured = lookout.testing.TestSettings.config().topics();
        // Then every topic Lookout creates states how long it keeps its records
        for (String name : Topics.ALL) {
            Map<String, String> c = Topics.spec(name, configured).configs();
            if (name.equals(Topics.LABELS) || name.equals(Topics.MODELS)) {
                assertThat(c).as(name).containsEntry("cleanup.policy", "compact");
            } else if (name.equals(Topics.REVIEW)) {
                // compacted (an answer replaces its picture) and deleted after the review round
                assertThat(c).as(name).containsEntry("cleanup.policy", "compact,delete")
                        .containsEntry("retention.ms", String.valueOf(Topics.REVIEW_RETENTION_MS));
            } else {
                assertThat(c).as(name).containsEntry("cleanup.policy", "delete").containsKey("retention.ms");
                long retention = Long.parseLong(c.get("retention.ms"));
                assertThat(Long.parseLong(c.get("segment.ms"))).as(name).isLessThanOrEqualTo(Math.max(60_000, retention / 4));
            }
        }
        // frames are kept an hour; the labels' tombstones become final within bounded time
        assertThat(Topics.spec(Topics.FRAMES, configured).configs()).containsEntry("retention.ms", "3600000");
        assertThat(Topics.spec("some.camera.topic", configured).configs()).containsEntry("retention.ms", "3600000");
        assertThat(Topics.spec(Topics.LABELS, configured).configs()).containsEntry("delete.retention.ms", "86400000")
                .containsEntry("max.compaction.lag.ms", "86400000").containsEntry("segment.ms", "3600000");
        assertThat(Topics.spec(Topics.CAMERA_STATS, configured).configs()).containsEntry("retention.ms",
                String.valueOf(30L * 86_400_000L));
    }
}
