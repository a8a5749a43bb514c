package lookout.inference.swap;

import java.nio.file.Path;
import java.util.Set;

import lookout.model.ModelMetadata;

/**
 * Something that serves a model, and cameras that may have models of their own, and can switch
 * either to another (the detector's inference pool). Camera null means the general model.
 */
public interface ModelSwapTarget {
    /**
     * The model serving a camera from a model of its own (null when it has none), or, for camera
     * null, the general model.
     */
    ModelMetadata serving(String camera);

    /**
     * Loads the verified artifact in dir, warms it up, then switches the camera (null: the general
     * model) to it atomically.
     *
     * @throws Exception when it cannot load or warm up; the old model must keep serving
     */
    void swapTo(String camera, Path artifactDir) throws Exception;

    /** Returns a camera with a model of its own to the general model. */
    void drop(String camera);

    /** Cameras with a model of their own. */
    Set<String> ownModels();

    /** The general model serving now. */
    default ModelMetadata serving() {
        return serving(null);
    }
}
