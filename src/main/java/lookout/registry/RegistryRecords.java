package lookout.registry;

import java.io.IOException;
import java.util.regex.Pattern;

import lookout.common.Json;
import lookout.common.Names;
import lookout.model.ModelMetadata;

/**
 * Reads and validates the records of {@code lookout.models}: anyone who can write to the topic can
 * write anything, and a reader must neither die on nor act on a record it cannot use. Each method
 * returns the typed record or throws {@link Invalid} with a machine-readable reason, which the
 * registry state reports and skips.
 */
final class RegistryRecords {
    /** More chunks than any model needs (50 GB at the default chunk size): a bound on what a manifest may claim. */
    static final int MAX_CHUNKS = 100_000;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern CHUNK_INDEX = Pattern.compile("[0-9]{1,6}");

    /** Why a record was skipped. */
    static final class Invalid extends Exception {
        private final String reason;

        Invalid(String reason, String detail) {
            super(reason + ": " + detail);
            this.reason = reason;
        }

        /** bad-key, unreadable, invalid-manifest, invalid-pointer, invalid-chunk; the state adds version-rewritten and the signature reasons */
        String reason() {
            return reason;
        }
    }

    private RegistryRecords() {
    }

    static String version(String v, String what) throws Invalid {
        if (!Names.isVersion(v)) {
            throw new Invalid("bad-key", what + " names no valid version: " + (v == null ? "null" : "\"" + Names.clip(v, 80) + "\""));
        }
        return v;
    }

    static ServingPointer pointer(byte[] value) throws Invalid {
        ServingPointer p = read(value, ServingPointer.class, "invalid-pointer");
        if (!Names.isVersion(p.version())) {
            throw new Invalid("invalid-pointer", "serving pointer names no valid version: " + quoted(p.version()));
        }
        if (p.previous() != null && !Names.isVersion(p.previous())) {
            throw new Invalid("invalid-pointer", "serving pointer's previous is no valid version: " + quoted(p.previous()));
        }
        return p;
    }

    static int chunkIndex(String key, String index) throws Invalid {
        if (index == null || !CHUNK_INDEX.matcher(index).matches() || Integer.parseInt(index) >= MAX_CHUNKS) {
            throw new Invalid("invalid-chunk", "chunk key " + quoted(key) + " has no index in 0.." + (MAX_CHUNKS - 1));
        }
        return Integer.parseInt(index);
    }

    /** A manifest whose numbers add up, whose sha256 is a sha256 and whose model.json is readable. */
    static ModelManifest manifest(String key, byte[] value) throws Invalid {
        ModelManifest m = read(value, ModelManifest.class, "invalid-manifest");
        if (!key.equals(m.version())) {
            throw new Invalid("invalid-manifest", "manifest under key " + quoted(key) + " says version " + quoted(m.version()));
        }
        if (m.chunks() < 1 || m.chunks() > MAX_CHUNKS || m.chunkSize() < 1) {
            throw new Invalid("invalid-manifest", "version " + key + ": " + m.chunks() + " chunks of " + m.chunkSize()
                    + " bytes (1.." + MAX_CHUNKS + " chunks of at least 1 byte)");
        }
        long most = (long) m.chunks() * m.chunkSize();
        if (m.size() < 0 || m.size() > most || (m.chunks() > 1 && m.size() <= most - m.chunkSize())) {
            throw new Invalid("invalid-manifest", "version " + key + ": size " + m.size() + " does not fill " + m.chunks()
                    + " chunks of " + m.chunkSize());
        }
        if (m.sha256() == null || !SHA256.matcher(m.sha256()).matches()) {
            throw new Invalid("invalid-manifest", "version " + key + " has no sha256 (" + quoted(m.sha256()) + ")");
        }
        if (m.metadata() == null) {
            throw new Invalid("invalid-manifest", "version " + key + " carries no model.json");
        }
        ModelMetadata meta;
        try {
            meta = m.meta();
        } catch (RuntimeException e) {
            throw new Invalid("invalid-manifest", "version " + key + " has an unreadable model.json: " + e.getMessage());
        }
        if (meta.sha256() != null && !meta.sha256().equalsIgnoreCase(m.sha256())) {
            throw new Invalid("invalid-manifest", "version " + key + ": model.json's sha256 differs from the manifest's");
        }
        if (meta.classes() == null || meta.classes().isEmpty()) {
            throw new Invalid("invalid-manifest", "version " + key + ": model.json lists no classes");
        }
        return m;
    }

    private static <T> T read(byte[] value, Class<T> type, String reason) throws Invalid {
        try {
            T t = Json.MAPPER.readValue(value, type);
            if (t == null) {
                throw new Invalid(reason, "the value is JSON null");
            }
            return t;
        } catch (IOException | RuntimeException e) {
            throw new Invalid(reason, "unreadable " + type.getSimpleName() + ": " + Names.clip(String.valueOf(e.getMessage()), 200));
        }
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + Names.clip(s, 80) + "\"";
    }
}
