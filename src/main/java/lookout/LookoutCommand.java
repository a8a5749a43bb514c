package lookout;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import lookout.broker.BrokerCommand;
import lookout.labels.LabelsCommand;
import lookout.registry.ModelsCommand;
import lookout.service.ServeCommand;
import picocli.CommandLine;

@TopCommand
@CommandLine.Command(name = "lookout", mixinStandardHelpOptions = true,
        description = "Kafka-native pedestrian detection.",
        subcommands = {BrokerCommand.class, ServeCommand.class, lookout.eval.EvalCommand.class,
                lookout.train.FineTuneCommand.class, LabelsCommand.class, ModelsCommand.class, lookout.retrain.TrainerCommand.class,
                lookout.control.ControlCli.class})
public class LookoutCommand {
}
