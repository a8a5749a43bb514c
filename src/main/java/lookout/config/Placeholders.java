package lookout.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${...}} references in camera sources (the cameras file, {@code --source}), so credentials
 * live in the environment or in files mounted from a Kubernetes Secret instead of on the command line
 * ({@code ps}, a Deployment's {@code args}) or in a ConfigMap:
 *
 * <ul>
 * <li>{@code ${NAME}}: the environment variable NAME; if NAME is not set but {@code NAME_FILE} is,
 * the contents of the file NAME_FILE names (the {@code _FILE} convention of container images);</li>
 * <li>{@code ${file:/path}}: the contents of that file.</li>
 * </ul>
 * A file's trailing line break is dropped (what {@code kubectl create secret --from-file} or an
 * editor leaves). Values are inserted as written: percent-encode what a URL cannot hold raw
 * ({@code /}, {@code ?}, {@code #}, spaces) in the secret itself. {@code $$} is a literal {@code $}.
 * A reference that cannot be resolved is an error naming it, never an empty string.
 */
public final class Placeholders {
    private static final Pattern REF = Pattern.compile("\\$\\$|\\$\\{([^}]*)}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    /** Secret files are small; a larger one is a mistake (a wrong mount), not a password. */
    static final int MAX_FILE_BYTES = 64 * 1024;

    /**
     * The text with its references resolved, and the values that were substituted (so the caller can
     * keep them out of logs).
     */
    public record Expanded(String text, List<String> values) {
    }

    private final Function<String, String> env;

    /** References resolved against this process's environment. */
    public static Placeholders fromEnvironment() {
        return new Placeholders(System::getenv);
    }

    /** References resolved against the given variables (tests). */
    public static Placeholders of(Map<String, String> env) {
        return new Placeholders(env::get);
    }

    private Placeholders(Function<String, String> env) {
        this.env = env;
    }

    /** True when the text holds a reference (or an escaped {@code $$}). */
    public static boolean hasReferences(String text) {
        return text != null && REF.matcher(text).find();
    }

    /**
     * @throws IllegalArgumentException naming the reference that cannot be resolved (unset variable,
     *                                  unreadable or oversized file, malformed reference); never the value
     */
    public Expanded expand(String text) {
        if (text == null || !hasReferences(text)) {
            return new Expanded(text, List.of());
        }
        List<String> values = new ArrayList<>();
        Matcher m = REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value;
            if (m.group().equals("$$")) {
                value = "$";
            } else {
                value = resolve(m.group(1).trim());
                values.add(value);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return new Expanded(out.toString(), List.copyOf(values));
    }

    private String resolve(String ref) {
        if (ref.startsWith("file:")) {
            return read(Path.of(ref.substring(5)), "${" + ref + "}");
        }
        if (!NAME.matcher(ref).matches()) {
            throw new IllegalArgumentException("${" + ref + "} is no reference: use ${NAME} (an environment variable, "
                    + "or a file named by NAME_FILE) or ${file:/path}");
        }
        String value = env.apply(ref);
        if (value != null) {
            return value;
        }
        String file = env.apply(ref + "_FILE");
        if (file != null && !file.isBlank()) {
            return read(Path.of(file), "${" + ref + "} (" + ref + "_FILE=" + file + ")");
        }
        throw new IllegalArgumentException("${" + ref + "} is not set: set the environment variable " + ref
                + " or " + ref + "_FILE (a file holding the value, e.g. mounted from a Kubernetes Secret)");
    }

    private static String read(Path file, String what) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(what + ": " + file + " is larger than " + MAX_FILE_BYTES
                        + " bytes; that is no secret value");
            }
            String s = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            if (s.endsWith("\r\n")) {
                return s.substring(0, s.length() - 2);
            }
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
