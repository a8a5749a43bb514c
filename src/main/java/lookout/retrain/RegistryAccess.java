package lookout.retrain;

import java.nio.file.Path;
import java.util.List;

import lookout.registry.ModelManifest;
import lookout.registry.RegistryState;
import lookout.registry.ServingPointer;

/** What the trainer needs from the model registry (Kafka in production, in memory in unit tests). */
public interface RegistryAccess {
    RegistryState snapshot();

    ModelManifest publish(Path dir, String version, boolean serve, String previous) throws Exception;

    void setServing(ServingPointer pointer);

    List<String> prune(RegistryState state, int keep);
}
