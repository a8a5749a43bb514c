package lookout.stats;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import lookout.control.ControlCommand;
import lookout.control.ControlParser;
import lookout.control.InvalidCommandException;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;

/**
 * Applies {@code counting-line} commands from {@code lookout.control} to the {@link CountingLines}
 * of this detector replica. Every replica reads the topic from its beginning (no consumer group),
 * so a line set by command holds after a restart for as long as the control topic keeps the
 * command (a week by default); a line meant to stay belongs in the cameras file.
 */
public final class CountingLineCommands implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CountingLineCommands.class);

    private final TopicFollower follower;

    private CountingLineCommands(TopicFollower follower) {
        this.follower = follower;
    }

    public static CountingLineCommands follow(KafkaClients clients, CountingLines lines) {
        // a follower of a topic that does not exist yet would find no partition to read and stop
        TopicAdmin.ensure(clients.settings(), List.of(Topics.CONTROL));
        return new CountingLineCommands(new TopicFollower(clients, "lookout-counting-lines", List.of(Topics.CONTROL),
                List.of(), (records, caughtUp) -> apply(records, lines)).start());
    }

    static void apply(List<ConsumerRecord<String, byte[]>> records, CountingLines lines) {
        for (ConsumerRecord<String, byte[]> r : records) {
            ControlCommand cmd;
            try {
                cmd = ControlParser.parse(r.value());
            } catch (InvalidCommandException e) {
                continue; // the trainer answers malformed commands; detectors only listen for theirs
            }
            if (cmd instanceof ControlCommand.SetCountingLine set) {
                lines.set(set.camera(), set.line() == null ? null : CountingLine.of(set.line()));
                LOG.infof("camera %s: counting line %s", set.camera(),
                        set.line() == null ? "removed" : java.util.Arrays.toString(set.line()));
            }
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
