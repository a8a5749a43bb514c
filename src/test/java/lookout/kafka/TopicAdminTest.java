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
}
