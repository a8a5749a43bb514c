package lookout.registry;

import lookout.common.Names;

/**
 * Record keys on {@code lookout.models}: {@code <version>} is the manifest (model.json inside),
 * {@code <version>/chunk/<i>} the i-th piece of model.pt, {@code serving} the serving pointer,
 * {@code serving@<camera>} the pointer of a camera that has a model of its own (a camera retrain that
 * lifted its camera but would have cost the others: see RetrainJob).
 * Chunks need keys of their own: on a compacted topic records sharing a key collapse to the last.
 */
public final class RegistryKeys {
    public static final String SERVING = "serving";
    private static final String CHUNK = "/chunk/";
    private static final String CAMERA_SERVING = "serving@";

    private RegistryKeys() {
    }

    /**
     * The key of a serving pointer: {@code serving} for the general one (camera null), else
     * {@code serving@<camera>}.
     *
     * @throws IllegalArgumentException when camera is no valid camera id
     */
    public static String serving(String camera) {
        if (camera == null) {
            return SERVING;
        }
        String problem = Names.cameraProblem(camera);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return CAMERA_SERVING + camera;
    }

    /** The camera of a camera's serving-pointer key, or null if the key is not one. */
    static String servingCamera(String key) {
        return key.startsWith(CAMERA_SERVING) ? key.substring(CAMERA_SERVING.length()) : null;
    }

    /** @throws IllegalArgumentException when version is no valid version name */
    public static String manifest(String version) {
        return Names.requireVersion(version);
    }

    /** @throws IllegalArgumentException when version is no valid version name */
    public static String chunk(String version, int index) {
        return Names.requireVersion(version) + CHUNK + String.format("%05d", index);
    }

    /** The version a chunk key belongs to, or null if the key is not a chunk key. */
    static String chunkVersion(String key) {
        int i = key.indexOf(CHUNK);
        return i > 0 ? key.substring(0, i) : null;
    }

    /** What follows "/chunk/" in a chunk key (validated by the reader). */
    static String chunkIndexText(String key) {
        return key.substring(key.indexOf(CHUNK) + CHUNK.length());
    }

    /** Orders versions numerically when both are numbers, else lexically (numbers first); null sorts first. */
    public static int compareVersions(String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        boolean na = isNumber(a);
        boolean nb = isNumber(b);
        if (na && nb) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return na != nb ? (na ? -1 : 1) : a.compareTo(b);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() <= 18 && s.chars().allMatch(Character::isDigit);
    }
}
