package lookout;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import lookout.broker.BrokerCommand;
import picocli.CommandLine;

@TopCommand
@CommandLine.Command(name = "lookout", mixinStandardHelpOptions = true,
        description = "Kafka-native pedestrian detection.",
        subcommands = {BrokerCommand.class})
public class LookoutCommand {
}
