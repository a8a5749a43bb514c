package lookout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md and application.properties say the same: every key the page's table names
 * exists in the properties (a key only commented there, such as {@code lookout.tiles.cameras}, is an
 * optional one without a default), every {@code lookout.*} and {@code kafka.*} key of the properties is
 * on the page, and where the page states a default or an environment variable, it is the properties'.
 *
 * <p>A table row's first cell names its keys: {@code `a.b.c` / `.d`} is {@code a.b.c} and {@code a.b.d},
 * {@code `a.b-c` / `-e`} is {@code a.b-c} and {@code a.b-c-e}; {@code <name>} or {@code *} make a pattern. The
 * default cell lists the defaults in the same order, separated by {@code /}; only `quoted` ones are compared.
 */
class ConfigurationDocTest {
    private static final Path PAGE = Path.of("docs/configuration.md");
    private static final Path PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Pattern TICKED = Pattern.compile("`([^`]+)`");

    record Row(List<String> keys, List<String> envs, List<String> defaults, String line) {
    }

    /** key -> value of the properties file (without profile keys); commented keys map to null. */
    private static Map<String, String> properties() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Pattern commented = Pattern.compile("^#\\s*((?:lookout|kafka)\\.[a-z0-9.-]+)=");
        for (String line : Files.readAllLines(PROPERTIES)) {
            Matcher c = commented.matcher(line);
            if (c.find()) {
                out.putIfAbsent(c.group(1), null);
            } else if (!line.isBlank() && !line.startsWith("#") && !line.startsWith("%") && line.contains("=")) {
                int eq = line.indexOf('=');
                out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return out;
    }

    private static List<Row> rows() throws IOException {
        List<Row> out = new ArrayList<>();
        for (String line : Files.readAllLines(PAGE)) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|");
            List<String> keys = new ArrayList<>();
            String first = null;
            for (String part : cells[1].split(",|/")) {
                Matcher m = TICKED.matcher(part);
                if (!m.find()) {
                    continue;
                }
                String name = m.group(1);
                if (first != null && name.startsWith(".")) {
                    keys.add(first.substring(0, first.lastIndexOf('.')) + name);
                } else if (first != null && name.startsWith("-")) {
                    keys.add(first + name);
                } else {
                    keys.add(name);
                    first = name;
                }
            }
            List<String> envs = TICKED.matcher(cells[2]).results().map(r -> r.group(1)).toList();
            List<String> defaults = List.of(cells[3].split(" / ")).stream().map(String::trim).toList();
            out.add(new Row(keys, envs, defaults, line));
        }
        assertThat(out).as("key rows of %s", PAGE).hasSizeGreaterThan(30);
        return out;
    }

    private static boolean isPattern(String key) {
        return key.contains("<") || key.contains("*");
    }

    private static boolean matches(String pattern, String key) {
        String regex = Pattern.quote(pattern).replaceAll("<[^>]+>", "\\\\E[a-z0-9-]+\\\\Q").replace("*", "\\E.+\\Q");
        return key.matches(regex);
    }

    /** As LookoutConfig reads a key from the environment: upper case, dots and dashes to underscores. */
    private static String env(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** A properties value as the page writes it: {@code ${X:default}} alone is its default, {@code ${X:.}} is {@code ${X}}. */
    private static String shown(String value) {
        Matcher whole = Pattern.compile("^\\$\\{[A-Z_]+:(.*)}$").matcher(value);
        if (whole.matches()) {
            return whole.group(1);
        }
        return value.replaceAll("\\$\\{([A-Z_]+):[^}]*}", "\\${$1}");
    }

    @Test
    void givenTheConfigurationPageWhenItsKeysAreLookedUpThenEachIsAPropertiesKey() throws IOException {
        Map<String, String> props = properties();
        for (Row row : rows()) {
            for (String key : row.keys()) {
                if (isPattern(key)) {
                    assertThat(props.keySet().stream().anyMatch(k -> matches(key, k)))
                            .as("pattern %s of the page matches no key of %s", key, PROPERTIES).isTrue();
                } else {
                    assertThat(props.containsKey(key)).as("key %s of the page is not in %s (row: %s)", key, PROPERTIES,
                            row.line()).isTrue();
                }
            }
        }
    }

    @Test
    void givenThePropertiesWhenEachLookoutAndKafkaKeyIsLookedUpThenThePageDocumentsIt() throws IOException {
        List<String> documented = rows().stream().flatMap(r -> r.keys().stream()).toList();
        List<String> missing = properties().keySet().stream()
                .filter(k -> k.startsWith("lookout.") || k.startsWith("kafka."))
                .filter(k -> documented.stream().noneMatch(d -> d.equals(k) || isPattern(d) && matches(d, k)))
                .toList();
        assertThat(missing).as("keys of %s that %s does not document", PROPERTIES, PAGE).isEmpty();
    }

    @Test
    void givenARowThatStatesDefaultsWhenComparedWithThePropertiesThenTheyAreEqual() throws IOException {
        Map<String, String> props = properties();
        int compared = 0;
        for (Row row : rows()) {
            if (row.keys().stream().anyMatch(ConfigurationDocTest::isPattern)
                    || row.defaults().size() != row.keys().size() && row.keys().size() > 1) {
                continue; // a pattern row or one whose defaults are prose: nothing to line up
            }
            for (int i = 0; i < row.keys().size(); i++) {
                Matcher m = TICKED.matcher(row.defaults().get(i));
                String value = props.get(row.keys().get(i));
                if (!row.defaults().get(i).startsWith("`") || !m.find() || value == null) {
                    continue;
                }
                assertThat(m.group(1)).as("default of %s (row: %s)", row.keys().get(i), row.line()).isEqualTo(shown(value));
                compared++;
            }
        }
        assertThat(compared).as("defaults compared").isGreaterThan(40);
    }

    @Test
    void givenARowThatNamesAnEnvironmentVariableWhenDerivedFromItsKeyThenTheyAreEqual() throws IOException {
        for (Row row : rows()) {
            if (row.keys().stream().anyMatch(ConfigurationDocTest::isPattern)) {
                continue;
            }
            for (String name : row.envs()) {
                if (name.matches("[A-Z0-9_]+") && !name.startsWith("_")) {
                    assertThat(row.keys().stream().map(ConfigurationDocTest::env).toList())
                            .as("environment variable %s (row: %s)", name, row.line()).contains(name);
                }
            }
        }
    }
}
