package lookout.broker;

import java.nio.file.Path;

import jakarta.inject.Inject;
import lookout.cli.RoleHealth;
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

    @CommandLine.Option(names = "--advertised-host", paramLabel = "HOST",
            description = "serve clients on every interface and tell them to connect to HOST (a Kubernetes Service "
                    + "name, e.g. kafka); default: loopback only")
    String advertisedHost;

    @Inject
    Shutdown shutdown;
    @Inject
    RoleHealth health;

    @Override
    public void run() {
        EmbeddedBroker[] started = new EmbeddedBroker[1];
        health.register("broker", () -> true, () -> started[0] != null);
        EmbeddedBroker broker = shutdown.register(EmbeddedBroker.startReachable(port, dataDir, advertisedHost));
        started[0] = broker;
        System.out.println("broker ready on " + broker.bootstrapServers()
                + " (data in " + broker.dataDir() + "; Ctrl-C to stop)");
        System.out.flush();
        shutdown.awaitExit();
    }
}
