package lookout.eval;

import lookout.dataset.Box;

/** A detection for evaluation: a box and its confidence. */
public record ScoredBox(Box box, float score) {
}
