package lookout.service;

import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import lookout.auth.UserStore;
import lookout.cli.Shutdown;
import lookout.config.LookoutConfig;
import lookout.kafka.KafkaOptions;
import picocli.CommandLine;

/** {@code lookout serve}: the detector role (Kafka Streams + inference pool), until SIGTERM. */
@CommandLine.Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Detect pedestrians in lookout.frames and publish lookout.detections (HTTP: the live page and"
                + " REST behind login; management port: /q/health, /q/metrics).")
public class ServeCommand implements Callable<Integer> {
    @Inject
    ServiceRuntime runtime;
    @Inject
    Shutdown shutdown;
    @Inject
    UserStore users;

    @CommandLine.Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() {
        DetectionService service = runtime.start(kafka.settings(), LookoutConfig.current().detector());
        System.out.printf("lookout serving model %s v%s on %s: %d stream thread(s), %d inference worker(s), batch <= %d%n",
                service.model().name(), service.model().version(), service.settings().devices(),
                service.settings().effectiveStreamThreads(), service.pool().workers(), service.pool().maxBatchSize());
        System.out.println(users.announce());
        System.out.flush();
        shutdown.awaitExit();
        return 0;
    }
}
