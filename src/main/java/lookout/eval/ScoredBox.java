package lookout.eval;

/** A detection for evaluation: a box and its confidence. */
public record ScoredBox(Box box, float score) {
}
