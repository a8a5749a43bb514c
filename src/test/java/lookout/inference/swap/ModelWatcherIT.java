package lookout.inference.swap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lookout.kafka.Topics;
import lookout.registry.KafkaModelRegistry;
import lookout.registry.ServingChange;
import lookout.testing.TestBroker;
import lookout.testing.TestKeys;

/** The detector side of the registry on a real broker, with a fake pool that refuses "broken" models. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ModelWatcherIT {
    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    @TempDir
    Path tmp;

    private Path artifact(String name, String content) throws Exception {
        return FakeSwapTarget.artifact(tmp, name, content);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(100);
        }
    }

    @Test
    void shouldSwapToServingVersionAndRefuseOneThatFailsToLoadKeepingTheOld() throws Exception {
        List<Map.Entry<String, Map<String, Object>>> events = new CopyOnWriteArrayList<>();
        List<String> outcomes = new CopyOnWriteArrayList<>();
        FakeSwapTarget target = new FakeSwapTarget();
        try (KafkaModelRegistry publisher = new KafkaModelRegistry(broker.clients(), "it-watch", 1024,
                TestKeys.signer(), TestKeys.trust());
                ModelWatcher watcher = new ModelWatcher(target,
                        (type, d) -> events.add(Map.entry(type, new LinkedHashMap<String, Object>(d))), outcomes::add,
                        tmp.resolve("cache"), TestKeys.trust()).start(broker.clients())) {
            publisher.publish(artifact("good", "good weights ".repeat(300)), "1", true, null);
            await(() -> "1".equals(target.serving().version()));
            await(watcher::inStep);
            assertThat(events.get(0).getKey()).isEqualTo("model-loaded");
            assertThat(events.get(0).getValue()).containsEntry("version", "1");

            publisher.publish(artifact("broken", "broken weights"), "2", true, "1");
            await(() -> outcomes.contains("refused"));
            assertThat(target.serving().version()).isEqualTo("1");
            assertThat(watcher.inStep()).as("serving 1 while the registry serves 2").isFalse();
            Map<String, Object> refused = events.get(events.size() - 1).getValue();
            assertThat(events.get(events.size() - 1).getKey()).isEqualTo("model-refused");
            assertThat(refused).containsEntry("version", "2").containsEntry("serving", "1");
            assertThat((String) refused.get("error")).contains("not a zip archive");
            Thread.sleep(1500);
            assertThat(target.attempts).containsExactly("1", "2"); // refused once, not retried in a loop

            try (KafkaProducer<String, byte[]> control = broker.clients().producer("it")) {
                control.send(new ProducerRecord<>(Topics.CONTROL, null,
                        "{\"command\":\"reload\"}".getBytes(StandardCharsets.UTF_8))).get();
            }
            await(() -> target.attempts.size() == 3); // reload retries the serving version

            publisher.setServing(ServingChange.resolve(publisher.snapshot(), "1", "rollback"));
            await(() -> events.stream().filter(e -> e.getKey().equals("model-loaded")).count() == 1
                    && target.attempts.size() == 3);
            assertThat(target.serving().version()).isEqualTo("1"); // already serving 1: nothing to do
            await(watcher::inStep); // the registry serves 1 again
        }
    }
}
