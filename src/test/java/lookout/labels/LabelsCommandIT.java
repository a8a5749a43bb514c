package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;
import lookout.kafka.Topics;
import lookout.testing.TestBroker;
import lookout.testing.TestModels;
import picocli.CommandLine;

/** labels import / export / delete against a real broker with the real TUD frames. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LabelsCommandIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    @TempDir
    Path tmp;

    private int run(String... args) {
        return new CommandLine(new LabelsCommand()).execute(args);
    }

    @Test
    void shouldImportExportAsCocoSkipInvalidRecordsAndApplyDeletes() throws Exception {
        Path tud = TestModels.dataDir("tud/TUD-Stadtmitte");
        String bs = broker.bootstrapServers();
        assertThat(run("import", "--format", "mot", tud.toString(), "--frames", "1-10", "--bootstrap-servers", bs)).isZero();
        // re-importing the same frames overwrites (stable ids), it does not duplicate
        assertThat(run("import", "--format", "mot", tud.toString(), "--frames", "1-10", "--bootstrap-servers", bs)).isZero();
        try (KafkaProducer<String, byte[]> p = broker.clients().producer("it")) {
            p.send(new ProducerRecord<>(Topics.LABELS, "someone/else/1",
                    "{\"image\":\"bm90IGFuIGltYWdl\",\"boxes\":[]}".getBytes(StandardCharsets.UTF_8))).get();
        }

        Path coco = tmp.resolve("coco.json");
        assertThat(run("export", "--out", coco.toString(), "--images", tmp.resolve("img").toString(),
                "--bootstrap-servers", bs)).isZero();
        JsonNode root = Json.MAPPER.readTree(coco.toFile());
        assertThat(root.get("images")).hasSize(10);
        assertThat(root.get("images").get(0).get("lookout_id").asText())
                .isEqualTo("tud-stadtmitte/TUD-Stadtmitte/000001");
        long gtBoxes = Files.readAllLines(tud.resolve("gt/gt.txt")).stream()
                .filter(l -> Integer.parseInt(l.split(",")[0]) <= 10).count();
        assertThat(root.get("annotations").size()).isEqualTo((int) gtBoxes);
        assertThat(root.get("categories").get(0).get("name").asText()).isEqualTo("person");
        assertThat(tmp.resolve("img/tud-stadtmitte/TUD-Stadtmitte/000001.jpg")).exists();

        assertThat(run("delete", "tud-stadtmitte/TUD-Stadtmitte/000001", "--bootstrap-servers", bs)).isZero();
        assertThat(run("export", "--out", coco.toString(), "--bootstrap-servers", bs)).isZero();
        assertThat(Json.MAPPER.readTree(coco.toFile()).get("images")).hasSize(9);
    }
}
