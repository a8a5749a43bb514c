package lookout.trainer;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import lookout.common.Json;
import lookout.control.ControlCommand;
import lookout.labels.LabelSet;

/**
 * The {@link RetrainPolicy}'s turn in the command loop: with no command waiting, at most once per
 * {@code check}, once the labels are read up to date, it names the next camera due (one at a time).
 * It learns each camera's last run from the outcome events (replayed at start, then each committed one).
 */
final class PolicyTrigger {
    private final RetrainPolicy policy;
    private final BooleanSupplier labelsCaughtUp;
    private final Supplier<LabelSet> labels;
    private long nextCheck;

    PolicyTrigger(RetrainPolicy policy, BooleanSupplier labelsCaughtUp, Supplier<LabelSet> labels) {
        this.policy = policy;
        this.labelsCaughtUp = labelsCaughtUp;
        this.labels = labels;
    }

    /** An event from {@code lookout.events}; anything that is not a run's outcome is ignored. */
    void learn(byte[] event) {
        try {
            policy.event(Json.MAPPER.readTree(event));
        } catch (java.io.IOException | RuntimeException e) {
            // not an event this trainer wrote; nothing to learn from it
        }
    }

    /** The run to start now, if any. */
    Optional<ControlCommand.Retrain> due(long now) {
        if (!policy.settings().enabled() || now < nextCheck || !labelsCaughtUp.getAsBoolean()) {
            return Optional.empty();
        }
        nextCheck = now + policy.settings().check().toMillis();
        return policy.due(labels.get(), now)
                .map(c -> new ControlCommand.Retrain("policy-" + c + "-" + now, null, null, c, null, null));
    }
}
