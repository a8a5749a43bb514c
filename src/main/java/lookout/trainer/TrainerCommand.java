package lookout.trainer;

import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.cli.RoleHealth;
import lookout.cli.Shutdown;
import lookout.config.LookoutConfig;
import lookout.config.TrainerSettings;
import lookout.frames.FrameDecoder;
import lookout.kafka.KafkaClients;
import lookout.kafka.KafkaOptions;
import lookout.labels.LabelCodec;
import lookout.trust.SigningKeys;
import picocli.CommandLine;

/** {@code lookout trainer}: the retraining role, acting on lookout.control until SIGTERM. */
@CommandLine.Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Keep the labelled set from lookout.labels, retrain on lookout.control commands, "
                + "publish better models to lookout.models, report on lookout.events.")
public class TrainerCommand implements Callable<Integer> {
    @Inject
    Shutdown shutdown;
    @Inject
    MeterRegistry registry;
    @Inject
    RoleHealth health;

    @CommandLine.Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() {
        LookoutConfig config = LookoutConfig.current();
        TrainerSettings settings = config.trainer();
        KafkaClients clients = kafka.clients();
        FrameDecoder decoder = new FrameDecoder(config.frameLimits());
        String className = config.targetClass();
        TrainerService[] started = new TrainerService[1];
        health.register("trainer", () -> started[0] == null || started[0].alive(), () -> started[0] != null);
        TrainerService trainer = shutdown.register(new TrainerService(clients, settings, LabelCodec.fromConfig(config),
                config.models().chunkBytes(), new DjlFineTuneTrainer(settings.device(), className, decoder, settings.maxGradNorm()),
                new DjlModelScorer(settings.device(), settings.scoreBatchSize(), className,
                        config.detector().scoreThreshold(), decoder)).withMetrics(registry)
                .withSigning(SigningKeys.signer(config.models()), SigningKeys.trusted(config.models())).start());
        started[0] = trainer;
        System.out.printf("lookout trainer on %s: holdout %.2f, tolerance %.3f, base model %s; waiting for "
                + "commands on lookout.control%n", clients.bootstrapServers(), settings.holdoutFraction(),
                settings.tolerance(), settings.baseModelDir());
        System.out.flush();
        shutdown.awaitExit();
        return trainer.busy() ? 1 : 0;
    }
}
