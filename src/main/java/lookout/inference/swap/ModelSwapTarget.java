package lookout.inference.swap;

import java.nio.file.Path;

import lookout.model.ModelMetadata;

/** Something that serves a model and can switch to another (the detector's inference pool). */
public interface ModelSwapTarget {
    /** The model serving now. */
    ModelMetadata serving();

    /**
     * Loads the verified artifact in dir, warms it up, then switches to it atomically.
     *
     * @throws Exception when it cannot load or warm up; the old model must keep serving
     */
    void swapTo(Path artifactDir) throws Exception;
}
