package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;
import lookout.testing.PythonToolchain;

/**
 * The trainer hold-out ({@link HoldoutSplit}: which labelled frames the trainer's gate scores on and never
 * trains on) and its Python mirror ({@code datasets.in_trainer_holdout}, which adapt.py uses to train on what
 * the trainer would) put the same ids on the same side. (The toolchain's other rule, the pool hold-out
 * {@code datasets.in_pool_holdout}, is another rule with another job: model/README.md, "Two hold-outs".)
 */
class HoldoutParityTest {
    @TempDir
    Path tmp;

    @Test
    void givenSampleIdsWhenSplitByJavaAndPythonThenTheSameOnesAreHeldOut() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int f = 1; f <= 179; f++) { // as `labels import` names a MOT sequence's frames
            ids.add(String.format("tud-stadtmitte/TUD-Stadtmitte/%06d", f));
        }
        for (int i = 0; i < 300; i++) { // reviewed frames, odd characters
            ids.add("review/door/r-" + Integer.toHexString(i * 7919) + (i % 5 == 0 ? "/é☃" : ""));
        }
        Path file = tmp.resolve("ids.json");
        Files.write(file, Json.MAPPER.writeValueAsBytes(ids));
        for (double fraction : new double[] {0.2, 0.5}) {
            HoldoutSplit java = new HoldoutSplit(fraction);
            JsonNode python = PythonToolchain.run("parity", "trainer-holdout", Double.toString(fraction), file.toString());
            assertThat(python.size()).isEqualTo(ids.size());
            int held = 0;
            for (int i = 0; i < ids.size(); i++) {
                assertThat(python.get(i).asBoolean()).as("held out at %s: %s (Java %s)", fraction, ids.get(i),
                        java.isHoldout(ids.get(i))).isEqualTo(java.isHoldout(ids.get(i)));
                held += java.isHoldout(ids.get(i)) ? 1 : 0;
            }
            assertThat(held).as("held out at %s", fraction).isBetween((int) (ids.size() * fraction / 2),
                    (int) (ids.size() * fraction * 1.5));
        }
    }
}
