package lookout.detect.swap;

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
import lookout.registry.ServingChange;
import lookout.testing.TestKeys;

/** What readiness rests on: whether the detector serves the registry's serving version. */
class ModelWatcherTest {
    @TempDir
    Path tmp;
    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final FakeSwapTarget target = new FakeSwapTarget();
    private final List<String> events = new ArrayList<>();
    private ModelWatcher watcher;
    private int read;

    @BeforeEach
    void setUp() {
        watcher = new ModelWatcher(target, (type, details) -> events.add(type), outcome -> { }, tmp.resolve("cache"),
                TestKeys.trust());
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
}
