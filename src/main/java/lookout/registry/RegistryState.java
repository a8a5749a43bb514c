package lookout.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jboss.logging.Logger;

import lookout.common.Json;
import lookout.common.Names;
import lookout.common.Sha256;
import lookout.model.Lineage;

/**
 * What {@code lookout.models} says, built by applying its records in order: manifests, chunks and
 * the serving pointer. Chunks of a version without a manifest are invisible (an open or aborted
 * publish). Thread-safe.
 */
public final class RegistryState {
    private static final Logger LOG = Logger.getLogger(RegistryState.class);

    /** Hears about records the state could not use (events and metrics in the detector). */
    @FunctionalInterface
    public interface SkipListener {
        /**
         * @param key    the record key, clipped
         * @param reason bad-key, unreadable, invalid-manifest, invalid-pointer or invalid-chunk
         * @param detail one readable line
         */
        void skipped(String key, String reason, String detail);
    }

    private final Map<String, ModelManifest> manifests = new TreeMap<>(RegistryKeys::compareVersions);
    private final Map<String, Map<Integer, byte[]>> chunks = new TreeMap<>(RegistryKeys::compareVersions);
    private final SkipListener skips;
    private ServingPointer serving;

    /** A state that logs what it skips. */
    public RegistryState() {
        this((key, reason, detail) -> {
        });
    }

    public RegistryState(SkipListener skips) {
        this.skips = skips;
    }

    /**
     * Applies one record; a null value is a tombstone. A record that is not what the registry
     * writes (unknown key, invalid version name, unreadable or inconsistent manifest or pointer) is
     * skipped, logged and reported, and leaves the state as it was: it never throws.
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
            } else {
                chunks.computeIfAbsent(v, k -> new TreeMap<>()).put(index, value);
            }
        } else {
            String v = RegistryRecords.version(key, "manifest key");
            if (value == null) {
                manifests.remove(v);
            } else {
                manifests.put(v, RegistryRecords.manifest(v, value));
            }
        }
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

    /** Frees the chunk bytes of a version (a watcher that has loaded it no longer needs them). */
    public synchronized void dropChunks(String version) {
        chunks.remove(version);
    }

    /**
     * Writes {@code model.pt} and {@code model.json} of a version into dir, refusing when chunks
     * are missing or the bytes do not hash to the manifest's sha256.
     */
    public synchronized Path assemble(String version, Path dir) throws ModelIntegrityException, IOException {
        ModelManifest mf = manifests.get(version);
        if (mf == null) {
            throw new ModelIntegrityException("version " + version + " is not published");
        }
        Map<Integer, byte[]> parts = chunks.getOrDefault(version, Map.of());
        for (int i = 0; i < mf.chunks(); i++) {
            if (!parts.containsKey(i)) {
                throw new ModelIntegrityException("version " + version + " lacks chunk " + i + " of " + mf.chunks());
            }
        }
        Files.createDirectories(dir);
        Path pt = dir.resolve("model.pt");
        MessageDigest sha = Sha256.newDigest();
        long size = 0;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(pt), sha)) {
            for (int i = 0; i < mf.chunks(); i++) {
                out.write(parts.get(i));
                size += parts.get(i).length;
            }
        }
        String actual = Sha256.hex(sha);
        if (!actual.equals(mf.sha256()) || size != mf.size()
                || (mf.meta() != null && mf.meta().sha256() != null && !actual.equals(mf.meta().sha256()))) {
            Files.deleteIfExists(pt);
            throw new ModelIntegrityException("version " + version + " model.pt has sha256 " + actual + " (" + size
                    + " bytes), manifest says " + mf.sha256() + " (" + mf.size() + " bytes)");
        }
        Json.pretty().writeValue(dir.resolve("model.json").toFile(), mf.metadata());
        return dir;
    }

}
