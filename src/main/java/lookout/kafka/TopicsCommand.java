package lookout.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import lookout.config.LookoutConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code lookout topics}: the topic registry as a deployment sees it.
 * {@code topics create}: the admin provisions every topic as {@link Topics} specifies it, so that the
 * roles, which may not create topics on a cluster with ACLs, find them (see {@link Acls}).
 * {@code topics --strimzi CLUSTER}: Strimzi KafkaTopic resources (k8s/strimzi/kafka-topics.yaml is made this way).
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Provision Lookout's topics (create), or print them as Strimzi KafkaTopic resources "
                + "(--strimzi: partitions, replicas, compaction, retention, record limits as the app would create "
                + "them, for the settings in --env).",
        subcommands = TopicsCommand.Create.class)
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
                    "say what to do: `topics create` (provision) or `topics --strimzi CLUSTER` (render)");
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
            List<String> created = TopicAdmin.ensure(kafka.settings(), all());
            System.out.println(created.isEmpty() ? "all topics present" : "created " + String.join(", ", created));
            return 0;
        }
    }

    /** Every topic of the public contract. */
    public static List<String> all() {
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
}
