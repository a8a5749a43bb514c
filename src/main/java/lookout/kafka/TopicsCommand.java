package lookout.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import lookout.config.LookoutConfig;
import picocli.CommandLine;

/**
 * {@code lookout topics}: the topic registry as a deployment sees it. With {@code --strimzi CLUSTER}
 * it prints Strimzi KafkaTopic resources (k8s/strimzi/kafka-topics.yaml is made this way).
 */
@CommandLine.Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Print every Lookout topic as a Strimzi KafkaTopic resource (partitions, replicas, compaction, "
                + "retention, record limits as the app would create it), for the settings in --env.")
public class TopicsCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--strimzi", paramLabel = "CLUSTER", required = true,
            description = "name of the Strimzi Kafka cluster (label strimzi.io/cluster)")
    String cluster;

    @CommandLine.Option(names = "--env", paramLabel = "FILE",
            description = "a deployment's settings as env vars, KEY=VALUE lines (e.g. k8s/base/config.env)")
    Path envFile;

    @Override
    public Integer call() throws IOException {
        Map<String, String> env = envFile == null ? Map.of() : readEnv(envFile);
        String header = "# GENERATED from lookout.kafka.Topics: do not edit. Remake it with\n"
                + "#   ./lookout topics --strimzi " + cluster + (envFile == null ? "" : " --env " + envFile)
                + " > k8s/strimzi/kafka-topics.yaml\n"
                + "# (StrimziTopicsTest fails while this file differs from what the registry says.)\n";
        System.out.print(StrimziTopics.render(LookoutConfig.withEnv(env).topics(), cluster, header));
        return 0;
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
