package lookout.trainer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

import lookout.common.Names;
import lookout.control.ControlCommand;
import lookout.control.ControlParser;
import lookout.control.InvalidCommandException;
import lookout.events.Events;

/**
 * Parses a command from {@code lookout.control} and hands it to the handler of its type. A
 * malformed command, or one whose handler fails, is answered with an {@code error} event; a type
 * with no handler here (commands for detectors) is completed with no outcome. A failure of Kafka
 * itself propagates: the command's outcome was not written, so it is read again.
 */
final class CommandDispatch {
    private static final Logger LOG = Logger.getLogger(CommandDispatch.class);

    /** Acts on one command of type C: writes its outcome, or starts the job that will. */
    @FunctionalInterface
    interface Handler<C extends ControlCommand> {
        /**
         * @param command its record on {@code lookout.control} (the offset the outcome commits)
         * @param by      who sent it (the REST door's user), null when not said: every event it causes says so
         */
        void handle(C cmd, ConsumerRecord<String, byte[]> command, String by);
    }

    private final Map<Class<? extends ControlCommand>, Handler<?>> handlers = new HashMap<>();
    private final OutcomeWriter outcomes;
    private final OutcomeEvents events;

    CommandDispatch(OutcomeWriter outcomes, OutcomeEvents events) {
        this.outcomes = outcomes;
        this.events = events;
    }

    /** Registers the handler of one command type (one handler per type). */
    <C extends ControlCommand> CommandDispatch on(Class<C> type, Handler<C> handler) {
        if (handlers.putIfAbsent(type, handler) != null) {
            throw new IllegalStateException("two handlers for " + type.getSimpleName());
        }
        return this;
    }

    /** Acts on one command record. */
    void handle(ConsumerRecord<String, byte[]> r) {
        ControlCommand cmd;
        try {
            cmd = ControlParser.parse(r.value());
        } catch (InvalidCommandException e) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("id", e.id());
            err.put("error", e.getMessage());
            err.put("offset", r.offset());
            err.put("command", r.value() == null ? null : snippet(r.value()));
            outcomes.complete(r, List.of(events.event(Events.ERROR, err)));
            return;
        }
        String by = ControlParser.by(r.value());
        @SuppressWarnings("unchecked") // registered by on(), keyed by the handler's own type
        Handler<ControlCommand> handler = (Handler<ControlCommand>) handlers.get(cmd.getClass());
        try {
            if (handler != null) {
                handler.handle(cmd, r, by);
            } else {
                LOG.debugf("%s is for detectors; the trainer ignores it", cmd.name());
                outcomes.complete(r, List.of());
            }
        } catch (KafkaException e) {
            throw e; // Kafka itself failed: the loop rewinds, the command is read again
        } catch (RuntimeException e) {
            LOG.error("command failed", e);
            outcomes.complete(r, List.of(events.event(Events.ERROR, OutcomeEvents.withId(cmd.id(), by,
                    Map.of("command", cmd.name(), "error", String.valueOf(e.getMessage()))))));
        }
    }

    private static String snippet(byte[] value) {
        return Names.clip(new String(value, 0, Math.min(value.length, 1000), StandardCharsets.UTF_8), 200);
    }
}
