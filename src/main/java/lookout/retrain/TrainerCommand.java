package lookout.retrain;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

import io.quarkus.runtime.Quarkus;
import lookout.Shutdown;
import lookout.kafka.Instance;
import picocli.CommandLine;

/** {@code lookout trainer}: the retraining role, acting on lookout.control until SIGTERM. */
@CommandLine.Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Keep the labelled set from lookout.labels, retrain on lookout.control commands, "
                + "publish better models to lookout.models, report on lookout.events.")
public class TrainerCommand implements Callable<Integer> {
    @Inject
    Config config;
    @Inject
    Shutdown shutdown;

    @CommandLine.Option(names = "--bootstrap-servers", description = "Kafka to use (default: kafka.bootstrap.servers)")
    String bootstrap;

    @Override
    public Integer call() {
        String servers = bootstrap != null ? bootstrap
                : config.getOptionalValue("kafka.bootstrap.servers", String.class).orElse("localhost:9092");
        RetrainSettings settings = settings(config);
        String device = config.getOptionalValue("lookout.trainer.device", String.class).orElse("cpu");
        TrainerService trainer;
        try {
            trainer = shutdown.register(new TrainerService(servers, settings, new DjlFineTuneTrainer(device),
                    new DjlModelScorer(device, 2), Instance.id()).start());
        } catch (RuntimeException e) {
            System.err.println("lookout trainer: " + e.getMessage());
            shutdown.closeAll();
            return 1;
        }
        System.out.printf("lookout trainer on %s: holdout %.2f, tolerance %.3f, base model %s; waiting for "
                + "commands on lookout.control%n", servers, settings.holdoutFraction(), settings.tolerance(),
                settings.baseModelDir());
        System.out.flush();
        Quarkus.waitForExit();
        shutdown.closeAll();
        return trainer.busy() ? 1 : 0;
    }

    /** The trainer's settings from {@code lookout.trainer.*}. */
    public static RetrainSettings settings(Config c) {
        String home = System.getenv().getOrDefault("LOOKOUT_HOME", ".");
        return new RetrainSettings(
                c.getOptionalValue("lookout.trainer.holdout-fraction", Double.class).orElse(0.2),
                c.getOptionalValue("lookout.trainer.tolerance", Double.class).orElse(0.0),
                new TrainingParams(
                        c.getOptionalValue("lookout.trainer.epochs", Integer.class).orElse(2),
                        c.getOptionalValue("lookout.trainer.lr", Double.class).orElse(0.005),
                        c.getOptionalValue("lookout.trainer.batch-size", Integer.class).orElse(2)),
                c.getOptionalValue("lookout.trainer.auto-promote", Boolean.class).orElse(true),
                c.getOptionalValue("lookout.trainer.keep-versions", Integer.class).orElse(5),
                Path.of(c.getOptionalValue("lookout.trainer.work-dir", String.class).orElse("build/trainer")),
                Path.of(c.getOptionalValue("lookout.model.dir", String.class).orElse(home + "/models/default")));
    }
}
