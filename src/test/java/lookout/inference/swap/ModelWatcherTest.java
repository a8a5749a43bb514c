package lookout.inference.swap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.kafka.Topics;
import lookout.registry.InMemoryRegistry;
import lookout.registry.ModelPublisher;
import lookout.registry.ServingChange;
import lookout.testing.TestKeys;

/** What readiness rests on: whether the detector serves the registry's serving version. */
class ModelWatcherTest {
    @TempDir
    Path tmp;
    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final FakeSwapTarget target = new FakeSwapTarget();
    private final List<String> events = new ArrayList<>();
    private final List<java.util.Map<String, Object>> details = new ArrayList<>();
    private final List<String> refusedReasons = new ArrayList<>();
    private ModelWatcher watcher;
    private int read;

    @BeforeEach
    void setUp() {
        ModelWatcher.Listener listener = new ModelWatcher.Listener() {
            @Override
            public void swapped(String outcome) {
            }

            @Override
            public void refused(String reason) {
                refusedReasons.add(reason);
            }
        };
        watcher = new ModelWatcher(target, (type, d) -> {
            events.add(type);
            details.add(new java.util.LinkedHashMap<>(d));
        }, listener, tmp.resolve("cache"), TestKeys.trust());
    }

    /** Hands the watcher what was written to lookout.models since the last call, as one poll. */
    private void poll(boolean registryRead) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        var history = registry.history();
        for (; read < history.size(); read++) {
            records.add(new ConsumerRecord<>(Topics.MODELS, 0, read, history.get(read).key(), history.get(read).value()));
        }
        watcher.handle(records, registryRead);
    }

    @Test
    void shouldNotBeInStepBeforeTheRegistryHasBeenRead() {
        poll(false);
        assertThat(watcher.inStep()).isFalse();
    }

    @Test
    void shouldServeTheConfiguredModelWhenTheRegistryNamesNone() {
        poll(true);
        assertThat(watcher.inStep()).isTrue();
        assertThat(target.attempts).isEmpty();
    }

    @Test
    void shouldBeInStepOnlyOnceServingTheRegistrysServingVersionNotWhatWasOnDiskAtStart() throws Exception {
        // Given a detector serving its model from disk, and a registry serving version 1
        registry.publish(FakeSwapTarget.artifact(tmp, "v1", "weights one"), "1", true, null);
        poll(false);
        assertThat(watcher.inStep()).as("still reading the registry").isFalse();
        // When the registry has been read, the watcher swaps to version 1
        poll(true);
        assertThat(target.serving().version()).isEqualTo("1");
        assertThat(watcher.inStep()).isTrue();
        assertThat(events).containsExactly("model-loaded");
    }

    @Test
    void shouldNotBeInStepWhileTheServingVersionIsRefusedAndAgainAfterARollback() throws Exception {
        registry.publish(FakeSwapTarget.artifact(tmp, "v1", "weights one"), "1", true, null);
        poll(true);
        registry.publish(FakeSwapTarget.artifact(tmp, "v2", "broken weights"), "2", true, "1");
        poll(true);
        assertThat(target.serving().version()).isEqualTo("1");
        assertThat(watcher.inStep()).as("the registry serves 2, the detector still 1").isFalse();
        registry.setServing(ServingChange.resolve(registry.snapshot(), "1", "rollback"));
        poll(true);
        assertThat(watcher.inStep()).isTrue();
        assertThat(events).containsExactly("model-loaded", "model-refused");
    }

    private void pointCamera(String camera, String version, String reason) {
        ServingChange.Move move = ServingChange.resolve(registry.snapshot(), camera, version, reason);
        registry.commit(List.of(ModelPublisher.servingRecord(move.camera(), move.pointer())), java.util.Map.of(), null);
        poll(true);
    }

    @Test
    void shouldGiveACameraItsOwnModelFromItsPointerAndReturnItToTheGeneralModelWhenThePointerGoes() throws Exception {
        // Given the general pointer at 1, and version 2 published for camera "door" alone
        registry.publish(FakeSwapTarget.artifact(tmp, "v1", "weights one"), "1", true, null);
        registry.publish(FakeSwapTarget.artifact(tmp, "v2", "weights two"), "2", false, null);
        pointCamera("door", "2", "promote");
        // Then the general model stays 1 and the camera serves 2
        assertThat(target.serving().version()).isEqualTo("1");
        assertThat(target.serving("door").version()).isEqualTo("2");
        assertThat(watcher.inStep()).isTrue();
        assertThat(details.get(details.size() - 1)).containsEntry("camera", "door").containsEntry("version", "2");
        // When its only own model is rolled back, Then the camera follows the general model again
        pointCamera("door", null, "rollback");
        assertThat(target.ownModels()).isEmpty();
        assertThat(details.get(details.size() - 1)).containsEntry("camera", "door")
                .containsEntry("reason", "camera-follows-general").containsEntry("version", "1");
        assertThat(watcher.inStep()).isTrue();
    }

    @Test
    void shouldRefuseABrokenCameraModelWithoutTouchingTheGeneralModelAndReportTheCameraDivergent() throws Exception {
        registry.publish(FakeSwapTarget.artifact(tmp, "v1", "weights one"), "1", true, null);
        registry.publish(FakeSwapTarget.artifact(tmp, "v2", "broken weights"), "2", false, null);
        pointCamera("door", "2", "promote");

        assertThat(target.serving().version()).isEqualTo("1");
        assertThat(target.serving("door")).isNull();
        assertThat(watcher.inStep()).isFalse();
        assertThat(watcher.divergence()).isNotNull();
        assertThat(watcher.divergence().camera()).isEqualTo("door");
        assertThat(watcher.divergence().reason()).isEqualTo("load-failed");
        assertThat(events).containsExactly("model-loaded", "model-refused");
        assertThat(details.get(1)).containsEntry("camera", "door").containsEntry("serving", "1");
    }

    private void promote(String version, String reason) {
        registry.setServing(ServingChange.resolve(registry.snapshot(), version, reason));
        poll(true);
    }

    @Test
    void shouldRollBackAndForwardToVersionsItLoadedBeforeWithoutTheirChunks() throws Exception {
        // Given versions 1 and 2 loaded one after the other (the watcher frees a version's chunks once loaded)
        registry.publish(FakeSwapTarget.artifact(tmp, "v1", "weights one"), "1", true, null);
        poll(true);
        registry.publish(FakeSwapTarget.artifact(tmp, "v2", "weights two"), "2", true, "1");
        poll(true);
        // When the operator rolls back to 1, then promotes 2 again
        promote("1", "rollback");
        assertThat(target.serving().version()).isEqualTo("1");
        promote("2", "promote");
        // Then every step swapped, from the verified copies in the cache
        assertThat(target.serving().version()).isEqualTo("2");
        assertThat(target.attempts).containsExactly("1", "2", "1", "2");
        assertThat(events).containsExactly("model-loaded", "model-loaded", "model-loaded", "model-loaded");
        assertThat(watcher.inStep()).isTrue();
    }

    @Test
    void shouldRefuseATamperedCachedCopyAndKeepServing() throws Exception {
        registry.publish(FakeSwapTarget.artifact(tmp, "v1", "weights one"), "1", true, null);
        poll(true);
        registry.publish(FakeSwapTarget.artifact(tmp, "v2", "weights two"), "2", true, "1");
        poll(true);
        // someone with access to the detector's disk edits the cached version 1
        java.nio.file.Files.writeString(tmp.resolve("cache/1/model.pt"), "weights evil");
        promote("1", "rollback");
        assertThat(target.serving().version()).isEqualTo("2");
        assertThat(events).containsExactly("model-loaded", "model-loaded", "model-refused");
        assertThat(details.get(2)).containsEntry("reason", "integrity").containsEntry("version", "1").containsEntry("serving", "2");
        assertThat(watcher.divergence()).isNotNull().extracting(ModelWatcher.Refusal::reason).isEqualTo("integrity");
    }

    @Test
    void shouldReportDivergenceWhileTheRegistryServesAnUnsignedVersionAndNotAfterARollback() throws Exception {
        registry.publish(FakeSwapTarget.artifact(tmp, "v1", "weights one"), "1", true, null);
        poll(true);
        assertThat(watcher.divergence()).isNull();
        // When an unsigned version 2 is published as serving
        registry.publisher(null).publish(FakeSwapTarget.artifact(tmp, "v2", "weights two"), "2", true, "1");
        poll(true);
        poll(true); // a later poll reports nothing again
        // Then it is refused once, never loaded, and the replica is divergent with the reason
        assertThat(target.attempts).containsExactly("1");
        assertThat(events).containsExactly("model-loaded", "registry-record-skipped", "model-refused");
        assertThat(details.get(2)).containsEntry("reason", "unsigned").containsEntry("version", "2");
        assertThat(refusedReasons).containsExactly("unsigned");
        assertThat(watcher.divergence()).extracting(ModelWatcher.Refusal::version, ModelWatcher.Refusal::reason)
                .containsExactly("2", "unsigned");
        // When the registry serves 1 again, the divergence is over
        registry.setServing(new lookout.registry.ServingPointer("1", "2", "rollback", 1));
        poll(true);
        assertThat(watcher.divergence()).isNull();
        assertThat(watcher.inStep()).isTrue();
    }

    @Test
    void shouldNotSwapAgainWhenTheServingVersionsManifestIsRewritten() throws Exception {
        registry.publish(FakeSwapTarget.artifact(tmp, "v1", "weights one"), "1", true, null);
        poll(true);
        // the trusted key itself publishes other bytes under version 1, and points at it again
        registry.publish(FakeSwapTarget.artifact(tmp, "v1b", "weights other"), "1", true, "1");
        poll(true);
        assertThat(target.attempts).containsExactly("1");
        assertThat(events).containsExactly("model-loaded", "registry-record-skipped", "registry-record-skipped");
        assertThat(details.get(1)).containsEntry("reason", "version-rewritten");
        assertThat(watcher.inStep()).isTrue();
        assertThat(watcher.divergence()).isNull();
    }
}
