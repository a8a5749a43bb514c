package lookout.registry;

import java.nio.file.Path;
import java.util.List;

/** The model registry: published versions and the serving pointer (Kafka in production, in memory in unit tests). */
public interface ModelRegistry {
    /** The registry as it stands now (committed records only). */
    RegistryState snapshot();

    /**
     * Publishes the artifact in dir ({@code model.pt} + {@code model.json}) as the given version.
     *
     * @param serve    when true the serving pointer moves to this version in the same transaction
     * @param previous the version served until now (recorded in the pointer for rollback), or null
     */
    ModelManifest publish(Path dir, String version, boolean serve, String previous) throws Exception;

    /** Moves the serving pointer (promote or rollback). */
    void setServing(ServingPointer pointer);

    /**
     * Tombstones all but the newest {@code keep} versions; the serving one is always kept.
     *
     * @return the pruned versions
     */
    List<String> prune(RegistryState state, int keep);
}
