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
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import lookout.config.KafkaSettings;

/**
 * Creates the topics a role needs when they are missing, as {@link Topics} specifies them, and
 * checks the ones that exist against the same spec: every role creates and checks topics the same
 * way. An existing topic is never altered (it may be the operator's); what differs from the spec is
 * logged as a warning, and {@link #limits} tells writers the record limit the topic really has.
 */
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
        try (Admin admin = new KafkaClients(kafka).admin(timeout)) {
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
                    if (e.getCause() instanceof TopicAuthorizationException) {
                        // on a cluster with ACLs the roles do not create topics: the admin provisions them
                        throw new IllegalStateException("topic " + entry.getKey() + " is missing (or not visible to "
                                + "this principal) and this principal may not create it: provision the topics with "
                                + "the admin role (`lookout topics create`, or Strimzi KafkaTopic resources) and "
                                + "check the role's ACLs (docs/kafka-acls.md)", e.getCause());
                    }
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            List<String> present = topics.stream().distinct().filter(existing::contains).toList();
            try {
                for (String problem : check(admin, kafka, present, timeout)) {
                    LOG.warn(problem);
                }
            } catch (ExecutionException | TimeoutException e) {
                // a cluster that lets this client use topics but not describe them: nothing to check against
                LOG.warnf("cannot check topics %s against their spec: %s", present, e.getCause() != null ? e.getCause() : e);
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

    /**
     * The record limit each topic really has ({@code max.message.bytes}, the broker's default when
     * the topic does not set one), so writers size what they send by it; the spec's limit for a
     * topic Kafka does not describe.
     */
    public static Map<String, Integer> limits(KafkaSettings kafka, Collection<String> topics) {
        Map<String, Integer> limits = new HashMap<>();
        try (Admin admin = new KafkaClients(kafka).admin(TIMEOUT)) {
            Map<String, Config> configs = describe(admin, topics, TIMEOUT);
            for (String t : topics) {
                ConfigEntry e = configs.containsKey(t) ? configs.get(t).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG) : null;
                limits.put(t, e != null && e.value() != null ? Integer.parseInt(e.value())
                        : Topics.maxRecordBytes(t, kafka.topics()));
            }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warnf("cannot read the record limits of %s (%s); assuming the spec's", topics, e.toString());
            topics.forEach(t -> limits.put(t, Topics.maxRecordBytes(t, kafka.topics())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading topic limits", e);
        }
        return limits;
    }

    /** What differs between existing topics and their spec, one line each. */
    static List<String> check(Admin admin, KafkaSettings kafka, List<String> topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        if (topics.isEmpty()) {
            return List.of();
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Config> configs = describe(admin, topics, timeout);
        List<String> problems = new ArrayList<>();
        for (String t : topics) {
            NewTopic spec = Topics.spec(t, kafka.topics());
            TopicDescription d = descriptions.get(t);
            Config c = configs.get(t);
            problems.addAll(differences(spec, d == null ? -1 : d.partitions().size(),
                    d == null || d.partitions().isEmpty() ? -1 : d.partitions().get(0).replicas().size(),
                    c == null ? Map.of() : values(c)));
        }
        return problems;
    }

    /** The spec's partitions (where they matter), replication and configs against what a topic has. */
    static List<String> differences(NewTopic spec, int partitions, int replication, Map<String, String> configs) {
        List<String> problems = new ArrayList<>();
        String t = spec.name();
        if (Topics.SINGLE_PARTITION.contains(t) && partitions != spec.numPartitions()) {
            problems.add("topic " + t + " has " + partitions + " partitions; it needs " + spec.numPartitions()
                    + " (commands and registry records are read in order)");
        }
        if (replication >= 0 && replication < spec.replicationFactor()) {
            problems.add("topic " + t + " has replication " + replication + ", lookout.topics.replication is "
                    + spec.replicationFactor());
        }
        Map<String, String> wanted = spec.configs() == null ? Map.of() : spec.configs();
        String policy = wanted.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy != null && !String.valueOf(configs.get(TopicConfig.CLEANUP_POLICY_CONFIG)).contains(policy)) {
            problems.add("topic " + t + " has cleanup.policy=" + configs.get(TopicConfig.CLEANUP_POLICY_CONFIG)
                    + "; it needs " + policy + " (the topic is the state: without it, old records expire)");
        }
        String max = wanted.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        String actual = configs.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (max != null && actual != null && Long.parseLong(actual) < Long.parseLong(max)) {
            problems.add("topic " + t + " has max.message.bytes=" + actual + ", less than the " + max
                    + " its records may need");
        }
        return problems;
    }

    private static Map<String, Config> describe(Admin admin, Collection<String> topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<String, Config> out = new HashMap<>();
        admin.describeConfigs(resources).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((r, c) -> out.put(r.name(), c));
        return out;
    }

    private static Map<String, String> values(Config c) {
        Map<String, String> m = new HashMap<>();
        c.entries().forEach(e -> {
            if (e.value() != null) {
                m.put(e.name(), e.value());
            }
        });
        return m;
    }
}
