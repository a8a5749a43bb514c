package lookout.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Utils;

import lookout.config.LookoutConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lookout topics}: the topic registry as a deployment sees it.
 * {@code topics create}: the admin provisions every topic as {@link Topics} specifies it, so that the
 * roles, which may not create topics on a cluster with ACLs, find them (see {@link Acls}).
 * {@code topics check|apply|purge}: what each topic keeps and for how long, against the configuration
 * ({@code lookout.topics.*}); setting the configured retention on topics that exist; deleting the records
 * of a topic (or of the partition holding one camera) written before a time.
 * {@code topics --strimzi CLUSTER}: Strimzi KafkaTopic resources (k8s/strimzi/kafka-topics.yaml is made this way).
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Provision Lookout's topics (create), check and apply their retention (check, apply), purge old "
                + "records (purge), or print them as Strimzi KafkaTopic resources (--strimzi: partitions, replicas, "
                + "compaction, retention, record limits as the app would create them, for the settings in --env).",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Check.class, TopicsCommand.Apply.class,
                TopicsCommand.Purge.class})
public class TopicsCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--strimzi", paramLabel = "CLUSTER",
            description = "print KafkaTopic resources for this Strimzi Kafka cluster (label strimzi.io/cluster)")
    String cluster;

    @CommandLine.Option(names = "--env", paramLabel = "FILE",
            description = "a deployment's settings as env vars, KEY=VALUE lines (e.g. k8s/base/config.env)")
    Path envFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (cluster == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "say what to do: `topics create` (provision), `topics check|apply|purge` (retention, erasure) "
                    + "or `topics --strimzi CLUSTER` (render)");
        }
        Map<String, String> env = envFile == null ? Map.of() : readEnv(envFile);
        String header = "# GENERATED from lookout.kafka.Topics: do not edit. Remake it with\n"
                + "#   ./lookout topics --strimzi " + cluster + (envFile == null ? "" : " --env " + envFile)
                + " > k8s/strimzi/kafka-topics.yaml\n"
                + "# (StrimziTopicsTest fails while this file differs from what the registry says.)\n";
        System.out.print(StrimziTopics.render(LookoutConfig.withEnv(env).topics(), cluster, header));
        return 0;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the missing topics (partitions, replication, limits from configuration); check the others.")
    public static class Create implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() {
            List<String> created = TopicAdmin.ensure(kafka.settings(), createdByDefault());
            System.out.println(created.isEmpty() ? "all topics present" : "created " + String.join(", ", created));
            return 0;
        }
    }

    /**
     * The topics {@code topics create} makes: every topic of the public contract. Not {@link Topics#ALL},
     * which also holds the opt-in dead-letter bytes topic (made only where a deployment turns it on).
     */
    public static List<String> createdByDefault() {
        List<String> all = new ArrayList<>(Topics.DETECTOR);
        all.addAll(Topics.LOOP);
        all.add(Topics.REVIEW);
        return all;
    }

    /** KEY=VALUE lines; blank lines and # comments skipped (the format of kustomize's configMapGenerator envs). */
    public static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(file + ": not KEY=VALUE: " + l);
            }
            out.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return out;
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The configs {@code apply} sets: the retention and compaction ones (never partitions or the policy). */
    static final List<String> APPLIED = List.of(TopicConfig.RETENTION_MS_CONFIG, TopicConfig.SEGMENT_MS_CONFIG,
            TopicConfig.DELETE_RETENTION_MS_CONFIG, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Each Lookout topic: retention, compaction, size on the brokers' disks, and what differs from "
                    + "the configuration. Exit status 1 when something differs.")
    public static class Check implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            KafkaClients clients = kafka.clients();
            try (Admin admin = clients.admin(TIMEOUT)) {
                Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                List<String> present = Topics.ALL.stream().filter(existing::contains).toList();
                Map<String, List<String>> problems = TopicAdmin.check(admin, clients.settings(), present, TIMEOUT);
                Map<String, Long> sizes = sizes(admin, present);
                Map<String, Map<String, String>> configs = configs(admin, present);
                int differing = 0;
                System.out.printf("%-26s %-8s %-10s %-10s %-12s %-12s %s%n", "topic", "policy", "retention", "segment",
                        "tombstones", "max-lag", "on disk");
                for (String t : Topics.ALL) {
                    if (!present.contains(t)) {
                        System.out.printf("%-26s (missing: created by the role that uses it)%n", t);
                        continue;
                    }
                    Map<String, String> c = configs.get(t);
                    System.out.printf("%-26s %-8s %-10s %-10s %-12s %-12s %s%n", t, c.get(TopicConfig.CLEANUP_POLICY_CONFIG),
                            human(c, TopicConfig.RETENTION_MS_CONFIG), human(c, TopicConfig.SEGMENT_MS_CONFIG),
                            human(c, TopicConfig.DELETE_RETENTION_MS_CONFIG), human(c, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG),
                            sizes.containsKey(t) ? bytes(sizes.get(t)) : "?");
                    for (String p : problems.getOrDefault(t, List.of())) {
                        System.out.println("  differs: " + p);
                        differing++;
                    }
                }
                if (differing > 0) {
                    System.out.printf("%d setting(s) differ from the configuration (lookout.topics.*)%n", differing);
                    return 1;
                }
                System.out.println("every topic present is as configured");
                return 0;
            }
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Set the configured retention and compaction settings (retention.ms, segment.ms, "
                    + "delete.retention.ms, max.compaction.lag.ms) on Lookout topics that exist, and raise a record limit "
                    + "(max.message.bytes) below the spec's. Partitions, replication and cleanup policy are left as they "
                    + "are (reported by check).")
    public static class Apply implements Callable<Integer> {
        @Option(names = "--topic", description = "only this topic (repeatable); default every Lookout topic")
        List<String> topics;
        @Option(names = "--dry-run", description = "print what would change, change nothing")
        boolean dryRun;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            KafkaClients clients = kafka.clients();
            try (Admin admin = clients.admin(TIMEOUT)) {
                Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                List<String> wanted = topics == null || topics.isEmpty() ? Topics.ALL : topics;
                List<String> present = wanted.stream().filter(existing::contains).toList();
                wanted.stream().filter(t -> !existing.contains(t)).forEach(t -> System.out.println(t + ": missing, skipped"));
                Map<String, Map<String, String>> configs = configs(admin, present);
                Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
                for (String t : present) {
                    Map<String, String> spec = Topics.retention(t, clients.settings().topics().retention());
                    List<AlterConfigOp> changes = new ArrayList<>();
                    for (String key : APPLIED) {
                        String want = spec.get(key);
                        if (want != null && !want.equals(configs.get(t).get(key))) {
                            changes.add(new AlterConfigOp(new ConfigEntry(key, want), AlterConfigOp.OpType.SET));
                            System.out.printf("%s: %s %s -> %s%n", t, key, human(configs.get(t), key),
                                    TopicAdmin.human(Long.parseLong(want)));
                        }
                    }
                    String max = Topics.spec(t, clients.settings().topics()).configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                    String have = configs.get(t).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                    if (max != null && have != null && Long.parseLong(have) < Long.parseLong(max)) {
                        // a lower record limit refuses records the roles produce: raise it, never lower it
                        changes.add(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, max),
                                AlterConfigOp.OpType.SET));
                        System.out.printf("%s: max.message.bytes %s -> %s%n", t, have, max);
                    }
                    if (!changes.isEmpty()) {
                        ops.put(new ConfigResource(ConfigResource.Type.TOPIC, t), changes);
                    }
                }
                if (ops.isEmpty()) {
                    System.out.println("nothing to change");
                    return 0;
                }
                if (dryRun) {
                    System.out.println("dry run: nothing changed");
                    return 0;
                }
                admin.incrementalAlterConfigs(ops).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                System.out.printf("changed %d topic(s)%n", ops.size());
                return 0;
            }
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = "Delete the records of a time-retained topic written before a time (Kafka's DeleteRecords: "
                    + "readers can no longer fetch them; the brokers drop the segments at their next cleanup). With "
                    + "--camera only the partition that camera's key lands on, which other cameras may share. "
                    + "Compacted topics are refused: erase labels with `labels erase`.")
    public static class Purge implements Callable<Integer> {
        @Option(names = "--topic", required = true, description = "e.g. lookout.frames, lookout.detections, lookout.camera-stats")
        String topic;
        @Option(names = "--before", required = true,
                description = "ISO-8601 instant (2026-12-01T00:00:00Z), epoch milliseconds, or 'now'")
        String before;
        @Option(names = "--camera", description = "only the partition this camera id's records are keyed to")
        String camera;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            long ts = parseTime(before);
            KafkaClients clients = kafka.clients();
            try (Admin admin = clients.admin(TIMEOUT)) {
                Map<String, String> c = configs(admin, List.of(topic)).get(topic);
                if (c == null || String.valueOf(c.get(TopicConfig.CLEANUP_POLICY_CONFIG)).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                    throw new IllegalArgumentException(topic + " is compacted (or unknown): its records are erased by "
                            + "tombstones (labels: `./lookout labels erase --camera ID`), not by time");
                }
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                List<TopicPartition> parts = new ArrayList<>();
                for (TopicPartitionInfo p : d.partitions()) {
                    parts.add(new TopicPartition(topic, p.partition()));
                }
                if (camera != null) {
                    int p = partitionOf(camera, parts.size());
                    parts = List.of(new TopicPartition(topic, p));
                    System.out.printf("camera %s is keyed to partition %d of %d (other cameras on it lose the same records)%n",
                            camera, p, d.partitions().size());
                }
                Map<TopicPartition, RecordsToDelete> cut = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
                Map<TopicPartition, OffsetSpec> at = new HashMap<>();
                parts.forEach(tp -> at.put(tp, OffsetSpec.forTimestamp(ts)));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> first = admin.listOffsets(at).all()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                parts.forEach(tp -> ends.put(tp, OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(ends).all()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                for (TopicPartition tp : parts) {
                    long offset = first.get(tp).offset(); // first record at or after ts; -1: none, so all of it
                    cut.put(tp, RecordsToDelete.beforeOffset(offset < 0 ? end.get(tp).offset() : offset));
                }
                var result = admin.deleteRecords(cut).lowWatermarks();
                for (Map.Entry<TopicPartition, RecordsToDelete> e : cut.entrySet()) {
                    long low = result.get(e.getKey()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).lowWatermark();
                    System.out.printf("%s: records before offset %d deleted (first readable offset now %d)%n", e.getKey(),
                            e.getValue().beforeOffset(), low);
                }
                return 0;
            }
        }
    }

    /** The partition Kafka's default partitioner puts a record keyed by this camera id on. */
    static int partitionOf(String camera, int partitions) {
        return Utils.toPositive(Utils.murmur2(camera.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
    }

    static long parseTime(String s) {
        if (s.equalsIgnoreCase("now")) {
            return System.currentTimeMillis();
        }
        if (s.matches("\\d{1,19}")) {
            return Long.parseLong(s);
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--before " + s + ": expected an ISO-8601 instant such as "
                    + "2026-12-01T00:00:00Z, epoch milliseconds, or now");
        }
    }

    private static Map<String, Map<String, String>> configs(Admin admin, List<String> topics) throws Exception {
        Map<String, Map<String, String>> out = new HashMap<>();
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        if (resources.isEmpty()) {
            return out;
        }
        Map<ConfigResource, Config> all;
        try {
            all = admin.describeConfigs(resources).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return out;
            }
            throw e;
        }
        all.forEach((r, c) -> {
            Map<String, String> m = new HashMap<>();
            c.entries().forEach(e -> {
                if (e.value() != null) {
                    m.put(e.name(), e.value());
                }
            });
            out.put(r.name(), m);
        });
        return out;
    }

    /** Bytes each topic takes on the brokers' disks, replicas included (DescribeLogDirs); empty when not allowed. */
    private static Map<String, Long> sizes(Admin admin, List<String> topics) {
        Map<String, Long> out = new HashMap<>();
        try {
            var brokers = admin.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .map(n -> n.id()).toList();
            admin.describeLogDirs(brokers).allDescriptions().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .values().forEach(dirs -> dirs.values().forEach(dir -> dir.replicaInfos().forEach((tp, info) -> {
                        if (topics.contains(tp.topic())) {
                            out.merge(tp.topic(), info.size(), Long::sum);
                        }
                    })));
        } catch (Exception e) {
            // not allowed to describe log dirs (Cluster Describe): sizes stay unknown
        }
        return out;
    }

    private static String human(Map<String, String> configs, String key) {
        String v = configs == null ? null : configs.get(key);
        return v == null ? "-" : TopicAdmin.human(Long.parseLong(v));
    }

    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        return n >= 1024 ? n / 1024 + " KiB" : n + " B";
    }
}
