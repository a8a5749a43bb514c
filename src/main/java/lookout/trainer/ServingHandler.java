package lookout.trainer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import lookout.events.Events;
import lookout.registry.ModelPublisher;
import lookout.registry.ModelRegistry;
import lookout.registry.RegistryState;
import lookout.registry.ServingChange;
import lookout.registry.ServingPointer;

/**
 * {@code promote} and {@code rollback}: the serving pointer (the general one, or a camera's) moved
 * to a published version, with its event, or an {@code error} event when the target is not published.
 */
final class ServingHandler {
    private final ModelRegistry registry;
    private final OutcomeWriter outcomes;
    private final OutcomeEvents events;
    private final String reason;
    private final String eventType;

    /**
     * @param reason    the command's name, the pointer's reason
     * @param eventType the event a move writes
     */
    ServingHandler(ModelRegistry registry, OutcomeWriter outcomes, OutcomeEvents events, String reason,
            String eventType) {
        this.registry = registry;
        this.outcomes = outcomes;
        this.events = events;
        this.reason = reason;
        this.eventType = eventType;
    }

    /**
     * @param camera  the camera whose own pointer moves; null: the general pointer
     * @param version the target; null means the one served before the current (rollback)
     */
    void move(ConsumerRecord<String, byte[]> command, String id, String by, String camera, String version) {
        try {
            RegistryState state = registry.snapshot();
            ServingChange.Move move = ServingChange.resolve(state, camera, version, reason);
            ServingPointer p = move.pointer();
            Map<String, Object> e = new LinkedHashMap<>();
            if (camera != null) {
                e.put("camera", camera);
            }
            // a camera rolled back past its own models: it follows the general version again
            e.put("version", p != null ? p.version() : state.servingVersion(null));
            e.put("previous", p != null ? p.previous() : state.servingVersion(camera));
            outcomes.complete(command, List.of(ModelPublisher.servingRecord(camera, p),
                    events.event(eventType, OutcomeEvents.withId(id, by, e))));
        } catch (IllegalArgumentException e) {
            outcomes.complete(command, List.of(events.event(Events.ERROR,
                    OutcomeEvents.withId(id, by, Map.of("command", reason, "error", e.getMessage())))));
        }
    }
}
