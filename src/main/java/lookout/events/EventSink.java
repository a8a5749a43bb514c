package lookout.events;

import java.util.Map;

/** Where loop events go ({@code lookout.events} in production, a list in tests). */
@FunctionalInterface
public interface EventSink {
    /**
     * @param type    one of the event types (see {@link Events})
     * @param details extra JSON fields; values are strings, numbers, booleans, lists or maps
     */
    void emit(String type, Map<String, ?> details);
}
