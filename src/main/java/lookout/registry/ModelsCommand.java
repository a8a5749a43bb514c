package lookout.registry;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import lookout.config.LookoutConfig;
import lookout.kafka.Groups;
import lookout.kafka.KafkaOptions;
import lookout.config.ModelsSettings;
import lookout.model.ModelMetadata;
import lookout.trust.ModelSigner;
import lookout.trust.SigningKeys;
import lookout.trust.TrustedKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lookout models list|publish|fetch|promote|rollback|prune}: the registry on lookout.models. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "The model registry on lookout.models.",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Publish.class, ModelsCommand.Fetch.class,
                ModelsCommand.Promote.class, ModelsCommand.Rollback.class, ModelsCommand.Prune.class})
public class ModelsCommand {

    /** What every models subcommand shares: where the registry is, and a writer's transactional id. */
    abstract static class RegistryCommand implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            ModelsSettings models = LookoutConfig.current().models();
            ModelSigner signer = signer(models);
            TrustedKeys trust = SigningKeys.trusted(models);
            try (KafkaModelRegistry registry = new KafkaModelRegistry(kafka.clients(), Groups.MODELS_CLI_TRANSACTIONAL_ID,
                    models.chunkBytes(), signer, signer == null ? trust : trust.and(signer.publicKey()))) {
                return run(registry);
            }
        }

        /** The key that signs what this command publishes; none for commands that publish no model. */
        ModelSigner signer(ModelsSettings models) {
            return null;
        }

        abstract int run(KafkaModelRegistry registry) throws Exception;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Versions, metrics, and which one serves.")
    public static class ListVersions extends RegistryCommand {
        @Override
        int run(KafkaModelRegistry registry) {
            System.out.print(format(registry.snapshot()));
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
        state.refusals().forEach((v, why) -> sb.append(String.format("%-2s %-8s refused: %s%n", "!", v, why)));
        if (serving == null) {
            sb.append("no serving pointer yet (detectors keep their configured model)\n");
        } else {
            sb.append("serving: ").append(pointer(serving)).append("\n");
        }
        state.cameraServing().forEach((camera, p) -> sb.append("camera ").append(camera).append(" serves its own: ")
                .append(pointer(p)).append("\n"));
        return sb.toString();
    }

    private static String pointer(ServingPointer p) {
        return p.version() + " (" + p.reason() + (p.previous() != null ? ", previous " + p.previous() : "") + ")";
    }

    private static String num(Object o) {
        return o instanceof Number n ? String.format("%.3f", n.doubleValue()) : "-";
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Publish a model folder (model.pt + model.json) as a new version.")
    public static class Publish extends RegistryCommand {
        @Parameters(paramLabel = "DIR")
        Path dir;
        @Option(names = "--version", description = "version to publish as (default: next free)")
        String version;
        @Option(names = "--serve", description = "also make it the serving version")
        boolean serve;

        @Override
        ModelSigner signer(ModelsSettings models) {
            return SigningKeys.signer(models); // lookout.models.signing-key: detectors load only signed models
        }

        @Override
        int run(KafkaModelRegistry registry) throws Exception {
            RegistryState state = registry.snapshot();
            String v = version != null ? version : state.nextVersion();
            if (state.manifest(v) != null) {
                System.err.println("models: version " + v + " already exists; versions are immutable");
                return 1;
            }
            ModelManifest m = registry.publish(dir, v, serve, state.serving() == null ? null : state.serving().version());
            System.out.printf("published version %s: %d bytes in %d chunks, sha256 %s, signed by key %s%s%n", v, m.size(),
                    m.chunks(), m.sha256(), m.signature().keyId(), serve ? ", now serving" : "");
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Reassemble a version into a folder, verifying its sha256.")
    public static class Fetch extends RegistryCommand {
        @Parameters(paramLabel = "VERSION")
        String version;
        @Option(names = "--out", required = true)
        Path out;

        @Override
        int run(KafkaModelRegistry registry) throws Exception {
            registry.snapshot().assemble(version, out);
            System.out.println("version " + version + " written to " + out + " (sha256 verified)");
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Serve a published version.")
    public static class Promote extends RegistryCommand {
        @Parameters(paramLabel = "VERSION")
        String version;
        @Option(names = "--camera", description = "serve it to this camera only (its own model)")
        String camera;

        @Override
        int run(KafkaModelRegistry registry) {
            return point(registry, camera, version, "promote");
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Serve an earlier version (default: the one served before the current).")
    public static class Rollback extends RegistryCommand {
        @Parameters(paramLabel = "VERSION", arity = "0..1")
        String version;
        @Option(names = "--camera", description = "roll back this camera's own model: to its earlier one, "
                + "from there (or with none) to the general serving version")
        String camera;

        @Override
        int run(KafkaModelRegistry registry) {
            return point(registry, camera, version, "rollback");
        }
    }

    static int point(ModelRegistry registry, String camera, String version, String reason) {
        try {
            ServingChange.Move move = ServingChange.resolve(registry.snapshot(), camera, version, reason);
            registry.commit(List.of(ModelPublisher.servingRecord(move.camera(), move.pointer())), Map.of(), null);
            System.out.println(move.describe());
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("models: " + e.getMessage());
            return 1;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Tombstone all but the newest N versions (serving ones, a camera's included, are always kept).")
    public static class Prune extends RegistryCommand {
        @Option(names = "--keep", paramLabel = "N", description = "versions to keep (default: lookout.trainer.keep-versions, 5)")
        Integer keep;

        @Override
        int run(KafkaModelRegistry registry) {
            int n = keep != null ? keep : LookoutConfig.current().trainer().keepVersions();
            List<String> pruned = registry.prune(registry.snapshot(), n);
            System.out.println("pruned versions " + pruned);
            return 0;
        }
    }
}
