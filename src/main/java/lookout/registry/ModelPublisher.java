package lookout.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;

import lookout.common.Json;
import lookout.common.Names;
import lookout.common.Sha256;
import lookout.kafka.Topics;
import lookout.model.Lineage;
import lookout.model.ModelArtifact;
import lookout.trust.ModelSignature;
import lookout.trust.ModelSigner;
import lookout.trust.ModelStatement;

/**
 * Writes to {@code lookout.models} with a transactional producer: chunks, then the manifest, then
 * (optionally) the serving pointer, all in one transaction. A publisher that dies midway leaves an
 * aborted transaction that read-committed readers never see; a half-published model is never
 * visible. Every manifest carries the signer's signature over the version's model.pt and model.json
 * ({@link ModelStatement}); detectors load nothing else. The caller owns the producer (already
 * {@code initTransactions()}-ed).
 */
public final class ModelPublisher {
    private final Producer<String, byte[]> producer;
    private final int chunkSize;
    private final ModelSigner signer;
    private final Map<TopicPartition, Long> written = new HashMap<>();

    /**
     * @param chunkSize size of the pieces model.pt is cut into ({@code lookout.models.chunk-bytes})
     * @param signer    signs every manifest; null publishes unsigned manifests, which detectors refuse
     *                  (tests of that refusal; no role publishes without a signer)
     */
    public ModelPublisher(Producer<String, byte[]> producer, int chunkSize, ModelSigner signer) {
        this.producer = producer;
        this.chunkSize = chunkSize;
        this.signer = signer;
    }

    /**
     * Publishes the artifact in dir ({@code model.pt} + {@code model.json}) as the given version.
     *
     * @param serve when true the serving pointer moves to this version in the same transaction
     * @param previous the version served until now (recorded in the pointer for rollback), or null
     */
    public ModelManifest publish(Path dir, String version, boolean serve, String previous)
            throws IOException, ModelIntegrityException {
        Publication p = publication(dir, version, serve, previous);
        inTransaction(p.records(), Map.of(), null);
        return p.manifest();
    }

    /** What a publish writes: the manifest and every record (chunks, manifest, pointer), not yet sent. */
    public record Publication(ModelManifest manifest, List<ProducerRecord<String, byte[]>> records) {
    }

    /**
     * The records that publish the artifact in dir as the given version, for a writer that sends
     * them in a transaction of its own (with the outcome of the command that made them).
     */
    public Publication publication(Path dir, String version, boolean serve, String previous)
            throws IOException, ModelIntegrityException {
        Names.requireVersion(version);
        for (String f : new String[] {ModelArtifact.MODEL_FILE, ModelArtifact.METADATA_FILE}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new ModelIntegrityException(dir + " is no model artifact: it has no " + f);
            }
        }
        byte[] model = Files.readAllBytes(dir.resolve(ModelArtifact.MODEL_FILE));
        JsonNode tree = Json.MAPPER.readTree(dir.resolve(ModelArtifact.METADATA_FILE).toFile());
        if (!(tree instanceof ObjectNode meta)) {
            throw new ModelIntegrityException(dir.resolve(ModelArtifact.METADATA_FILE) + " is not a JSON object");
        }
        String sha = Sha256.hex(model);
        String claimed = meta.path("sha256").asText("");
        if (!claimed.isEmpty() && !claimed.equalsIgnoreCase(sha)) {
            throw new ModelIntegrityException("model.json says sha256 " + claimed + " but model.pt hashes to " + sha);
        }
        ObjectNode stamped = Lineage.publish(meta, version, sha);
        int chunks = Math.max(1, (model.length + chunkSize - 1) / chunkSize);
        // signed as a reader will see it: model.json after the manifest's write-and-read round trip
        ModelSignature signature = signer == null ? null
                : signer.sign(ModelStatement.of(version, sha, model.length, ModelStatement.roundTrip(stamped)));
        ModelManifest manifest = new ModelManifest(version, chunks, chunkSize, model.length, sha,
                System.currentTimeMillis(), stamped, signature);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            int from = i * chunkSize;
            int to = Math.min(model.length, from + chunkSize);
            records.add(new ProducerRecord<>(Topics.MODELS, RegistryKeys.chunk(version, i),
                    Arrays.copyOfRange(model, from, to)));
        }
        records.add(new ProducerRecord<>(Topics.MODELS, RegistryKeys.manifest(version),
                Json.MAPPER.writeValueAsBytes(manifest)));
        if (serve) {
            records.add(servingRecord(new ServingPointer(version, previous, "published", System.currentTimeMillis())));
        }
        return new Publication(manifest, records);
    }

    /** Moves the serving pointer (promote or rollback). */
    public void setServing(ServingPointer pointer) {
        inTransaction(List.of(servingRecord(pointer)), Map.of(), null);
    }

    /**
     * Tombstones every record of all but the newest {@code keep} versions; versions a pointer names
     * (the general one or a camera's) are always kept. The topic is compacted, so the broker drops
     * the bytes at its next cleaning.
     *
     * @return the pruned versions
     */
    public List<String> prune(RegistryState state, int keep) {
        Map<String, List<ProducerRecord<String, byte[]>>> tombstones = pruneRecords(state, keep);
        List<ProducerRecord<String, byte[]>> all = new ArrayList<>();
        tombstones.values().forEach(all::addAll);
        if (!all.isEmpty()) {
            inTransaction(all, Map.of(), null);
        }
        return new ArrayList<>(tombstones.keySet());
    }

    /** The tombstones of a prune, by version (manifest first, then its chunks), not yet sent. */
    public static Map<String, List<ProducerRecord<String, byte[]>>> pruneRecords(RegistryState state, int keep) {
        List<ModelManifest> versions = state.versions();
        Map<String, List<ProducerRecord<String, byte[]>>> pruned = new LinkedHashMap<>();
        for (int i = 0; i < versions.size() - keep; i++) {
            String v = versions.get(i).version();
            if (state.isServed(v)) {
                continue;
            }
            // manifest first: the version disappears before any of its chunks do
            List<String> keys = new ArrayList<>(state.keysOf(v));
            keys.remove(RegistryKeys.manifest(v));
            keys.add(0, RegistryKeys.manifest(v));
            pruned.put(v, keys.stream().map(k -> new ProducerRecord<String, byte[]>(Topics.MODELS, k, null)).toList());
        }
        return pruned;
    }

    /** The record that moves the serving pointer, not yet sent. */
    public static ProducerRecord<String, byte[]> servingRecord(ServingPointer p) {
        return servingRecord(null, p);
    }

    /**
     * The record that moves a camera's pointer (camera null: the general one), not yet sent; a null
     * pointer is the tombstone that returns the camera to the general model.
     */
    public static ProducerRecord<String, byte[]> servingRecord(String camera, ServingPointer p) {
        try {
            return new ProducerRecord<>(Topics.MODELS, RegistryKeys.serving(camera),
                    p == null ? null : Json.MAPPER.writeValueAsBytes(p));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The offset of the last record this publisher committed, per partition: a reader that must see
     * its own writes reads at least this far (a committed transaction becomes readable only once
     * its markers are written, shortly after the commit returns).
     */
    public synchronized Map<TopicPartition, Long> written() {
        return Map.copyOf(written);
    }

    /**
     * Sends the records in one transaction; with offsets, the consumed position of the command that
     * caused them commits in the same transaction (exactly once: the effects and "this command is
     * done" become visible together or not at all).
     *
     * @param group the consuming group's metadata (fences a trainer that lost its partition); null without offsets
     */
    public synchronized void inTransaction(List<ProducerRecord<String, byte[]>> records,
            Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        producer.beginTransaction();
        try {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ProducerRecord<String, byte[]> r : records) {
                sent.add(producer.send(r));
            }
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, group);
            }
            producer.commitTransaction();
            for (Future<RecordMetadata> f : sent) {
                RecordMetadata md = f.get(); // complete: the commit flushed every send
                written.merge(new TopicPartition(md.topic(), md.partition()), md.offset(), Math::max);
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("committed, but cannot read back what was written: " + e, e);
        } catch (ProducerFencedException e) {
            throw e; // another publisher took over this transactional id: this one must stop
        } catch (KafkaException | IllegalStateException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
