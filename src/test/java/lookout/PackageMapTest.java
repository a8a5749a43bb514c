package lookout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure stays what the package map (docs/design.md) says: no package cycle, and every
 * package uses only the packages its row lets it import. Dependencies are read from the sources
 * (imports and fully qualified names, comments and strings left out), so a constant inlined by the
 * compiler still counts.
 */
class PackageMapTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Path PACKAGE_MAP = Path.of("docs", "design.md");
    private static final Pattern REFERENCE = Pattern.compile("\\blookout((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z.]+)`\\s*\\|([^|]*)\\|([^|]*)\\|\\s*$");
    private static final Pattern NAME = Pattern.compile("`([a-z.]+)`");

    /** package (relative to lookout, "lookout" for the root) -> packages it uses, with the file that uses each. */
    private static final Map<String, Map<String, String>> USES = new TreeMap<>();

    @BeforeAll
    static void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES.resolve("lookout"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = room(SOURCES.relativize(file.getParent()).toString().replace('/', '.'));
                Map<String, String> uses = USES.computeIfAbsent(pkg, k -> new TreeMap<>());
                Matcher m = REFERENCE.matcher(code(Files.readString(file)));
                while (m.find()) {
                    String used = room("lookout" + m.group(1));
                    if (!used.equals(pkg)) {
                        uses.putIfAbsent(used, file.getFileName().toString());
                    }
                }
            }
        }
    }

    /** "lookout.detect.swap" -> "detect.swap"; the root stays "lookout". */
    private static String room(String pkg) {
        return pkg.equals("lookout") ? pkg : pkg.substring("lookout.".length());
    }

    /** The source without comments, string and char literals and its package line: what the code uses. */
    private static String code(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            if (source.startsWith("//", i)) {
                i = endOf(source, "\n", i + 2);
            } else if (source.startsWith("/*", i)) {
                i = endOf(source, "*/", i + 2);
            } else if (source.startsWith("\"\"\"", i)) {
                i = endOf(source, "\"\"\"", i + 3);
            } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
                char quote = source.charAt(i++);
                while (i < source.length() && source.charAt(i) != quote) {
                    i += source.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else {
                out.append(source.charAt(i++));
                continue;
            }
            out.append(' '); // what was skipped still separates the tokens around it
        }
        return out.toString().replaceAll("(?m)^\\s*package [^;]+;", "");
    }

    /** The index just past the next {@code end} from {@code from} (or the end of the text). */
    private static int endOf(String text, String end, int from) {
        int at = text.indexOf(end, from);
        return at < 0 ? text.length() : at + end.length();
    }

    @Test
    void shouldHaveNoPackageCycle() {
        List<List<String>> cycles = new ArrayList<>();
        for (String start : USES.keySet()) {
            List<String> cycle = cycleThrough(start);
            if (cycle != null) {
                cycles.add(cycle);
            }
        }
        assertThat(cycles).as("package cycles (a -> b means a uses b)").isEmpty();
    }

    /** A path start -> ... -> start, found depth-first, or null. */
    private static List<String> cycleThrough(String start) {
        Deque<List<String>> paths = new ArrayDeque<>();
        paths.push(List.of(start));
        Set<String> seen = new TreeSet<>();
        while (!paths.isEmpty()) {
            List<String> path = paths.pop();
            for (String next : USES.getOrDefault(path.get(path.size() - 1), Map.of()).keySet()) {
                List<String> longer = new ArrayList<>(path);
                longer.add(next + " (" + USES.get(path.get(path.size() - 1)).get(next) + ")");
                if (next.equals(start)) {
                    return longer;
                }
                if (seen.add(next)) {
                    List<String> plain = new ArrayList<>(path);
                    plain.add(next);
                    paths.push(plain);
                }
            }
        }
        return null;
    }

    @Test
    void shouldListEveryPackageInThePackageMap() throws IOException {
        assertThat(packageMap().keySet()).as("packages in the package map (docs/design.md)")
                .containsExactlyInAnyOrderElementsOf(USES.keySet());
    }

    @Test
    void shouldImportOnlyWhatThePackageMapAllows() throws IOException {
        Map<String, Set<String>> allowed = packageMap();
        Map<String, String> violations = new TreeMap<>();
        USES.forEach((pkg, uses) -> uses.forEach((used, file) -> {
            if (!allowed.getOrDefault(pkg, Set.of()).contains(used)) {
                violations.put(pkg + " -> " + used, file);
            }
        }));
        assertThat(violations).as("uses the package map does not allow (and the file that does)").isEmpty();
    }

    /** The package map: the table under the "Package map" heading of docs/design.md, package -> the packages it may import. */
    private static Map<String, Set<String>> packageMap() throws IOException {
        Map<String, Set<String>> map = new HashMap<>();
        boolean inMap = false;
        for (String line : Files.readAllLines(PACKAGE_MAP)) {
            if (line.startsWith("#")) {
                inMap = line.toLowerCase(Locale.ROOT).contains("package map");
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (inMap && row.matches()) {
                Set<String> imports = new TreeSet<>();
                Matcher name = NAME.matcher(row.group(3));
                while (name.find()) {
                    imports.add(name.group(1));
                }
                map.put(row.group(1), imports);
            }
        }
        return map;
    }
}
