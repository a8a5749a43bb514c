package lookout.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code lookout topics create}: the admin provisions every topic as {@link Topics} specifies it, so
 * that the roles, which may not create topics on a cluster with ACLs, find them (see {@link Acls}).
 */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Provision Lookout's topics.",
        subcommands = TopicsCommand.Create.class)
public class TopicsCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the missing topics (partitions, replication, limits from configuration); check the others.")
    public static class Create implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() {
            List<String> created = TopicAdmin.ensure(kafka.settings(), all());
            System.out.println(created.isEmpty() ? "all topics present" : "created " + String.join(", ", created));
            return 0;
        }
    }

    /** Every topic of the public contract. */
    public static List<String> all() {
        List<String> all = new ArrayList<>(Topics.DETECTOR);
        all.addAll(Topics.LOOP);
        all.add(Topics.REVIEW);
        return all;
    }
}
