package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.events.Events;

class TrainerMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> passedOn = new ArrayList<>();
    private final TrainerMetrics metrics = new TrainerMetrics((type, details) -> passedOn.add(type), registry);

    @Test
    void shouldChartARetrainFromItsEvents() {
        // Given a retrain that starts, runs an epoch, is compared on the holdout and published as version 2
        metrics.emit(Events.TRAINING_STARTED, Map.of("id", "r1"));
        assertThat(registry.get("lookout.trainer.running").gauge().value()).isEqualTo(1);
        metrics.emit(Events.EPOCH, Map.of("epoch", 1, "loss", 0.71, "losses", Map.of("loss_classifier", 0.2)));
        metrics.emit(Events.EVALUATED, Map.of("candidate", Map.of("ap50", 0.84), "current", Map.of("ap50", 0.63),
                "currentVersion", "1"));
        metrics.emit(Events.PUBLISHED, Map.of("version", "2", "candidateAp50", 0.84, "currentAp50", 0.63));
        // Then the events went on to lookout.events, and the meters say what happened
        assertThat(passedOn).containsExactly(Events.TRAINING_STARTED, Events.EPOCH, Events.EVALUATED, Events.PUBLISHED);
        assertThat(registry.get("lookout.trainer.running").gauge().value()).isZero();
        assertThat(registry.get("lookout.trainer.runs").tag("outcome", "published").counter().count()).isEqualTo(1);
        assertThat(registry.get("lookout.trainer.epochs").counter().count()).isEqualTo(1);
        assertThat(registry.get("lookout.trainer.loss").tag("loss", "total").gauge().value()).isEqualTo(0.71);
        assertThat(registry.get("lookout.trainer.loss").tag("loss", "loss_classifier").gauge().value()).isEqualTo(0.2);
        assertThat(registry.get("lookout.trainer.holdout.ap50").tag("model", "candidate").gauge().value()).isEqualTo(0.84);
        assertThat(registry.get("lookout.model.holdout.ap50").tag("version", "1").gauge().value()).isEqualTo(0.63);
        assertThat(registry.get("lookout.model.holdout.ap50").tag("version", "2").gauge().value()).isEqualTo(0.84);
    }

    @Test
    void shouldCountRejectedAndFailedRunsButNotTheRegistrySeeding() {
        metrics.emit(Events.PUBLISHED, Map.of("version", "1", "serving", true, "reason", "seeded the empty registry"));
        metrics.emit(Events.REJECTED, Map.of("candidateAp50", 0.5, "currentAp50", 0.6));
        metrics.emit(Events.FAILED, Map.of("error", "out of memory"));
        assertThat(registry.get("lookout.trainer.runs").tag("outcome", "published").counter().count()).isZero();
        assertThat(registry.get("lookout.trainer.runs").tag("outcome", "rejected").counter().count()).isEqualTo(1);
        assertThat(registry.get("lookout.trainer.runs").tag("outcome", "failed").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldChartAnOutcomeOnceItsTransactionCommitted() {
        // Given a rejection written in a command's outcome transaction (not through emit)
        byte[] written = Events.toJson(Events.REJECTED, "trainer@t", Map.of("id", "r1", "candidateAp50", 0.5));
        // When the trainer tells the meters it committed
        metrics.committed(written);
        // Then it counts like an emitted one, and nothing is passed on a second time
        assertThat(registry.get("lookout.trainer.runs").tag("outcome", "rejected").counter().count()).isEqualTo(1);
        assertThat(passedOn).isEmpty();
    }
}
