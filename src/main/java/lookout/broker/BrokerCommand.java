package lookout.broker;

import java.nio.file.Path;

import jakarta.inject.Inject;
import lookout.cli.Shutdown;
import picocli.CommandLine;

/** {@code lookout broker}: a single-node KRaft Kafka for development, the demo and tests. */
@CommandLine.Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft, broker+controller) in this process.")
public class BrokerCommand implements Runnable {

    @CommandLine.Option(names = "--port", defaultValue = "9092",
            description = "client port (0 = a free one), default ${DEFAULT-VALUE}")
    int port;

    @CommandLine.Option(names = "--data-dir",
            description = "log directory, kept across restarts (default: a temporary one, deleted on exit)")
    Path dataDir;

    @Inject
    Shutdown shutdown;

    @Override
    public void run() {
        EmbeddedBroker broker = shutdown.register(EmbeddedBroker.start(port, dataDir));
        System.out.println("broker ready on " + broker.bootstrapServers()
                + " (data in " + broker.dataDir() + "; Ctrl-C to stop)");
        System.out.flush();
        shutdown.awaitExit();
    }
}
