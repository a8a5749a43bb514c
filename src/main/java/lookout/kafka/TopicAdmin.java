package lookout.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import lookout.config.KafkaSettings;

/**
 * Creates the topics a role needs when they are missing, as {@link Topics} specifies them, and
 * checks the ones that exist against the same spec: every role creates and checks topics the same
 * way. An existing topic is never altered here (it may be the operator's; {@code ./lookout topics
 * apply} does it on request); what differs from the spec, retention included, is logged as a
 * warning and kept for the metric and health checks ({@link #findings}), and {@link #limits} tells
 * writers the record limit the topic really has.
 */
public final class TopicAdmin {
    private static final Logger LOG = Logger.getLogger(TopicAdmin.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Per topic checked or created by this process, what differs from its spec. */
    private static final Map<String, List<String>> FINDINGS = new ConcurrentHashMap<>();

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
            created.forEach(t -> FINDINGS.put(t, List.of()));
            try {
                for (Map.Entry<String, List<String>> e : check(admin, kafka, present, timeout).entrySet()) {
                    FINDINGS.put(e.getKey(), e.getValue());
                    e.getValue().forEach(LOG::warn);
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

    /**
     * What the last start found different from the spec, per topic checked (an empty list: as
     * specified): the {@code lookout_topic_spec_differences} gauge and the health checks' data.
     */
    public static Map<String, List<String>> findings() {
        return Map.copyOf(FINDINGS);
    }

    /** {@code lookout_topic_spec_differences{topic}}: how many settings of each topic differ from its spec (0: as specified). */
    public static void bindMetrics(MeterRegistry registry) {
        for (String t : Topics.ALL) {
            Gauge.builder("lookout.topic.spec.differences", () -> FINDINGS.getOrDefault(t, List.of()).size())
                    .description("settings of the topic that differ from its spec (retention, compaction, record limit, "
                            + "partitions, replication); see the WARN lines at start or ./lookout topics check")
                    .tag("topic", t).register(registry);
        }
    }

    /** What differs between existing topics and their spec, one line each, per topic. */
    static Map<String, List<String>> check(Admin admin, KafkaSettings kafka, List<String> topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        if (topics.isEmpty()) {
            return Map.of();
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Config> configs = describe(admin, topics, timeout);
        Map<String, List<String>> problems = new LinkedHashMap<>();
        for (String t : topics) {
            NewTopic spec = Topics.spec(t, kafka.topics());
            TopicDescription d = descriptions.get(t);
            Config c = configs.get(t);
            problems.put(t, differences(spec, d == null ? -1 : d.partitions().size(),
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
                    + "; it needs " + policy + (TopicConfig.CLEANUP_POLICY_COMPACT.equals(policy)
                            ? " (the topic is the state: without it, old records expire)"
                            : " (its records must expire: they may be pictures or traces of people)"));
        }
        problems.addAll(retentionDifferences(t, wanted, configs));
        String max = wanted.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        String actual = configs.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (max != null && actual != null && Long.parseLong(actual) < Long.parseLong(max)) {
            problems.add("topic " + t + " has max.message.bytes=" + actual + ", less than the " + max
                    + " its records may need");
        }
        return problems;
    }

    /**
     * Retention settings an existing topic has against the configured ones: retention.ms either way
     * (longer keeps personal data beyond what is configured, shorter loses records readers may still
     * need), segment.ms, delete.retention.ms and max.compaction.lag.ms when longer (data lingers).
     */
    static List<String> retentionDifferences(String t, Map<String, String> wanted, Map<String, String> configs) {
        List<String> problems = new ArrayList<>();
        for (String key : List.of(TopicConfig.RETENTION_MS_CONFIG, TopicConfig.SEGMENT_MS_CONFIG,
                TopicConfig.DELETE_RETENTION_MS_CONFIG, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG)) {
            String want = wanted.get(key);
            String have = configs.get(key);
            if (want == null || have == null || want.equals(have)) {
                continue;
            }
            long w = Long.parseLong(want);
            long h = Long.parseLong(have);
            boolean longer = h < 0 || h > w; // -1: forever
            if (!longer && !key.equals(TopicConfig.RETENTION_MS_CONFIG)) {
                continue;
            }
            problems.add("topic " + t + " has " + key + "=" + have + " (" + human(h) + "), configured " + want + " ("
                    + human(w) + "): " + (longer ? "records are kept longer than configured" : "records expire sooner than configured")
                    + "; `./lookout topics apply` sets it");
        }
        return problems;
    }

    /** Milliseconds as people read them: 3600000 is 1h, -1 is forever. */
    static String human(long ms) {
        if (ms < 0 || ms == Long.MAX_VALUE) {
            return "forever";
        }
        Duration d = Duration.ofMillis(ms);
        if (ms % 86_400_000L == 0) {
            return d.toDays() + "d";
        }
        if (ms % 3_600_000L == 0) {
            return d.toHours() + "h";
        }
        if (ms % 60_000L == 0) {
            return d.toMinutes() + "min";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
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
