package lookout.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import lookout.config.KafkaSettings;

/** Creates the topics a role needs when they are missing, as {@link Topics} specifies them; existing topics are left as they are. */
public final class TopicAdmin {
    private static final Logger LOG = Logger.getLogger(TopicAdmin.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TopicAdmin() {
    }

    /** @return the names that were created now */
    public static List<String> ensure(KafkaSettings kafka, Collection<String> topics) {
        return ensure(kafka, topics, TIMEOUT);
    }

    /**
     * @param timeout how long Kafka may take to answer before we give up with a clear error
     * @return the names that were created now
     */
    public static List<String> ensure(KafkaSettings kafka, Collection<String> topics, Duration timeout) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = topics.stream().distinct().filter(t -> !existing.contains(t))
                    .map(t -> Topics.spec(t, kafka.topics())).toList();
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                    LOG.infof("created topic %s", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            return created;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot reach Kafka at " + kafka.bootstrapServers()
                    + " to create topics: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
