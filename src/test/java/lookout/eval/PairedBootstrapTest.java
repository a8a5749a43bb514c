package lookout.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.dataset.Box;

class PairedBootstrapTest {
    private static final Box PERSON = new Box(10, 10, 30, 60);
    private static final Box ELSEWHERE = new Box(100, 100, 120, 150);

    /** n images of one person each; the model finds the person on the images marked true, else a box elsewhere. */
    private static List<Evaluator.ImageMatches> model(boolean... finds) {
        Evaluator evaluator = new Evaluator();
        for (boolean found : finds) {
            evaluator.add(List.of(PERSON), List.of(new ScoredBox(found ? PERSON : ELSEWHERE, 0.9f)));
        }
        return evaluator.matches(0.5);
    }

    private static boolean[] firstOf(int n, int hits) {
        boolean[] out = new boolean[n];
        for (int i = 0; i < hits; i++) {
            out[i] = true;
        }
        return out;
    }

    @Test
    void twoModelsThatDetectTheSameAreAtOneHalf() {
        List<Evaluator.ImageMatches> a = model(true, false, true, true);

        assertThat(PairedBootstrap.confidence(a, a, 500, 1)).isEqualTo(0.5);
    }

    @Test
    void aModelThatWinsEveryImageIsSureAndTheLoserIsNot() {
        List<Evaluator.ImageMatches> better = model(firstOf(20, 20));
        List<Evaluator.ImageMatches> worse = model(firstOf(20, 0));

        assertThat(PairedBootstrap.confidence(better, worse, 500, 1)).isEqualTo(1.0);
        assertThat(PairedBootstrap.confidence(worse, better, 500, 1)).isEqualTo(0.0);
    }

    @Test
    void aGainOnOneOfTenImagesIsNotSureButTheSameShareOfSixtyIsSurer() {
        // the candidate finds one more person than the current model: 1 of 10 images, then 6 of 60
        double ofTen = PairedBootstrap.confidence(model(firstOf(10, 6)), model(firstOf(10, 5)), 1000, 7);
        double ofSixty = PairedBootstrap.confidence(model(firstOf(60, 36)), model(firstOf(60, 30)), 1000, 7);

        // the image is left out of 0.9^10 = 35% of the draws (ties, half each): 0.65 + 0.17
        assertThat(ofTen).isBetween(0.75, 0.89);
        assertThat(ofSixty).isGreaterThan(0.95);
    }

    @Test
    void theSameInputsGiveTheSameConfidence() {
        List<Evaluator.ImageMatches> a = model(true, false, true, false, true, true, false);
        List<Evaluator.ImageMatches> b = model(false, true, true, false, false, true, false);

        assertThat(PairedBootstrap.confidence(a, b, 300, 42)).isEqualTo(PairedBootstrap.confidence(a, b, 300, 42));
    }

    @Test
    void aModelThatAlsoFindsTheSecondPersonOnEveryImageWinsTheDrawsAsItWinsTheEvaluator() {
        Evaluator a = new Evaluator();
        Evaluator b = new Evaluator();
        List<Box> two = List.of(PERSON, ELSEWHERE);
        for (int i = 0; i < 30; i++) {
            a.add(two, List.of(new ScoredBox(PERSON, 0.9f), new ScoredBox(ELSEWHERE, i % 3 == 0 ? 0.2f : 0.8f)));
            b.add(two, List.of(new ScoredBox(PERSON, 0.9f), new ScoredBox(new Box(0, 0, 5, 5), 0.8f)));
        }
        assertThat(a.evaluate(0.5).ap50()).isGreaterThan(b.evaluate(0.5).ap50());

        assertThat(PairedBootstrap.confidence(a.matches(0.5), b.matches(0.5), 500, 3)).isGreaterThan(0.95);
    }

    @Test
    void refusesTwoModelsScoredOnDifferentImages() {
        assertThatThrownBy(() -> PairedBootstrap.confidence(model(true), model(true, false), 10, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same images");
    }

    @Test
    void isNotANumberWithoutImages() {
        assertThat(PairedBootstrap.confidence(new ArrayList<>(), new ArrayList<>(), 10, 1)).isNaN();
    }
}
