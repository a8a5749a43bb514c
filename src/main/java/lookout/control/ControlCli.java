package lookout.control;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import lookout.kafka.KafkaClients;
import lookout.kafka.LoopTopics;
import lookout.kafka.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lookout control send JSON} and {@code lookout control events}: the operator's side of the loop. */
@Command(name = "control", mixinStandardHelpOptions = true,
        description = "Send commands to lookout.control and watch lookout.events.",
        subcommands = {ControlCli.Send.class, ControlCli.Watch.class})
public class ControlCli {
    static final String DEFAULT_BOOTSTRAP = "${KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}";

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = "Validate and send one command, e.g. '{\"command\":\"retrain\",\"epochs\":2}'.")
    public static class Send implements Callable<Integer> {
        @Parameters(paramLabel = "JSON")
        String json;
        @Option(names = "--bootstrap", defaultValue = DEFAULT_BOOTSTRAP)
        String bootstrap;

        @Override
        public Integer call() throws Exception {
            byte[] value = json.getBytes(StandardCharsets.UTF_8);
            try {
                ControlParser.parse(value);
            } catch (InvalidCommandException e) {
                System.err.println("control: not sent: " + e.getMessage());
                return 2;
            }
            LoopTopics.ensure(bootstrap, 1);
            try (KafkaProducer<String, byte[]> p = KafkaClients.producer(bootstrap, "lookout-control-cli")) {
                p.send(new ProducerRecord<>(Topics.CONTROL, null, value)).get();
            }
            System.out.println("sent " + json);
            return 0;
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true,
            description = "Print lookout.events as JSON lines (from now, or from the beginning).")
    public static class Watch implements Callable<Integer> {
        @Option(names = "--from-beginning")
        boolean fromBeginning;
        @Option(names = "--until", split = ",", description = "stop after the first event of one of these types")
        Set<String> until = Set.of();
        @Option(names = "--id", description = "with --until: only an event carrying this command id stops it")
        String id;
        @Option(names = "--timeout", defaultValue = "PT24H", description = "give up after this long (ISO-8601)")
        Duration timeout;
        @Option(names = "--bootstrap", defaultValue = DEFAULT_BOOTSTRAP)
        String bootstrap;

        @Override
        public Integer call() throws Exception {
            LoopTopics.ensure(bootstrap, 1);
            try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(bootstrap, null, "lookout-events-cli")) {
                List<TopicPartition> parts = c.partitionsFor(Topics.EVENTS).stream()
                        .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
                c.assign(parts);
                if (fromBeginning) {
                    c.seekToBeginning(parts);
                } else {
                    c.seekToEnd(parts);
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                while (System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                        String line = new String(r.value(), StandardCharsets.UTF_8);
                        System.out.println(line);
                        System.out.flush();
                        JsonNode e = Events.JSON.readTree(r.value());
                        if (until.contains(e.path("type").asText()) && (id == null || id.equals(e.path("id").asText()))) {
                            return 0;
                        }
                    }
                }
            }
            return until.isEmpty() ? 0 : 1;
        }
    }
}
