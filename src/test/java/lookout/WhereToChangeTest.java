package lookout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The "Where to change what" table of docs/design.md names real code: every package in its second
 * column exists under src/main/java, and every class or test it names exists as a source file, so the
 * table cannot go on pointing at a class that was renamed or moved.
 */
class WhereToChangeTest {
    private static final Path DESIGN = Path.of("docs", "design.md");
    private static final Pattern ROW = Pattern.compile("^\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|\\s*$");
    private static final Pattern CODE = Pattern.compile("`([A-Za-z][A-Za-z0-9_.]*)`");

    @Test
    void everyPackageClassAndTestTheTableNamesExists() throws IOException {
        List<String[]> rows = rows();
        assertThat(rows).as("rows of the table under \"Where to change what\"").hasSizeGreaterThan(10);
        Set<String> classes = sourceFileNames();
        List<String> missing = new ArrayList<>();
        for (String[] row : rows) {
            String[] packageAndWhere = row[1].split("→", 2);
            for (String pkg : names(packageAndWhere[0])) {
                if (!Files.isDirectory(Path.of("src/main/java/lookout", pkg.replace('.', '/')))) {
                    missing.add("package " + pkg + " (row: " + row[0].strip() + ")");
                }
            }
            List<String> named = new ArrayList<>(packageAndWhere.length > 1 ? names(packageAndWhere[1]) : List.of());
            named.addAll(names(row[2]));
            for (String name : named) {
                String type = name.split("\\.")[0]; // `Class.method` names its class
                if (Character.isUpperCase(type.charAt(0)) && !classes.contains(type)) {
                    missing.add("class " + type + " (row: " + row[0].strip() + ")");
                }
            }
        }
        assertThat(missing).as("named in docs/design.md's \"Where to change what\" but not in the code").isEmpty();
    }

    private static List<String> names(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<String[]> rows() throws IOException {
        List<String[]> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(DESIGN)) {
            if (line.startsWith("#")) {
                inTable = line.toLowerCase(Locale.ROOT).contains("where to change what");
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (inTable && row.matches() && !row.group(1).strip().equals("change") && !row.group(1).startsWith("---")) {
                rows.add(new String[] {row.group(1), row.group(2), row.group(3)});
            }
        }
        return rows;
    }

    private static Set<String> sourceFileNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String root : List.of("src/main/java", "src/test/java")) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                names.addAll(files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".java"))
                        .map(n -> n.substring(0, n.length() - ".java".length()))
                        .collect(Collectors.toSet()));
            }
        }
        return names;
    }
}
