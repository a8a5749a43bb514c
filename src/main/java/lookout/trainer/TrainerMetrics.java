package lookout.trainer;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.core.type.TypeReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import lookout.common.Json;
import lookout.events.EventSink;
import lookout.events.Events;
import lookout.labels.LabelSample;
import lookout.labels.LabelSet;

/**
 * The trainer's meters, taken from the events it emits, so the dashboard and {@code lookout.events}
 * tell the same story (Prometheus names in brackets): retrains by outcome
 * [lookout_trainer_runs_total{outcome=published|rejected|failed}], whether one runs
 * [lookout_trainer_running], the last epoch's losses [lookout_trainer_loss{loss}], epochs done
 * [lookout_trainer_epochs_total], the last holdout comparison [lookout_trainer_holdout_ap50{model=candidate|current}],
 * each version's holdout AP50 as last measured (the serving one when compared, a candidate when
 * published) [lookout_model_holdout_ap50{version}] and the labelled samples per camera [lookout_labels{camera}].
 */
final class TrainerMetrics implements EventSink {
    private final EventSink delegate;
    private final MeterRegistry registry;
    private final AtomicLong running = new AtomicLong();
    private final Map<String, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> labels = new ConcurrentHashMap<>();

    TrainerMetrics(EventSink delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
        Gauge.builder("lookout.trainer.running", running, AtomicLong::get).description("1 while a retrain runs")
                .register(registry);
        // from 0, so the first run of each outcome shows in increase() (a counter born at 1 would not)
        for (String outcome : new String[] {Events.PUBLISHED, Events.REJECTED, Events.FAILED}) {
            runs(outcome);
        }
        epochs();
    }

    private Counter runs(String outcome) {
        return Counter.builder("lookout.trainer.runs").description("retrains by outcome").tag("outcome", outcome)
                .register(registry);
    }

    private Counter epochs() {
        return Counter.builder("lookout.trainer.epochs").description("training epochs done").register(registry);
    }

    @Override
    public void emit(String type, Map<String, ?> details) {
        delegate.emit(type, details);
        observe(type, details);
    }

    /**
     * An event the trainer wrote in a command's outcome transaction (published, rejected, failed...),
     * told once that transaction committed: its JSON as on {@code lookout.events}.
     */
    void committed(byte[] event) {
        Map<String, Object> details;
        try {
            details = Json.MAPPER.readValue(event, new TypeReference<Map<String, Object>>() {
            });
        } catch (IOException e) {
            return; // written by this trainer, so always JSON; nothing to chart otherwise
        }
        if (details.get("type") instanceof String type) {
            observe(type, details);
        }
    }

    private void observe(String type, Map<String, ?> details) {
        switch (type) {
            case Events.TRAINING_STARTED -> running.set(1);
            case Events.EPOCH -> {
                epochs().increment();
                set("lookout.trainer.loss", "loss", "total", details.get("loss"));
                if (details.get("losses") instanceof Map<?, ?> parts) {
                    parts.forEach((name, value) -> set("lookout.trainer.loss", "loss", String.valueOf(name), value));
                }
            }
            case Events.EVALUATED -> {
                set("lookout.trainer.holdout.ap50", "model", "candidate", ap50(details.get("candidate")));
                set("lookout.trainer.holdout.ap50", "model", "current", ap50(details.get("current")));
                if (details.get("currentVersion") != null) {
                    set("lookout.model.holdout.ap50", "version", String.valueOf(details.get("currentVersion")),
                            ap50(details.get("current")));
                }
            }
            case Events.PUBLISHED, Events.REJECTED, Events.FAILED -> {
                // the registry seeding its first version is a publish but not a run
                if (!(Events.PUBLISHED.equals(type) && details.get("candidateAp50") == null)) {
                    running.set(0);
                    runs(type).increment();
                }
                if (Events.PUBLISHED.equals(type) && details.get("version") != null) {
                    set("lookout.model.holdout.ap50", "version", String.valueOf(details.get("version")),
                            details.get("candidateAp50"));
                }
            }
            default -> {
                // other events carry nothing to chart
            }
        }
    }

    /** Recounts the labelled samples per camera (after the labels view applied new records). */
    void labels(LabelSet set) {
        Map<String, Long> counts = new TreeMap<>();
        for (LabelSample s : set.samples()) {
            counts.merge(s.camera() == null ? "none" : s.camera(), 1L, Long::sum);
        }
        labels.forEach((camera, v) -> v.set(counts.getOrDefault(camera, 0L)));
        counts.forEach((camera, n) -> labels.computeIfAbsent(camera, c -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("lookout.labels", v, AtomicLong::get).description("labelled samples in lookout.labels")
                    .tag("camera", c).register(registry);
            return v;
        }).set(n));
    }

    private void set(String name, String tag, String value, Object number) {
        if (!(number instanceof Number n)) {
            return;
        }
        gauges.computeIfAbsent(name + "|" + value, k -> {
            AtomicReference<Double> v = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, v, AtomicReference::get).tag(tag, value).register(registry);
            return v;
        }).set(n.doubleValue());
    }

    private static Object ap50(Object scores) {
        return scores instanceof Map<?, ?> m ? m.get("ap50") : null;
    }
}
