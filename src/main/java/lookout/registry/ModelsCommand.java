package lookout.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.producer.KafkaProducer;

import lookout.kafka.LoopTopics;
import lookout.model.ModelMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lookout models list|publish|fetch|promote|rollback|prune}: the registry on lookout.models. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "The model registry on lookout.models.",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Publish.class, ModelsCommand.Fetch.class,
                ModelsCommand.Promote.class, ModelsCommand.Rollback.class, ModelsCommand.Prune.class})
public class ModelsCommand {
    static final String DEFAULT_BOOTSTRAP = "${KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}";
    static final Duration TIMEOUT = Duration.ofMinutes(2);

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Versions, metrics, and which one serves.")
    public static class ListVersions implements Callable<Integer> {
        @Option(names = "--bootstrap", defaultValue = DEFAULT_BOOTSTRAP)
        String bootstrap;

        @Override
        public Integer call() {
            RegistryState state = ModelRegistry.snapshot(bootstrap, TIMEOUT);
            System.out.print(format(state));
            return 0;
        }
    }

    /** The listing as text (one line per version, "*" marks the serving one). */
    public static String format(RegistryState state) {
        StringBuilder sb = new StringBuilder();
        ServingPointer serving = state.serving();
        sb.append(String.format("%-2s %-8s %-8s %-22s %9s %7s %7s  %s%n", "", "VERSION", "PARENT", "PUBLISHED", "SIZE",
                "AP50", "AP", "SHA256"));
        for (ModelManifest m : state.versions()) {
            ModelMetadata meta = m.meta();
            Map<String, Object> metrics = meta != null && meta.metrics() != null ? meta.metrics() : Map.of();
            sb.append(String.format("%-2s %-8s %-8s %-22s %9s %7s %7s  %s%n",
                    serving != null && m.version().equals(serving.version()) ? "*" : "",
                    m.version(), meta == null || meta.parent() == null ? "-" : meta.parent(),
                    Instant.ofEpochMilli(m.publishedAt()).toString().replaceAll("\\.\\d+Z$", "Z"),
                    String.format("%.1fMB", m.size() / 1e6), num(metrics.get("ap50")), num(metrics.get("ap")),
                    m.sha256().substring(0, 12)));
        }
        if (serving == null) {
            sb.append("no serving pointer yet (detectors keep their configured model)\n");
        } else {
            sb.append("serving: ").append(serving.version()).append(" (").append(serving.reason())
                    .append(serving.previous() != null ? ", previous " + serving.previous() : "").append(")\n");
        }
        return sb.toString();
    }

    private static String num(Object o) {
        return o instanceof Number n ? String.format("%.3f", n.doubleValue()) : "-";
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Publish a model folder (model.pt + model.json) as a new version.")
    public static class Publish implements Callable<Integer> {
        @Parameters(paramLabel = "DIR")
        Path dir;
        @Option(names = "--version", description = "version to publish as (default: next free)")
        String version;
        @Option(names = "--serve", description = "also make it the serving version")
        boolean serve;
        @Option(names = "--bootstrap", defaultValue = DEFAULT_BOOTSTRAP)
        String bootstrap;

        @Override
        public Integer call() throws Exception {
            LoopTopics.ensure(bootstrap, 1);
            RegistryState state = ModelRegistry.snapshot(bootstrap, TIMEOUT);
            String v = version != null ? version : ModelRegistry.nextVersion(state);
            if (state.manifest(v) != null) {
                System.err.println("models: version " + v + " already exists; versions are immutable");
                return 1;
            }
            try (KafkaProducer<String, byte[]> p = ModelRegistry.openProducer(bootstrap, "lookout-models-cli")) {
                ModelManifest m = new ModelPublisher(p, ModelPublisher.DEFAULT_CHUNK_SIZE).publish(dir, v, serve,
                        state.serving() == null ? null : state.serving().version());
                System.out.printf("published version %s: %d bytes in %d chunks, sha256 %s%s%n", v, m.size(), m.chunks(),
                        m.sha256(), serve ? ", now serving" : "");
            }
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Reassemble a version into a folder, verifying its sha256.")
    public static class Fetch implements Callable<Integer> {
        @Parameters(paramLabel = "VERSION")
        String version;
        @Option(names = "--out", required = true)
        Path out;
        @Option(names = "--bootstrap", defaultValue = DEFAULT_BOOTSTRAP)
        String bootstrap;

        @Override
        public Integer call() throws Exception {
            RegistryState state = ModelRegistry.snapshot(bootstrap, TIMEOUT);
            state.assemble(version, out);
            System.out.println("version " + version + " written to " + out + " (sha256 verified)");
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Serve a published version.")
    public static class Promote implements Callable<Integer> {
        @Parameters(paramLabel = "VERSION")
        String version;
        @Option(names = "--bootstrap", defaultValue = DEFAULT_BOOTSTRAP)
        String bootstrap;

        @Override
        public Integer call() {
            return point(bootstrap, version, "promote");
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Serve an earlier version (default: the one served before the current).")
    public static class Rollback implements Callable<Integer> {
        @Parameters(paramLabel = "VERSION", arity = "0..1")
        String version;
        @Option(names = "--bootstrap", defaultValue = DEFAULT_BOOTSTRAP)
        String bootstrap;

        @Override
        public Integer call() {
            return point(bootstrap, version, "rollback");
        }
    }

    static int point(String bootstrap, String version, String reason) {
        RegistryState state = ModelRegistry.snapshot(bootstrap, TIMEOUT);
        try {
            ServingPointer p = ServingChange.resolve(state, version, reason);
            try (KafkaProducer<String, byte[]> producer = ModelRegistry.openProducer(bootstrap, "lookout-models-cli")) {
                new ModelPublisher(producer, ModelPublisher.DEFAULT_CHUNK_SIZE).setServing(p);
            }
            System.out.println("serving version " + p.version() + " (" + reason + ", previous " + p.previous() + ")");
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("models: " + e.getMessage());
            return 1;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Tombstone all but the newest N versions (the serving one is always kept).")
    public static class Prune implements Callable<Integer> {
        @Option(names = "--keep", defaultValue = "5")
        int keep;
        @Option(names = "--bootstrap", defaultValue = DEFAULT_BOOTSTRAP)
        String bootstrap;

        @Override
        public Integer call() {
            RegistryState state = ModelRegistry.snapshot(bootstrap, TIMEOUT);
            try (KafkaProducer<String, byte[]> producer = ModelRegistry.openProducer(bootstrap, "lookout-models-cli")) {
                List<String> pruned = new ModelPublisher(producer, ModelPublisher.DEFAULT_CHUNK_SIZE).prune(state, keep);
                System.out.println("pruned versions " + pruned);
            }
            return 0;
        }
    }
}
