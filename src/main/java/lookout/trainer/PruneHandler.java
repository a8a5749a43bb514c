package lookout.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import lookout.control.ControlCommand;
import lookout.events.Events;
import lookout.registry.ModelPublisher;
import lookout.registry.ModelRegistry;

/** {@code prune}: tombstones for all but the newest versions (and the serving one), with the {@code pruned} event. */
final class PruneHandler implements CommandDispatch.Handler<ControlCommand.Prune> {
    private final ModelRegistry registry;
    private final OutcomeWriter outcomes;
    private final OutcomeEvents events;
    private final int keepVersions;

    /** @param keepVersions how many versions a prune without {@code keep} keeps */
    PruneHandler(ModelRegistry registry, OutcomeWriter outcomes, OutcomeEvents events, int keepVersions) {
        this.registry = registry;
        this.outcomes = outcomes;
        this.events = events;
        this.keepVersions = keepVersions;
    }

    @Override
    public void handle(ControlCommand.Prune p, ConsumerRecord<String, byte[]> command, String by) {
        int keep = p.keep() != null ? p.keep() : keepVersions;
        Map<String, List<ProducerRecord<String, byte[]>>> tombstones = ModelPublisher.pruneRecords(registry.snapshot(), keep);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        tombstones.values().forEach(records::addAll);
        records.add(events.event(Events.PRUNED, OutcomeEvents.withId(p.id(), by,
                Map.of("versions", List.copyOf(tombstones.keySet()), "keep", keep))));
        outcomes.complete(command, records);
    }
}
