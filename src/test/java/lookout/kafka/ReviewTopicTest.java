package lookout.kafka;

import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import lookout.kafka.Acls.Deployment;
import lookout.kafka.Acls.Role;
import lookout.testing.TestSettings;

/** lookout.review: pictures of people, kept briefly, written and read only by the detector that picks and shows them. */
class ReviewTopicTest {
    @Test
    void shouldKeepReviewItemsTwoDaysAndDropAnsweredPicturesByCompaction() {
        NewTopic t = Topics.spec(Topics.REVIEW, TestSettings.config().topics());
        assertThat(t.configs()).containsEntry(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(2 * 86_400_000L))
                .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete");
        assertThat(Integer.parseInt(t.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)))
                .as("a frame and its item fit").isEqualTo(Topics.maxRecordBytes(Topics.FRAMES, TestSettings.config().topics()));
        assertThat(TopicsCommand.createdByDefault()).contains(Topics.REVIEW);
    }

    @Test
    void shouldGrantTheReviewTopicToTheDetectorOnlyWhenReviewIsOn() {
        Deployment on = new Deployment("lookout-detector", false, true, true);
        Deployment off = new Deployment("lookout-detector", false, true, false);
        assertThat(AclsTest.on(Role.DETECTOR, Topics.REVIEW, on)).contains(READ, WRITE);
        assertThat(AclsTest.on(Role.DETECTOR, Topics.LABELS, on)).contains(WRITE).doesNotContain(READ);
        assertThat(AclsTest.on(Role.DETECTOR, Topics.REVIEW, off)).isEmpty();
        assertThat(AclsTest.on(Role.DETECTOR, Topics.LABELS, off)).isEmpty();
        for (Role role : Role.values()) {
            if (role != Role.DETECTOR && role != Role.ADMIN) {
                assertThat(AclsTest.on(role, Topics.REVIEW, on)).as(role.id()).isEmpty();
            }
        }
    }
}
