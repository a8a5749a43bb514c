package lookout.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;
import lookout.kafka.Topics;
import lookout.testing.TestKeys;
import lookout.trust.ModelKeys;
import lookout.trust.ModelSigner;
import lookout.trust.TrustedKeys;

/** A reader of lookout.models that trusts one key: what it shows, what it skips and why, and that versions are write-once. */
class RegistryTrustTest {
    @TempDir
    Path tmp;
    private final InMemoryRegistry registry = new InMemoryRegistry(1000);
    private final List<String> skipped = new ArrayList<>();

    private Path artifact(String name, long seed) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        byte[] model = new byte[2500];
        new Random(seed).nextBytes(model);
        Files.write(dir.resolve("model.pt"), model);
        Files.writeString(dir.resolve("model.json"), "{\"name\":\"m\",\"classes\":[\"__background__\",\"person\"],\"scoreThresh\":0.3}");
        return dir;
    }

    private RegistryState read(TrustedKeys trust) {
        RegistryState state = new RegistryState((key, reason, detail) -> skipped.add(reason + " " + key), trust);
        registry.history().forEach(r -> state.apply(r.key(), r.value()));
        return state;
    }

    @Test
    void shouldShowOnlyVersionsSignedByATrustedKeyAndSayWhyTheOthersAreNot() throws Exception {
        // Given a trusted publish, an unsigned one, one by a stranger's key, and v1's signature replayed on a v4
        registry.publish(artifact("a", 1), "1", true, null);
        registry.publisher(null).publish(artifact("b", 2), "2", true, "1");
        registry.publisher(TestKeys.stranger()).publish(artifact("c", 3), "3", true, "2");
        ModelManifest v1 = registry.snapshot().manifest("1");
        ModelPublisher.Publication v4 = registry.publisher(null).publication(artifact("d", 4), "4", true, "3");
        ModelManifest replayed = new ModelManifest("4", v4.manifest().chunks(), v4.manifest().chunkSize(),
                v4.manifest().size(), v4.manifest().sha256(), 1, v4.manifest().metadata(), v1.signature());
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(v4.records().subList(0, v4.manifest().chunks()));
        records.add(new ProducerRecord<>(Topics.MODELS, "4", Json.MAPPER.writeValueAsBytes(replayed)));
        registry.write(records);
        // When a reader trusting the test key reads the registry
        RegistryState state = read(TestKeys.trust());
        // Then only version 1 shows; each other manifest is skipped with its reason and remembered
        assertThat(state.versions()).extracting(ModelManifest::version).containsExactly("1");
        assertThat(skipped).containsExactly("unsigned 2", "unknown-key 3", "bad-signature 4");
        assertThat(state.refusal("2")).startsWith("unsigned");
        assertThat(state.refusal("3")).startsWith("unknown-key").contains(TestKeys.stranger().keyId());
        assertThat(state.refusal("4")).startsWith("bad-signature");
        assertThat(state.serving().version()).as("the pointer itself is not signed: the watcher refuses what it names")
                .isEqualTo("3");
        assertThat(ModelsCommand.format(state)).contains("refused: unsigned");
    }

    @Test
    void shouldKeepTheFirstManifestOfAVersionAndSkipASecondDifferentOne() throws Exception {
        // Given version 1 published and signed
        registry.publish(artifact("a", 1), "1", true, null);
        String first = registry.snapshot().manifest("1").sha256();
        ProducerRecord<String, byte[]> manifest = registry.history().stream().filter(r -> r.key().equals("1")).findFirst().orElseThrow();
        // When the same trusted key publishes other bytes as version 1 again, and the first manifest is replayed
        registry.publish(artifact("b", 2), "1", false, null);
        registry.write(List.of(manifest));
        RegistryState state = read(TestKeys.trust());
        // Then the rewrite (its chunks and its manifest) is skipped and the first stays; the replay changes nothing
        assertThat(state.manifest("1").sha256()).isEqualTo(first);
        assertThat(skipped).containsExactly("version-rewritten 1/chunk/00000", "version-rewritten 1/chunk/00001",
                "version-rewritten 1/chunk/00002", "version-rewritten 1");
        assertThat(Files.readAllBytes(state.assemble("1", tmp.resolve("out")).resolve("model.pt")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("a/model.pt")));
    }

    @Test
    void shouldLetAVersionBePublishedWhoseNameAnUntrustedManifestTookFirst() throws Exception {
        registry.publisher(null).publish(artifact("squat", 9), "5", false, null);
        registry.publish(artifact("real", 5), "5", false, null);
        RegistryState state = read(TestKeys.trust());
        assertThat(state.manifest("5").sha256()).isEqualTo(lookout.common.Sha256.hex(tmp.resolve("real/model.pt")));
        assertThat(state.refusal("5")).isNull();
    }

    @Test
    void shouldReassembleAFreedVersionFromItsVerifiedCachedCopyAndRefuseATamperedCopy() throws Exception {
        registry.publish(artifact("a", 1), "1", true, null);
        RegistryState state = read(TestKeys.trust());
        Path cache = state.assemble("1", tmp.resolve("cache/1"));
        state.dropChunks("1");
        // the copy hashes right: it serves without chunks (a rollback)
        assertThat(state.assemble("1", cache)).isEqualTo(cache);
        // someone on the host changes one byte of the cached model
        byte[] pt = Files.readAllBytes(cache.resolve("model.pt"));
        pt[100] ^= 1;
        Files.write(cache.resolve("model.pt"), pt);
        assertThatThrownBy(() -> state.assemble("1", cache)).isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("lacks chunk 0").hasMessageContaining("the copy in");
        assertThat(cache.resolve("model.pt")).as("the tampered copy is removed").doesNotExist();
    }

    @Test
    void shouldCheckTheSignatureAgainWhenAssemblingSoARevokedKeyCounts() throws Exception {
        ModelSigner owner = new ModelSigner(ModelKeys.generate().getPrivate());
        Path pub = tmp.resolve("trusted.pub");
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getEncoder().encodeToString(
                owner.publicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        registry.publisher(owner).publish(artifact("a", 1), "1", true, null);
        RegistryState state = read(TrustedKeys.of(List.of(pub.toString())));
        assertThat(state.manifest("1")).isNotNull();
        Files.delete(pub); // the operator stops trusting the key
        assertThatThrownBy(() -> state.assemble("1", tmp.resolve("out"))).isInstanceOf(ModelIntegrityException.class)
                .extracting(e -> ((ModelIntegrityException) e).reason()).isEqualTo("unknown-key");
    }

    @Test
    void shouldRefuseAManifestWhoseModelJsonWasChangedAfterSigning() throws Exception {
        ModelPublisher.Publication p = registry.publisher(TestKeys.signer()).publication(artifact("a", 1), "1", true, null);
        ObjectNode meta = p.manifest().metadata().deepCopy();
        meta.put("scoreThresh", 0.0); // a detector that would publish every box
        ModelManifest changed = new ModelManifest("1", p.manifest().chunks(), p.manifest().chunkSize(), p.manifest().size(),
                p.manifest().sha256(), 1, meta, p.manifest().signature());
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(p.records().subList(0, p.manifest().chunks()));
        records.add(new ProducerRecord<>(Topics.MODELS, "1", Json.MAPPER.writeValueAsBytes(changed)));
        registry.write(records);
        assertThat(read(TestKeys.trust()).versions()).isEmpty();
        assertThat(skipped).containsExactly("bad-signature 1");
    }
}
