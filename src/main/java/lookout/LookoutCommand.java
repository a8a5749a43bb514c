package lookout;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import lookout.broker.BrokerCommand;
import lookout.camera.CameraCommand;
import lookout.demo.DemoCommand;
import lookout.service.ServeCommand;
import picocli.CommandLine;

@TopCommand
@CommandLine.Command(name = "lookout", mixinStandardHelpOptions = true,
        description = "Kafka-native pedestrian detection.",
        subcommands = {BrokerCommand.class, ServeCommand.class, CameraCommand.class, DemoCommand.class})
public class LookoutCommand {
}
