package lookout.inference.swap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import lookout.model.ModelArtifact;
import lookout.model.ModelMetadata;

/**
 * A detector for swap tests: serves whatever it was last swapped to (at first a model "0" from
 * disk); refuses artifacts whose model.pt says "broken", as a pool refuses one that fails to load.
 */
final class FakeSwapTarget implements ModelSwapTarget {
    volatile ModelMetadata serving = new ModelMetadata("m", "0", null, null, null, null, null, null, null, null,
            null, "none", null);
    final List<String> attempts = new CopyOnWriteArrayList<>();
    /** Cameras' own models. */
    final Map<String, ModelMetadata> cameras = new ConcurrentHashMap<>();

    /** A model directory whose model.pt holds {@code content} (start it with "broken" to have it refused). */
    static Path artifact(Path parent, String name, String content) throws Exception {
        Path dir = Files.createDirectories(parent.resolve(name));
        Files.writeString(dir.resolve("model.pt"), content);
        Files.writeString(dir.resolve("model.json"), "{\"name\":\"m\",\"classes\":[\"__background__\",\"person\"]}");
        return dir;
    }

    @Override
    public ModelMetadata serving(String camera) {
        return camera == null ? serving : cameras.get(camera);
    }

    @Override
    public void swapTo(String camera, Path dir) throws Exception {
        ModelArtifact a = ModelArtifact.open(dir);
        attempts.add(camera == null ? a.metadata().version() : camera + ":" + a.metadata().version());
        if (Files.readString(dir.resolve("model.pt")).startsWith("broken")) {
            throw new IllegalStateException("TorchScript load failed: not a zip archive");
        }
        if (camera == null) {
            serving = a.metadata();
        } else {
            cameras.put(camera, a.metadata());
        }
    }

    @Override
    public void drop(String camera) {
        cameras.remove(camera);
    }

    @Override
    public Set<String> ownModels() {
        return Set.copyOf(cameras.keySet());
    }
}
