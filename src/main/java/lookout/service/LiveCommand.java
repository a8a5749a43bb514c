package lookout.service;

import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import lookout.cli.Shutdown;
import lookout.kafka.KafkaOptions;
import picocli.CommandLine;

/**
 * {@code lookout live}: the live page on its own (HTTP 8080), for a fleet. One process reads the
 * frame stream for the page, so broker egress for it does not grow with the number of detectors,
 * which then run with {@code lookout.live.enabled=false}.
 */
@CommandLine.Command(name = "live", mixinStandardHelpOptions = true,
        description = "Serve the live page (/) alone: follow lookout.frames and lookout.detections of every camera, "
                + "analyse nothing. Run detectors with LOOKOUT_LIVE_ENABLED=false beside it.")
public class LiveCommand implements Callable<Integer> {
    @Inject
    ServiceRuntime runtime;
    @Inject
    Shutdown shutdown;

    @CommandLine.Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() {
        runtime.startLive(kafka.settings());
        System.out.println("lookout live page on " + kafka.settings().bootstrapServers()
                + ": following lookout.frames and lookout.detections");
        System.out.flush();
        shutdown.awaitExit();
        return 0;
    }
}
