package lookout.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the retraining loop's topics when missing, with the settings their contracts need:
 * labels and models compacted (the topic is the state), control single-partition (one trainer
 * acts, in order), events time-retained.
 */
public final class LoopTopics {
    private LoopTopics() {
    }

    public static List<NewTopic> specs(int replication) {
        short rf = (short) replication;
        return List.of(
                new NewTopic(Topics.LABELS, 3, rf).configs(Map.of("cleanup.policy", "compact",
                        "max.message.bytes", String.valueOf(8 * 1024 * 1024))),
                new NewTopic(Topics.MODELS, 1, rf).configs(Map.of("cleanup.policy", "compact",
                        "max.message.bytes", String.valueOf(1024 * 1024),
                        "min.cleanable.dirty.ratio", "0.1", "segment.ms", String.valueOf(3_600_000))),
                new NewTopic(Topics.CONTROL, 1, rf).configs(Map.of("retention.ms", String.valueOf(7 * 86_400_000L))),
                new NewTopic(Topics.EVENTS, 1, rf).configs(Map.of("retention.ms", String.valueOf(7 * 86_400_000L))));
    }

    /** Creates whichever of the loop's topics do not exist yet. */
    public static void ensure(String bootstrap, int replication) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic t : specs(replication)) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topics: " + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
