package lookout.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ControlParserTest {
    private static ControlCommand parse(String json) throws InvalidCommandException {
        return ControlParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldParseRetrainWithAllParameters() throws Exception {
        ControlCommand c = parse("{\"command\":\"retrain\",\"epochs\":2,\"lr\":0.005,\"camera\":\"tud-stadtmitte\","
                + "\"baseVersion\":\"1\",\"id\":\"req-7\"}");
        assertThat(c).isEqualTo(new ControlCommand.Retrain("req-7", 2, 0.005, "tud-stadtmitte", "1", null));
    }

    @Test
    void shouldLeaveOmittedRetrainParametersNullForDefaults() throws Exception {
        assertThat(parse("{\"command\":\"retrain\"}"))
                .isEqualTo(new ControlCommand.Retrain(null, null, null, null, null, null));
    }

    @Test
    void shouldParsePromoteRollbackReloadPrune() throws Exception {
        assertThat(parse("{\"command\":\"promote\",\"version\":\"3\"}")).isEqualTo(new ControlCommand.Promote(null, "3"));
        assertThat(parse("{\"command\":\"promote\",\"version\":3}")).isEqualTo(new ControlCommand.Promote(null, "3"));
        assertThat(parse("{\"command\":\"rollback\"}")).isEqualTo(new ControlCommand.Rollback(null, null));
        assertThat(parse("{\"command\":\"promote\",\"version\":\"3\",\"camera\":\"door\"}"))
                .isEqualTo(new ControlCommand.Promote(null, "3", "door"));
        assertThat(parse("{\"command\":\"rollback\",\"camera\":\"door\"}"))
                .isEqualTo(new ControlCommand.Rollback(null, null, "door"));
        assertThat(parse("{\"command\":\"reload\"}")).isEqualTo(new ControlCommand.Reload(null));
        assertThat(parse("{\"command\":\"prune\",\"keep\":3}")).isEqualTo(new ControlCommand.Prune(null, 3));
    }

    @Test
    void shouldAcceptWhoSentACommandOnAnyCommandAndRefuseANameThatIsNoName() throws Exception {
        byte[] reload = "{\"command\":\"reload\",\"by\":\"olga\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(ControlParser.parse(reload)).isEqualTo(new ControlCommand.Reload(null));
        assertThat(ControlParser.by(reload)).isEqualTo("olga");
        assertThat(ControlParser.by("{\"command\":\"reload\"}".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThatThrownBy(() -> parse("{\"command\":\"reload\",\"by\":7}")).hasMessageContaining("\"by\"");
        assertThatThrownBy(() -> parse("{\"command\":\"reload\",\"by\":\"\"}")).hasMessageContaining("\"by\"");
        assertThatThrownBy(() -> parse("{\"command\":\"reload\",\"by\":\"" + "x".repeat(129) + "\"}"))
                .hasMessageContaining("\"by\"");
    }

    @Test
    void shouldRefuseUnknownCommandKeepingItsId() {
        assertThatThrownBy(() -> parse("{\"command\":\"selfdestruct\",\"id\":\"x1\"}"))
                .isInstanceOfSatisfying(InvalidCommandException.class, e -> {
                    assertThat(e.id()).isEqualTo("x1");
                    assertThat(e.getMessage()).contains("unknown command \"selfdestruct\"");
                });
    }

    @Test
    void shouldRefuseMalformedInput() {
        for (String bad : new String[] {"", "{", "[]", "42", "{\"epochs\":2}", "{\"command\":7}"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(InvalidCommandException.class);
        }
    }

    @Test
    void shouldRefuseTyposAndOutOfRangeValues() {
        assertThatThrownBy(() -> parse("{\"command\":\"retrain\",\"epoch\":2}"))
                .hasMessageContaining("unknown field \"epoch\"");
        assertThatThrownBy(() -> parse("{\"command\":\"retrain\",\"epochs\":0}")).hasMessageContaining("epochs");
        assertThatThrownBy(() -> parse("{\"command\":\"retrain\",\"epochs\":1.5}")).hasMessageContaining("epochs");
        assertThatThrownBy(() -> parse("{\"command\":\"retrain\",\"lr\":-1}")).hasMessageContaining("lr");
        assertThatThrownBy(() -> parse("{\"command\":\"retrain\",\"lr\":\"fast\"}")).hasMessageContaining("lr");
        assertThatThrownBy(() -> parse("{\"command\":\"promote\"}")).hasMessageContaining("version");
    }

    @Test
    void shouldRefuseACommandLargerThanTheLimitWithoutParsingIt() {
        String huge = "{\"command\":\"retrain\",\"camera\":\"" + "c".repeat(5_000_000) + "\"}";
        assertThatThrownBy(() -> parse(huge)).isInstanceOf(InvalidCommandException.class)
                .hasMessageStartingWith("command is 50000").hasMessageEndingWith("bytes, limit 65536");
    }

    @Test
    void shouldRefuseACameraLongerThanACameraIdAndQuoteItShortly() {
        assertThatThrownBy(() -> parse("{\"command\":\"retrain\",\"camera\":\"" + "c".repeat(10_000) + "\",\"id\":\"r\"}"))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessage("\"camera\": camera id is 10000 bytes, limit 256")
                .extracting(e -> ((InvalidCommandException) e).id()).isEqualTo("r");
    }

    @Test
    void shouldRefuseVersionsThatAreNoVersionNames() {
        for (String v : new String[] {"\"../trav\"", "\"a/b\"", "\"\"", "[1]", "1.5e3", "{}"}) {
            assertThatThrownBy(() -> parse("{\"command\":\"promote\",\"version\":" + v + "}")).as(v)
                    .isInstanceOf(InvalidCommandException.class).hasMessageContaining("must be a version");
        }
    }

    @Test
    void shouldRefuseALongIdAndClipWhatItQuotes() {
        assertThatThrownBy(() -> parse("{\"command\":\"retrain\",\"id\":\"" + "i".repeat(200) + "\"}"))
                .hasMessageContaining("\"id\" must be a string of at most 128 characters");
        assertThatThrownBy(() -> parse("{\"command\":\"" + "x".repeat(10_000) + "\"}"))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
        assertThatThrownBy(() -> parse("[".repeat(30_000))).hasMessageStartingWith("not JSON");
    }

    @Test
    void shouldParseACountingLineAndItsRemoval() throws Exception {
        ControlCommand set = parse("{\"command\":\"counting-line\",\"camera\":\"door\",\"line\":[0,0.6,1,0.6],\"id\":\"l1\"}");
        assertThat(set).isInstanceOfSatisfying(ControlCommand.SetCountingLine.class, c -> {
            assertThat(c.id()).isEqualTo("l1");
            assertThat(c.camera()).isEqualTo("door");
            assertThat(c.line()).containsExactly(0, 0.6, 1, 0.6);
        });
        assertThat(parse("{\"command\":\"counting-line\",\"camera\":\"door\",\"line\":null}"))
                .isInstanceOfSatisfying(ControlCommand.SetCountingLine.class, c -> assertThat(c.line()).isNull());
    }

    @Test
    void shouldRefuseCountingLinesOutsideTheFrameOrWithoutACamera() {
        for (String bad : new String[] {"{\"command\":\"counting-line\",\"line\":[0,0.5,1,0.5]}",
                "{\"command\":\"counting-line\",\"camera\":\"door\"}",
                "{\"command\":\"counting-line\",\"camera\":\"door\",\"line\":[0,0.5,1]}",
                "{\"command\":\"counting-line\",\"camera\":\"door\",\"line\":[0,0.5,640,0.5]}",
                "{\"command\":\"counting-line\",\"camera\":\"door\",\"line\":[0.5,0.5,0.5,0.5]}",
                "{\"command\":\"counting-line\",\"camera\":\"door\",\"line\":\"0,0.5,1,0.5\"}"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(InvalidCommandException.class);
        }
    }
}
