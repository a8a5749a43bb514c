package lookout;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;

@TopCommand
@CommandLine.Command(name = "lookout", mixinStandardHelpOptions = true,
        description = "Kafka-native pedestrian detection.",
        subcommands = {lookout.eval.EvalCommand.class, lookout.train.FineTuneCommand.class})
public class LookoutCommand {
}
