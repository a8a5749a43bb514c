package lookout;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import lookout.auth.UsersCommand;
import lookout.bench.BenchCommand;
import lookout.broker.BrokerCommand;
import lookout.camera.CameraCommand;
import lookout.control.ControlCli;
import lookout.demo.DemoCommand;
import lookout.eval.EngineCommand;
import lookout.eval.EvalCommand;
import lookout.finetune.FineTuneCommand;
import lookout.kafka.AclsCommand;
import lookout.kafka.TopicsCommand;
import lookout.labels.LabelsCommand;
import lookout.registry.ModelsCommand;
import lookout.review.sim.ReviewCommand;
import lookout.service.LiveCommand;
import lookout.service.ServeCommand;
import lookout.trainer.TrainerCommand;
import lookout.trust.KeysCommand;
import picocli.CommandLine;

/** The app: one artifact, a role per subcommand (the package map in README's design notes says what each room owns). */
@TopCommand
@CommandLine.Command(name = "lookout", mixinStandardHelpOptions = true,
        description = "Kafka-native pedestrian detection.",
        subcommands = {BrokerCommand.class, ServeCommand.class, LiveCommand.class, DemoCommand.class, CameraCommand.class,
                EvalCommand.class, EngineCommand.class, FineTuneCommand.class, LabelsCommand.class, ModelsCommand.class,
                TrainerCommand.class, ControlCli.class, TopicsCommand.class, AclsCommand.class, UsersCommand.class,
                KeysCommand.class, BenchCommand.class, ReviewCommand.class})
public class LookoutCommand {
}
