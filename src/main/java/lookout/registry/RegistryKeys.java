package lookout.registry;

/**
 * Record keys on {@code lookout.models}: {@code <version>} is the manifest (model.json inside),
 * {@code <version>/chunk/<i>} the i-th piece of model.pt, {@code serving} the serving pointer.
 * Chunks need keys of their own: on a compacted topic records sharing a key collapse to the last.
 */
public final class RegistryKeys {
    public static final String SERVING = "serving";
    private static final String CHUNK = "/chunk/";

    private RegistryKeys() {
    }

    public static String manifest(String version) {
        return version;
    }

    public static String chunk(String version, int index) {
        return version + CHUNK + String.format("%05d", index);
    }

    /** The version a chunk key belongs to, or null if the key is not a chunk key. */
    static String chunkVersion(String key) {
        int i = key.indexOf(CHUNK);
        return i > 0 ? key.substring(0, i) : null;
    }

    static int chunkIndex(String key) {
        return Integer.parseInt(key.substring(key.indexOf(CHUNK) + CHUNK.length()));
    }

    /** Orders versions numerically when both are numbers, else lexically. */
    public static int compareVersions(String a, String b) {
        try {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }
}
