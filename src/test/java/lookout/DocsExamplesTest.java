package lookout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import lookout.common.Json;
import lookout.control.ControlParser;
import lookout.detections.DetectionRecord;
import lookout.events.Events;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSample;
import lookout.review.ReviewDesk;
import lookout.review.ReviewItem;
import lookout.stats.CameraStatsRecord;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

/**
 * Every JSON example of a topic record in the docs is read by the code's own record or parser for
 * that topic and must be accepted; where the code writes the record too, what it writes back must be
 * the example itself (so a renamed, dropped or retyped field fails here, not at a reader's consumer).
 *
 * <p>An example is found by its fenced block's info string: {@code ```json lookout.detections} (the
 * topic; GitHub highlights by the first word only). A block may hold several JSON values. In the
 * contract pages every {@code json} block must carry a topic, so a new example cannot go unchecked.
 */
class DocsExamplesTest {
    private static final Path DOCS = Path.of("docs");
    /** Pages whose every JSON block must be a checked topic example. */
    private static final List<Path> CONTRACT_PAGES = List.of(Path.of("docs/contracts.md"), Path.of("docs/review.md"),
            Path.of("README.md"));
    private static final Pattern FENCE = Pattern.compile("(?m)^```json([^\\n]*)\\n(.*?)^```", Pattern.DOTALL);
    /** What the docs put where a label's picture goes. */
    private static final String IMAGE_PLACEHOLDER = "<base64 JPEG or PNG>";

    record Example(Path page, String kind, JsonNode value) {
        @Override
        public String toString() {
            return page + " (" + kind + "): " + value;
        }
    }

    record Block(Path page, String info, String body) {
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> s = Files.list(DOCS)) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static List<Block> blocks(Path page) throws IOException {
        List<Block> out = new ArrayList<>();
        Matcher m = FENCE.matcher(Files.readString(page));
        while (m.find()) {
            out.add(new Block(page, m.group(1).trim(), m.group(2)));
        }
        return out;
    }

    private static List<Example> examples(String kind) throws IOException {
        List<Example> out = new ArrayList<>();
        for (Path page : pages()) {
            for (Block b : blocks(page)) {
                if (!b.info().equals(kind)) {
                    continue;
                }
                try (MappingIterator<JsonNode> it = Json.MAPPER.readerFor(JsonNode.class).readValues(b.body())) {
                    while (it.hasNext()) {
                        out.add(new Example(page, kind, it.next()));
                    }
                } catch (IOException | RuntimeException e) {
                    throw new AssertionError(page + ": a `json " + kind + "` example is not JSON: " + e.getMessage(), e);
                }
            }
        }
        assertThat(out).as("examples tagged `json %s` in the docs", kind).isNotEmpty();
        return out;
    }

    @Test
    void givenTheContractPagesWhenReadThenEveryJsonBlockNamesTheTopicItShows() throws IOException {
        Set<String> known = Set.of("lookout.detections", "lookout.camera-stats", "lookout.labels",
                "lookout.labels provenance", "lookout.control", "lookout.events", "lookout.review item",
                "lookout.review answer");
        for (Path page : pages()) {
            for (Block b : blocks(page)) {
                if (CONTRACT_PAGES.contains(page) || b.info().startsWith("lookout.")) {
                    assertThat(b.info()).as("%s: the info string of a JSON example (```json <topic> [part]): %s", page,
                            b.body().lines().findFirst().orElse("")).isIn(known);
                }
            }
        }
    }

    @Test
    void givenDetectionsExamplesWhenReadAsTheRecordThenTheRecordWritesThemBackUnchanged() throws IOException {
        for (Example e : examples("lookout.detections")) {
            DetectionRecord r = Json.MAPPER.treeToValue(e.value(), DetectionRecord.class);
            assertThat(r.status()).as(e.toString()).isIn(DetectionRecord.OK, DetectionRecord.SKIPPED);
            if (!r.analysed()) {
                assertThat(r.reason()).as(e.toString()).isIn(DetectionRecord.STALE, DetectionRecord.OVERLOAD,
                        DetectionRecord.SUPERSEDED);
            }
            assertSame(e, Json.MAPPER.readTree(r.toJson()));
        }
    }

    @Test
    void givenCameraStatsExamplesWhenReadAsTheRecordThenTheRecordWritesThemBackUnchanged() throws IOException {
        for (Example e : examples("lookout.camera-stats")) {
            CameraStatsRecord r = Json.MAPPER.treeToValue(e.value(), CameraStatsRecord.class);
            assertSame(e, Json.MAPPER.valueToTree(r));
        }
    }

    @Test
    void givenLabelExamplesWhenParsedByTheLabelCodecThenTheyAreValidSamplesItWritesBackUnchanged() throws Exception {
        LabelCodec codec = LabelCodec.fromConfig(TestSettings.config());
        String image = Base64.getEncoder().encodeToString(TestFrames.jpeg(640, 480));
        for (Example e : examples("lookout.labels")) {
            ObjectNode value = e.value().deepCopy();
            assertThat(value.path("image").asText()).as(e.toString()).isEqualTo(IMAGE_PLACEHOLDER);
            value.put("image", image);
            LabelSample s = codec.parse("doc/example/1", Json.MAPPER.writeValueAsBytes(value));
            assertSame(new Example(e.page(), e.kind(), value), Json.MAPPER.readTree(LabelCodec.encode(s)));
        }
    }

    @Test
    void givenProvenanceExamplesWhenALabelCarriesThemThenTheLabelCodecAcceptsThem() throws Exception {
        LabelCodec codec = LabelCodec.fromConfig(TestSettings.config());
        String image = Base64.getEncoder().encodeToString(TestFrames.jpeg(640, 480));
        for (Path page : pages()) {
            for (Block b : blocks(page)) {
                if (!b.info().equals("lookout.labels provenance")) {
                    continue;
                }
                // the example is the field as it stands inside a label: "provenance": {...}
                JsonNode p = Json.MAPPER.readTree("{" + b.body() + "}").get("provenance");
                assertThat(p).as("%s: a provenance example is `\"provenance\": {...}`", page).isNotNull();
                int boxes = p.path("accepted").asInt() + p.path("moved").asInt() + p.path("added").asInt();
                ObjectNode label = Json.MAPPER.createObjectNode().put("image", image);
                for (int i = 0; i < boxes; i++) {
                    label.withArray("boxes").addArray().add(10 + 50 * i).add(10).add(40 + 50 * i).add(100);
                    label.withArray("labels").add("person");
                }
                label.set("provenance", p);
                LabelSample s = codec.parse("review/door/r-1", Json.MAPPER.writeValueAsBytes(label));
                assertThat(Json.MAPPER.readTree(LabelCodec.encode(s)).get("provenance")).as(page.toString()).isEqualTo(p);
            }
        }
    }

    @Test
    void givenControlExamplesWhenParsedByTheControlParserThenEveryOneIsACommand() throws Exception {
        for (Example e : examples("lookout.control")) {
            assertThat(ControlParser.parse(Json.MAPPER.writeValueAsBytes(e.value()))).as(e.toString()).isNotNull();
        }
    }

    @Test
    void givenEventExamplesWhenCheckedAgainstTheCodeThenTheirTypesAndFieldNamesAreTheCodesOwn() throws Exception {
        Set<String> types = new HashSet<>();
        for (Field f : Events.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                types.add((String) f.get(null));
            }
        }
        Set<String> literals = stringLiterals(Path.of("src/main/java"));
        for (Example e : examples("lookout.events")) {
            assertThat(e.value().path("type").asText()).as("type of " + e).isIn(types);
            for (String field : fieldNames(e.value())) {
                assertThat(literals.contains(field)).as("field %s of %s: no source file writes it", field, e).isTrue();
            }
            // what the events writer makes of the example's details is the example (ts and source aside)
            Map<String, Object> details = new LinkedHashMap<>();
            e.value().fields().forEachRemaining(f -> details.put(f.getKey(), Json.MAPPER.convertValue(f.getValue(), Object.class)));
            String type = (String) details.remove("type");
            String source = (String) details.remove("source");
            ObjectNode written = (ObjectNode) Json.MAPPER.readTree(Events.toJson(type, source, details));
            ObjectNode expected = e.value().deepCopy();
            written.remove("ts");
            expected.remove("ts");
            assertSame(new Example(e.page(), e.kind(), expected), written);
        }
    }

    @Test
    void givenReviewItemExamplesWhenParsedAsTheItemThenTheItemWritesThemBackUnchanged() throws IOException {
        for (Example e : examples("lookout.review item")) {
            ReviewItem item = ReviewItem.parse(Json.MAPPER.writeValueAsBytes(e.value()));
            // an id has the shape the picker gives (ReviewItem.idOf), though no real frame stands behind the example
            assertThat(item.id()).as(e.toString()).matches("r-[0-9a-f]{20}")
                    .hasSameSizeAs(ReviewItem.idOf(item.camera(), item.seq(), item.captureTs()));
            assertSame(e, Json.MAPPER.readTree(item.toJson()));
        }
    }

    @Test
    void givenReviewAnswerExamplesWhenReadAsTheAnswerThenTheAnswerWritesThemBackUnchanged() throws IOException {
        for (Example e : examples("lookout.review answer")) {
            ReviewDesk.Answered a = Json.MAPPER.treeToValue(e.value(), ReviewDesk.Answered.class);
            assertThat(a.outcome()).as(e.toString()).isIn("labelled", "nobody");
            assertSame(e, Json.MAPPER.valueToTree(a));
        }
    }

    /** Equal as JSON, numbers by value (a float written back may differ in its last digit). */
    private static void assertSame(Example e, JsonNode written) {
        List<String> diffs = new ArrayList<>();
        diff("", e.value(), written, diffs);
        assertThat(diffs).as("%s: the example differs from what the code writes for it: %s", e.page(), written).isEmpty();
    }

    private static void diff(String at, JsonNode doc, JsonNode code, List<String> out) {
        if (doc == null || code == null) {
            out.add(at + ": " + (doc == null ? "not in the example" : "not written by the code"));
        } else if (doc.isNumber() && code.isNumber()) {
            double a = doc.asDouble();
            double b = code.asDouble();
            if (Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(a))) {
                out.add(at + ": " + doc + " vs " + code);
            }
        } else if (doc.isObject() && code.isObject()) {
            Set<String> names = new HashSet<>();
            doc.fieldNames().forEachRemaining(names::add);
            code.fieldNames().forEachRemaining(names::add);
            names.forEach(n -> diff(at + "." + n, doc.get(n), code.get(n), out));
        } else if (doc.isArray() && code.isArray() && doc.size() == code.size()) {
            for (int i = 0; i < doc.size(); i++) {
                diff(at + "[" + i + "]", doc.get(i), code.get(i), out);
            }
        } else if (!doc.equals(code)) {
            out.add(at + ": " + doc + " vs " + code);
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> out = new HashSet<>();
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                out.add(f.getKey());
                if (!f.getKey().equals("losses")) { // the model names its own losses (model.pt, not the code)
                    out.addAll(fieldNames(f.getValue()));
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> out.addAll(fieldNames(n)));
        }
        return out;
    }

    /** Every string literal (and record component name: Jackson writes those) in the main sources. */
    private static Set<String> stringLiterals(Path root) throws IOException {
        Set<String> out = new HashSet<>();
        Pattern literal = Pattern.compile("\"([A-Za-z][A-Za-z0-9_-]*)\"");
        Pattern component = Pattern.compile("\\brecord\\s+\\w+\\s*\\(([^)]*)\\)");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f, StandardCharsets.UTF_8);
                literal.matcher(src).results().forEach(r -> out.add(r.group(1)));
                component.matcher(src).results().forEach(r -> {
                    for (String param : r.group(1).split(",")) {
                        String[] words = param.trim().split("\\s+");
                        out.add(words[words.length - 1]);
                    }
                });
            }
        }
        return out;
    }
}
