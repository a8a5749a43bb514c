package lookout.camera;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The cameras of one bridge process, one per line:
 *
 * <pre>
 * # id      source                                  options (any order)
 * door      rtsp://user:pass@10.0.0.7:554/stream1   fps=5 max-width=1280
 * parking   /srv/video/parking.mp4                  loop jpeg-quality=70
 * lobby     /srv/snapshots/lobby/                   fps=2 line=0,0.6,1,0.6
 * </pre>
 *
 * <p>Blank lines and {@code #} comments are ignored. A source containing spaces is written in
 * double quotes. Options: {@code fps=N}, {@code max-width=W}, {@code jpeg-quality=Q},
 * {@code loop}, {@code as-fast-as-possible}; what a line leaves out comes from the command line's
 * options (or their defaults). {@code line=x1,y1,x2,y2} is for the detector, not the bridge: the
 * camera's counting line in fractions of the frame (0..1), read by {@link #countingLines}.
 */
public final class CameraConfigFile {
    private CameraConfigFile() {
    }

    public static List<CameraSpec> read(Path file, CameraSpec defaults) throws IOException {
        return parse(Files.readAllLines(file), file.toString(), defaults);
    }

    /**
     * @param defaults values for options a line does not set (its id and source are ignored)
     * @throws IllegalArgumentException naming the file and line of the first mistake
     */
    public static List<CameraSpec> parse(List<String> lines, String name, CameraSpec defaults) {
        return entries(lines, name, defaults).stream().map(Entry::spec).toList();
    }

    /**
     * The counting lines a cameras file sets ({@code line=x1,y1,x2,y2}), by camera id, in file order;
     * the whole file is checked as the bridge would check it.
     *
     * @throws IllegalArgumentException naming the file and line of the first mistake
     */
    public static Map<String, double[]> countingLines(Path file) throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Entry e : entries(Files.readAllLines(file), file.toString(), CameraSpec.of("defaults", "-", 80))) {
            if (e.line() != null) {
                out.put(e.spec().cameraId(), e.line());
            }
        }
        return out;
    }

    private record Entry(CameraSpec spec, double[] line) {
    }

    private static List<Entry> entries(List<String> lines, String name, CameraSpec defaults) {
        List<Entry> specs = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String where = name + ":" + (i + 1) + ": ";
            List<String> tokens = tokens(stripComment(lines.get(i)), where);
            if (tokens.isEmpty()) {
                continue;
            }
            if (tokens.size() < 2) {
                throw new IllegalArgumentException(where + "expected '<camera-id> <source> [options]'");
            }
            String id = tokens.get(0);
            double fps = defaults.fps();
            int maxWidth = defaults.maxWidth();
            int quality = defaults.jpegQuality();
            boolean loop = defaults.loop();
            boolean realtime = defaults.realtime();
            double[] countingLine = null;
            for (String option : tokens.subList(2, tokens.size())) {
                int eq = option.indexOf('=');
                String key = (eq < 0 ? option : option.substring(0, eq)).toLowerCase(Locale.ROOT);
                String value = eq < 0 ? null : option.substring(eq + 1);
                try {
                    switch (key) {
                        case "fps" -> fps = Double.parseDouble(required(value, key));
                        case "max-width" -> maxWidth = Integer.parseInt(required(value, key));
                        case "jpeg-quality", "quality" -> quality = Integer.parseInt(required(value, key));
                        case "loop" -> loop = value == null || Boolean.parseBoolean(value);
                        case "as-fast-as-possible" -> realtime = !(value == null || Boolean.parseBoolean(value));
                        case "line" -> countingLine = line(required(value, key));
                        default -> throw new IllegalArgumentException("unknown option '" + option
                                + "' (known: fps=N, max-width=W, jpeg-quality=Q, loop, as-fast-as-possible, line=x1,y1,x2,y2)");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + "option '" + option + "' needs a number");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + e.getMessage());
                }
            }
            if (!ids.add(id)) {
                throw new IllegalArgumentException(where + "camera id '" + id + "' is used twice");
            }
            try {
                specs.add(new Entry(new CameraSpec(id, tokens.get(1), fps, maxWidth, quality, loop, realtime), countingLine));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
        }
        if (specs.isEmpty()) {
            throw new IllegalArgumentException(name + ": no cameras configured");
        }
        return specs;
    }

    /** x1,y1,x2,y2: two different points in fractions of the frame. */
    private static double[] line(String value) {
        String[] parts = value.split(",");
        double[] xyxy = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            xyxy[i] = Double.parseDouble(parts[i].trim());
        }
        if (xyxy.length != 4 || Arrays.stream(xyxy).anyMatch(v -> !(v >= 0 && v <= 1))
                || (xyxy[0] == xyxy[2] && xyxy[1] == xyxy[3])) {
            throw new IllegalArgumentException("option 'line=" + value
                    + "' needs x1,y1,x2,y2: two different points in fractions of the frame (0..1)");
        }
        return xyxy;
    }

    private static String required(String value, String key) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("option '" + key + "' needs a value, e.g. " + key + "=5");
        }
        return value;
    }

    private static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static List<String> tokens(String line, String where) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                if (current == null) {
                    current = new StringBuilder();
                }
            } else if (Character.isWhitespace(c) && !quoted) {
                if (current != null) {
                    tokens.add(current.toString());
                    current = null;
                }
            } else {
                if (current == null) {
                    current = new StringBuilder();
                }
                current.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(where + "unclosed quote");
        }
        if (current != null) {
            tokens.add(current.toString());
        }
        return tokens;
    }
}
