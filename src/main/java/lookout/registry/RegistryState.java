package lookout.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jboss.logging.Logger;

import lookout.common.Json;
import lookout.common.Names;
import lookout.common.Sha256;
import lookout.model.Lineage;
import lookout.trust.TrustedKeys;
import lookout.trust.UntrustedModelException;

/**
 * What {@code lookout.models} says, built by applying its records in order: manifests, chunks and
 * the serving pointer. Chunks of a version without a manifest are invisible (an open or aborted
 * publish). With trusted keys, a manifest shows only if its signature vouches for it; others are
 * skipped and remembered with their reason ({@link #refusal}). Versions are write-once: once a
 * version's manifest has been accepted, a different manifest or a chunk for it is skipped
 * ({@code version-rewritten}), a tombstone (pruning) still removes it. Thread-safe.
 */
public final class RegistryState {
    private static final Logger LOG = Logger.getLogger(RegistryState.class);
    /** Reason of a record that would change a version already published. */
    public static final String REWRITTEN = "version-rewritten";

    /** Hears about records the state could not use (events and metrics in the detector). */
    @FunctionalInterface
    public interface SkipListener {
        /**
         * @param key    the record key, clipped
         * @param reason bad-key, unreadable, invalid-manifest, invalid-pointer, invalid-chunk,
         *               version-rewritten, unsigned, unknown-key or bad-signature
         * @param detail one readable line
         */
        void skipped(String key, String reason, String detail);
    }

    /** A listener that only lets the state log what it skips. */
    public static final SkipListener LOGGED = (key, reason, detail) -> {
    };

    private final Map<String, ModelManifest> manifests = new TreeMap<>(RegistryKeys::compareVersions);
    private final Map<String, Map<Integer, byte[]>> chunks = new TreeMap<>(RegistryKeys::compareVersions);
    /** Every version's first accepted manifest, as "statement digest/signature": kept after a tombstone. */
    private final Map<String, String> identities = new HashMap<>();
    /** Why the newest manifest of a version with none accepted was refused ("reason: detail"). */
    private final Map<String, String> refusals = new TreeMap<>(RegistryKeys::compareVersions);
    private final SkipListener skips;
    private final TrustedKeys trust;
    private ServingPointer serving;
    /** Pointers of cameras that serve a model of their own, by camera. */
    private final Map<String, ServingPointer> cameraServing = new TreeMap<>();

    /** A state that logs what it skips and checks no signature (tests of the registry's mechanics). */
    public RegistryState() {
        this(LOGGED, null);
    }

    /** A state that checks no signature (tests of the registry's mechanics). */
    public RegistryState(SkipListener skips) {
        this(skips, null);
    }

    /** @param trust the keys a manifest must be signed by to show; null checks no signature */
    public RegistryState(SkipListener skips, TrustedKeys trust) {
        this.skips = skips;
        this.trust = trust;
    }

    /**
     * Applies one record; a null value is a tombstone. A record that is not what the registry
     * writes (unknown key, invalid version name, unreadable or inconsistent manifest or pointer, an
     * untrusted signature, a rewrite of a published version) is skipped, logged and reported, and
     * leaves the state as it was: it never throws.
     */
    public synchronized void apply(String key, byte[] value) {
        try {
            applyValid(key, value);
        } catch (RegistryRecords.Invalid e) {
            skip(key, e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            skip(key, "unreadable", e.toString());
        }
    }

    private void applyValid(String key, byte[] value) throws RegistryRecords.Invalid {
        if (key == null) {
            throw new RegistryRecords.Invalid("bad-key", "a record without a key");
        }
        if (key.equals(RegistryKeys.SERVING)) {
            serving = value == null ? null : RegistryRecords.pointer(value);
        } else if (RegistryKeys.servingCamera(key) != null) {
            String camera = RegistryKeys.servingCamera(key);
            String problem = Names.cameraProblem(camera);
            if (problem != null) {
                throw new RegistryRecords.Invalid("bad-key", "camera serving pointer: " + problem);
            }
            if (value == null) {
                cameraServing.remove(camera); // the camera follows the general pointer again
            } else {
                cameraServing.put(camera, RegistryRecords.pointer(value));
            }
        } else if (RegistryKeys.chunkVersion(key) != null) {
            String v = RegistryRecords.version(RegistryKeys.chunkVersion(key), "chunk key");
            int index = RegistryRecords.chunkIndex(key, RegistryKeys.chunkIndexText(key));
            if (value == null) {
                Map<Integer, byte[]> m = chunks.get(v);
                if (m != null) {
                    m.remove(index);
                    if (m.isEmpty()) {
                        chunks.remove(v);
                    }
                }
            } else if (identities.containsKey(v)) {
                // a publish writes its chunks before its manifest: a chunk after it would change a published version
                Map<Integer, byte[]> held = chunks.get(v);
                if (held == null || !Arrays.equals(held.get(index), value)) {
                    throw new RegistryRecords.Invalid(REWRITTEN, "chunk " + index + " of version " + v
                            + " written after its manifest: published versions are write-once");
                }
            } else {
                chunks.computeIfAbsent(v, k -> new TreeMap<>()).put(index, value);
            }
        } else {
            String v = RegistryRecords.version(key, "manifest key");
            if (value == null) {
                manifests.remove(v);
                refusals.remove(v);
                return;
            }
            applyManifest(v, RegistryRecords.manifest(v, value));
        }
    }

    private void applyManifest(String v, ModelManifest m) throws RegistryRecords.Invalid {
        String identity = identity(m);
        String first = identities.get(v);
        if (first != null) {
            if (!first.equals(identity)) {
                throw new RegistryRecords.Invalid(REWRITTEN, "a second, different manifest for version " + v
                        + " (sha256 " + m.sha256().substring(0, 12) + "...): published versions are write-once, the first stays");
            }
            manifests.putIfAbsent(v, m); // the same manifest again (a replay after pruning brings back what was signed)
            return;
        }
        if (trust != null) {
            try {
                trust.verify(m.statement(), m.signature());
            } catch (UntrustedModelException e) {
                refusals.put(v, e.getMessage());
                throw new RegistryRecords.Invalid(e.reason(), e.getMessage());
            }
        }
        identities.put(v, identity);
        manifests.put(v, m);
        refusals.remove(v);
    }

    /** What makes two manifests the same version: the signed statement and the signature. */
    private static String identity(ModelManifest m) {
        return Sha256.hex(m.statement().bytes()) + "/" + (m.signature() == null ? "" : m.signature().keyId() + ":"
                + m.signature().value());
    }

    private void skip(String key, String reason, String detail) {
        String k = key == null ? null : Names.clip(key, 100);
        LOG.warnf("skipping record %s on lookout.models: %s", k, detail);
        try {
            skips.skipped(k, reason, detail);
        } catch (RuntimeException e) {
            LOG.warnf("reporting a skipped registry record failed: %s", e.toString());
        }
    }

    /** Published versions (manifest seen), oldest first. */
    public synchronized List<ModelManifest> versions() {
        return new ArrayList<>(manifests.values());
    }

    public synchronized ModelManifest manifest(String version) {
        return manifests.get(version);
    }

    public synchronized ServingPointer serving() {
        return serving;
    }

    /** The pointer of a camera with a model of its own; null when it follows the general one (or camera is null). */
    public synchronized ServingPointer serving(String camera) {
        return camera == null ? null : cameraServing.get(camera);
    }

    /** The version that serves a camera: its own pointer's, else the general one's; null when none. */
    public synchronized String servingVersion(String camera) {
        ServingPointer p = camera == null ? null : cameraServing.get(camera);
        if (p == null) {
            p = serving;
        }
        return p == null ? null : p.version();
    }

    /** Every camera with a model of its own, and its pointer. */
    public synchronized Map<String, ServingPointer> cameraServing() {
        return new TreeMap<>(cameraServing);
    }

    /** Whether some pointer (the general one or a camera's) names the version: pruning keeps it. */
    public synchronized boolean isServed(String version) {
        return serving != null && version.equals(serving.version())
                || cameraServing.values().stream().anyMatch(p -> version.equals(p.version()));
    }

    /** The version the next publish gets (the lineage rule: after the newest). */
    public synchronized String nextVersion() {
        return Lineage.nextVersion(manifests.keySet());
    }

    /** The newest published version, or null. */
    public synchronized String latest() {
        return manifests.isEmpty() ? null : ((TreeMap<String, ModelManifest>) manifests).lastKey();
    }

    /** Keys of every record that belongs to a version (for pruning with tombstones). */
    public synchronized List<String> keysOf(String version) {
        List<String> keys = new ArrayList<>();
        Map<Integer, byte[]> m = chunks.get(version);
        if (m != null) {
            m.keySet().forEach(i -> keys.add(RegistryKeys.chunk(version, i)));
        }
        ModelManifest mf = manifests.get(version);
        if (mf != null) {
            for (int i = 0; i < mf.chunks(); i++) {
                String k = RegistryKeys.chunk(version, i);
                if (!keys.contains(k)) {
                    keys.add(k);
                }
            }
            keys.add(RegistryKeys.manifest(version));
        }
        return keys;
    }

    /**
     * Why a version has no manifest here although one was written: "reason: detail" of its
     * refused manifest (unsigned, unknown-key, bad-signature), or null.
     */
    public synchronized String refusal(String version) {
        return refusals.get(version);
    }

    /** Versions whose manifests were refused, with why (for listings). */
    public synchronized Map<String, String> refusals() {
        return new TreeMap<>(refusals);
    }

    /** Frees the chunk bytes of a version (a watcher that has loaded it keeps the verified copy on disk). */
    public synchronized void dropChunks(String version) {
        chunks.remove(version);
    }

    /**
     * Writes {@code model.pt} and {@code model.json} of a version into dir, refusing when chunks
     * are missing or the bytes do not hash to the manifest's sha256. A {@code model.pt} already in
     * dir (a copy reassembled earlier: the model cache) is used when it hashes to the manifest, so a
     * version whose chunks were freed after it was loaded can be loaded again (rollback); one that
     * does not is replaced from the chunks or refused. With trusted keys, the manifest's signature is
     * checked again first (a key removed since counts).
     */
    public synchronized Path assemble(String version, Path dir) throws ModelIntegrityException, IOException {
        ModelManifest mf = manifests.get(version);
        if (mf == null) {
            throw new ModelIntegrityException("version " + version + " is not published");
        }
        if (trust != null) {
            try {
                trust.verify(mf.statement(), mf.signature());
            } catch (UntrustedModelException e) {
                throw new ModelIntegrityException(e.reason(), e.getMessage());
            }
        }
        Files.createDirectories(dir);
        Path pt = dir.resolve("model.pt");
        String cached = null;
        if (Files.isRegularFile(pt)) {
            String actual = Sha256.hex(pt);
            if (matches(mf, actual, Files.size(pt))) {
                Json.pretty().writeValue(dir.resolve("model.json").toFile(), mf.metadata());
                return dir;
            }
            cached = "the copy in " + dir + " has sha256 " + actual;
        }
        Map<Integer, byte[]> parts = chunks.getOrDefault(version, Map.of());
        for (int i = 0; i < mf.chunks(); i++) {
            if (!parts.containsKey(i)) {
                Files.deleteIfExists(pt);
                throw new ModelIntegrityException("version " + version + " lacks chunk " + i + " of " + mf.chunks()
                        + (cached != null ? " and " + cached + ", manifest says " + mf.sha256() : " and no copy is cached"));
            }
        }
        MessageDigest sha = Sha256.newDigest();
        long size = 0;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(pt), sha)) {
            for (int i = 0; i < mf.chunks(); i++) {
                out.write(parts.get(i));
                size += parts.get(i).length;
            }
        }
        String actual = Sha256.hex(sha);
        if (!matches(mf, actual, size)) {
            Files.deleteIfExists(pt);
            throw new ModelIntegrityException("version " + version + " model.pt has sha256 " + actual + " (" + size
                    + " bytes), manifest says " + mf.sha256() + " (" + mf.size() + " bytes)");
        }
        Json.pretty().writeValue(dir.resolve("model.json").toFile(), mf.metadata());
        return dir;
    }

    private static boolean matches(ModelManifest mf, String sha, long size) {
        return sha.equalsIgnoreCase(mf.sha256()) && size == mf.size()
                && (mf.meta() == null || mf.meta().sha256() == null || sha.equalsIgnoreCase(mf.meta().sha256()));
    }

}
