package lookout.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import lookout.config.TopicSettings;

class TopicAdminTest {
    static final TopicSettings SETTINGS = new TopicSettings(4, (short) 3, 8_388_608, 524_288);

    @Test
    void shouldFindNothingWrongWithATopicAsSpecified() {
        assertThat(TopicAdmin.differences(Topics.spec(Topics.MODELS, SETTINGS), 1, 3,
                Map.of("cleanup.policy", "compact", "max.message.bytes", "1048576"))).isEmpty();
    }

    @Test
    void shouldReportWhatAnExistingTopicLacksForItsJob() {
        assertThat(TopicAdmin.differences(Topics.spec(Topics.CONTROL, SETTINGS), 3, 1, Map.of("max.message.bytes", "1000")))
                .containsExactly(
                        "topic lookout.control has 3 partitions; it needs 1 (commands and registry records are read in order)",
                        "topic lookout.control has replication 1, lookout.topics.replication is 3",
                        "topic lookout.control has max.message.bytes=1000, less than the 131072 its records may need");
        assertThat(TopicAdmin.differences(Topics.spec(Topics.LABELS, SETTINGS), 3, 3, Map.of("cleanup.policy", "delete")))
                .singleElement().asString().contains("cleanup.policy=delete; it needs compact");
    }

    @Test
    void shouldReportAnExistingTopicThatKeepsRecordsLongerOrShorterThanConfigured() {
        TopicSettings configured = lookout.testing.TestSettings.config().topics();
        // Given a frames topic created by hand with the broker's default week
        assertThat(TopicAdmin.differences(Topics.spec(Topics.FRAMES, configured), 4, 1, Map.of("cleanup.policy", "delete",
                "retention.ms", "604800000", "segment.ms", "604800000", "max.message.bytes", "9000000")))
                .containsExactly(
                        "topic lookout.frames has retention.ms=604800000 (7d), configured 3600000 (1h): records are kept "
                                + "longer than configured; `./lookout topics apply` sets it",
                        "topic lookout.frames has segment.ms=604800000 (7d), configured 900000 (15min): records are kept "
                                + "longer than configured; `./lookout topics apply` sets it");
        // a shorter retention loses records: also said; a shorter segment is harmless: not said
        assertThat(TopicAdmin.differences(Topics.spec(Topics.DETECTIONS, configured), 4, 1, Map.of("cleanup.policy", "delete",
                "retention.ms", "60000", "segment.ms", "1000"))).singleElement().asString()
                .contains("records expire sooner than configured");
        // labels kept compacted but with tombstones that never become final
        assertThat(TopicAdmin.differences(Topics.spec(Topics.LABELS, configured), 3, 1, Map.of("cleanup.policy", "compact",
                "max.compaction.lag.ms", "9223372036854775807", "delete.retention.ms", "86400000", "segment.ms", "3600000")))
                .singleElement().asString().contains("max.compaction.lag.ms=9223372036854775807 (forever)");
    }
}
