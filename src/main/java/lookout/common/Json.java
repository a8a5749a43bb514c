package lookout.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * The one Jackson mapper of the app (topic values, model.json, manifests, events). A mapper is
 * thread-safe once configured and costly to build, so every component shares this one; records
 * say themselves which fields they ignore or omit.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** For files people read (model.json): indented. */
    public static ObjectWriter pretty() {
        return MAPPER.writerWithDefaultPrettyPrinter();
    }
}
