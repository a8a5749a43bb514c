package lookout.control;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import lookout.common.Json;
import lookout.kafka.KafkaClients;
import lookout.kafka.KafkaOptions;
import lookout.kafka.TopicAdmin;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lookout control send JSON} and {@code lookout control events}: the operator's side of the loop. */
@Command(name = "control", mixinStandardHelpOptions = true,
        description = "Send commands to lookout.control and watch lookout.events.",
        subcommands = {ControlCli.Send.class, ControlCli.Watch.class})
public class ControlCli {

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = "Validate and send one command, e.g. '{\"command\":\"retrain\",\"epochs\":2}'.")
    public static class Send implements Callable<Integer> {
        @Parameters(paramLabel = "JSON")
        String json;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            byte[] value = json.getBytes(StandardCharsets.UTF_8);
            try {
                ControlParser.parse(value);
            } catch (InvalidCommandException e) {
                System.err.println("control: not sent: " + e.getMessage());
                return 2;
            }
            KafkaClients clients = kafka.clients();
            TopicAdmin.ensure(clients.settings(), Topics.LOOP);
            try (KafkaProducer<String, byte[]> p = clients.producer("lookout-control-cli")) {
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
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            KafkaClients clients = kafka.clients();
            TopicAdmin.ensure(clients.settings(), Topics.LOOP);
            CompletableFuture<Void> stop = new CompletableFuture<>();
            List<String> events = List.of(Topics.EVENTS);
            try (TopicFollower follower = new TopicFollower(clients, "lookout-events-cli",
                    fromBeginning ? events : List.of(), fromBeginning ? List.of() : events,
                    (records, caughtUp) -> print(records, stop)).start()) {
                stop.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return 0;
            } catch (TimeoutException e) {
                return until.isEmpty() ? 0 : 1;
            }
        }

        /** Prints each event as a line; completes {@code stop} at the first one --until names. */
        private void print(List<ConsumerRecord<String, byte[]>> records, CompletableFuture<Void> stop) {
            for (ConsumerRecord<String, byte[]> r : records) {
                if (stop.isDone()) {
                    return;
                }
                System.out.println(new String(r.value(), StandardCharsets.UTF_8));
                System.out.flush();
                try {
                    JsonNode e = Json.MAPPER.readTree(r.value());
                    if (until.contains(e.path("type").asText()) && (id == null || id.equals(e.path("id").asText()))) {
                        stop.complete(null);
                    }
                } catch (java.io.IOException notJson) {
                    // printed as it is; only JSON events can end the watch
                }
            }
        }
    }
}
