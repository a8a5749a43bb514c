package lookout.retrain;

/**
 * Parameters of one fine-tuning run (a retrain command merged with configured defaults).
 *
 * @param epochs    passes over the training samples
 * @param lr        learning rate of the heads
 * @param batchSize images per step
 */
public record TrainingParams(int epochs, double lr, int batchSize) {
}
