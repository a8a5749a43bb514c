package lookout.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.bench.Answers.Answer;
import lookout.broker.EmbeddedBroker;
import lookout.common.Json;
import lookout.config.DetectorSettings;
import lookout.config.KafkaSettings;
import lookout.config.LookoutConfig;
import lookout.demo.DemoCommand;
import lookout.frames.FrameDecoder;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import picocli.CommandLine;

/**
 * {@code lookout bench}: the numbers that say whether the service adds anything to the model and
 * whether it stays current under overload, measured in one run on an embedded broker: the raw
 * model (Java and Python), a plain Python Kafka consumer with the same model, the detector
 * ({@code ./lookout serve}, its own process) at saturation with 1 and N cameras (in rounds, each
 * against the raw model timed around it, with where the cores went), end-to-end latency
 * at fractions of saturation, the fair share of cameras when one sends 5x the others, the
 * detector's resident memory over a soak, and Java vs Python fine-tuning steps. Prints one table
 * and writes {@code report.json} and PNG plots.
 */
@CommandLine.Command(name = "bench", mixinStandardHelpOptions = true,
        description = "End-to-end benchmark on an embedded broker: one table, report.json and PNG plots.")
public class BenchCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--model", description = "model artifact dir (default lookout.model.dir)")
    Path model;
    @CommandLine.Option(names = "--video", defaultValue = DemoCommand.DEFAULT_VIDEO, description = "video the cameras send (default ${DEFAULT-VALUE})")
    String video;
    @CommandLine.Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "soak at twice saturation: detector RSS and latency over this long (e.g. 10m; default ${DEFAULT-VALUE})")
    Duration duration;
    @CommandLine.Option(names = "--window", defaultValue = "20s", converter = DurationConverter.class,
            description = "measuring window of each load step (default ${DEFAULT-VALUE})")
    Duration window;
    @CommandLine.Option(names = "--warm-up", defaultValue = "30s", converter = DurationConverter.class,
            description = "unmeasured load before the first step, so both JVMs have compiled the hot path "
                    + "(default ${DEFAULT-VALUE}; the JIT took a tenth of the CPU for the first minute)")
    Duration warmUp;
    @CommandLine.Option(names = "--cameras", defaultValue = "4", description = "cameras for saturation and fairness (default ${DEFAULT-VALUE})")
    int cameras;
    @CommandLine.Option(names = "--loads", defaultValue = "0.5,1,2", split = ",",
            description = "load steps as fractions of saturation, one camera (default ${DEFAULT-VALUE})")
    List<Double> loads;
    @CommandLine.Option(names = "--frames", defaultValue = "40", description = "distinct video frames used (default ${DEFAULT-VALUE})")
    int frameCount;
    @CommandLine.Option(names = "--fine-tune-steps", defaultValue = "5", description = "timed training steps per side (default ${DEFAULT-VALUE})")
    int fineTuneSteps;
    @CommandLine.Option(names = "--no-python", description = "skip the Python comparisons")
    boolean noPython;
    @CommandLine.Option(names = "--out", defaultValue = "build/bench", description = "report and plots go here (default ${DEFAULT-VALUE})")
    Path out;

    private static final Duration WARM = Duration.ofSeconds(5);
    /** Offered load of the saturation steps, relative to the raw model's rate. */
    private static final double SATURATING = 1.25;
    /** Saturation rounds per camera count, each between two raw-model timings. */
    private static final int SATURATION_ROUNDS = 3;
    /** The Python consumer's input (python_compare.py's default --topic). */
    private static final String PYTHON_FRAMES = "bench.python.frames";
    /** lookout.python: what runs bench/python_compare.py and bench/plot.py. */
    private String interpreter;
    private final Map<String, Object> report = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        LookoutConfig config = LookoutConfig.current();
        interpreter = config.python();
        DetectorSettings detector = config.detector();
        Path home = Path.of(System.getenv().getOrDefault("LOOKOUT_HOME", ".")).toAbsolutePath();
        Path modelDir = (model != null ? model : detector.modelDir()).toAbsolutePath();
        Path outDir = home.resolve(out);
        Files.createDirectories(outDir);
        String device = detector.devices().split(",")[0].trim();
        int threads = Runtime.getRuntime().availableProcessors();
        report.put("model", modelDir.toString());
        report.put("device", device);
        report.put("cpus", threads);
        report.put("batchMaxSize", detector.batchMaxSize());
        report.put("scheduling", detector.scheduling().key());
        report.put("loadAverageAtStart", loadAverage());

        List<byte[]> frames = BenchFrames.read(video, frameCount);
        BenchFrames.write(frames, outDir.resolve("frames"));
        FrameDecoder decoder = new FrameDecoder(config.frameLimits());
        say("%d frames of %s; model %s on %s, %d CPUs", frames.size(), video, modelDir, device, threads);

        RawModelBench.Result raw = RawModelBench.run(modelDir, device, frames, decoder, detector.batchMaxSize(), 3 * frames.size() / 2);
        report.put("rawJava", raw);
        say("raw model, Java: %.2f frames/s at batch 1 (%.0f ms/frame), %.2f at batch %d", raw.batch1Fps(),
                raw.batch1MsPerFrame(), raw.batchFps(), raw.batch());
        // a bare name (python3) is looked up on PATH when started; a path must be there
        boolean python = !noPython && (!interpreter.contains("/") || Files.isExecutable(Path.of(interpreter)));
        if (python) {
            report.put("rawPython", python(home, "raw", modelDir, outDir, threads, List.of("--count", String.valueOf(frames.size()))));
        }
        double javaStep = FineTuneBench.msPerStep(modelDir, config.targetClass(), frames, decoder, 2, fineTuneSteps,
                outDir.resolve("finetune"));
        report.put("fineTuneJavaMsPerStep", javaStep);
        say("fine-tuning, Java: %.0f ms per step (batch 2)", javaStep);
        if (python) {
            report.put("fineTunePython", python(home, "finetune", modelDir, outDir, threads,
                    List.of("--batch", "2", "--steps", String.valueOf(fineTuneSteps), "--label", config.targetClass())));
        }

        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            KafkaSettings kafka = config.kafka().withBootstrapServers(broker.bootstrapServers());
            KafkaClients clients = new KafkaClients(kafka);
            TopicAdmin.ensure(kafka, Topics.DETECTOR);
            TopicAdmin.ensure(kafka, List.of(PYTHON_FRAMES, "bench.python.detections"));
            try (Producer<String, byte[]> producer = clients.producer("bench-cameras")) {
                producer.partitionsFor(Topics.FRAMES);
                if (python) {
                    report.put("pythonConsumer", pythonConsumer(home, modelDir, outDir, threads, broker, producer, frames));
                }
                Map<String, String> env = new LinkedHashMap<>();
                env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
                env.put("LOOKOUT_MODEL_DIR", modelDir.toString());
                env.put("LOOKOUT_APPLICATION_ID", "lookout-bench");
                env.put("LOOKOUT_MODELS_WATCH", "false");
                // its own Streams state (the process id pin), apart from any detector or demo on this host
                env.put("LOOKOUT_STATE_DIR", outDir.resolve("streams-state").toAbsolutePath().toString());
                say("starting the detector (./lookout serve, log %s)", outDir.resolve("serve.log"));
                try (ServiceProcess service = ServiceProcess.start(home, env, EmbeddedBroker.freePort(),
                        outDir.resolve("serve.log"), Duration.ofMinutes(5));
                        Answers answers = new Answers(clients)) {
                    Callable<RawModelBench.Result> rawNow = () -> RawModelBench.run(modelDir, device, frames, decoder,
                            detector.batchMaxSize(), frames.size() / 2);
                    runService(service, answers, new Cameras(producer, frames), raw, rawNow, kafka.topics().partitions());
                }
            }
        }
        report.put("loadAverageAtEnd", loadAverage());
        Path json = outDir.resolve("report.json");
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
        printTable();
        plot(home, json, outDir);
        System.out.println("bench: report " + json);
        return 0;
    }

    private void runService(ServiceProcess service, Answers answers, Cameras cams, RawModelBench.Result raw,
            Callable<RawModelBench.Result> rawNow,
            int partitions) throws Exception {
        if (!warmUp.isZero()) {
            say("warm-up: %d s at twice the raw rate, 2 cameras, not measured", warmUp.toSeconds());
            Map<String, Long> sent = cams.send(Map.of("warm-0", raw.batch1Fps(), "warm-1", raw.batch1Fps()),
                    warmUp.toMillis() / 1000.0);
            answers.await(c -> c.startsWith("warm-"), sent.values().stream().mapToLong(Long::longValue).sum(),
                    Duration.ofSeconds(60));
        }
        // saturation: a little more than the model can do, the analysed frames per second (far more would
        // measure the cost of answering superseded frames too)
        // The CPU's speed drifts by a third within minutes on a shared host, so saturation is measured in
        // rounds, each between two timings of the raw model (the service idle), and the median round's
        // ratio is reported: a ratio measured across a drift says more about the drift than the service.
        List<RawModelBench.Result> rawTimings = new ArrayList<>();
        rawTimings.add(rawNow.call());
        Map<String, Object> sat1 = saturation(service, answers, cams, 1, SATURATING * raw.batch1Fps(), rawNow, rawTimings,
                RawModelBench.Result::batch1Fps);
        Map<String, Object> satN = saturation(service, answers, cams, cameras, SATURATING * raw.bestFps(), rawNow,
                rawTimings, RawModelBench.Result::bestFps);
        double s1 = (double) sat1.get("analysedFps");
        double sN = (double) satN.get("analysedFps");
        report.put("saturation1", sat1);
        report.put("saturationN", satN);
        report.put("serviceOverRaw1", s1 / raw.batch1Fps());
        report.put("serviceOverRawN", sN / raw.bestFps());
        report.put("rawAroundSteps", rawTimings);
        report.put("serviceOverRawAround1", sat1.get("serviceOverRawAround"));
        report.put("serviceOverRawAroundN", satN.get("serviceOverRawAround"));
        List<Map<String, Object>> latency = new ArrayList<>();
        for (double load : loads) {
            Map<String, Object> r = step(service, answers, cams, "load" + Math.round(100 * load) + "-", 1, load * s1, null);
            r.put("load", load);
            latency.add(r);
        }
        report.put("latency", latency);
        report.put("inferenceMsPerFrame", raw.batch1MsPerFrame());
        // fairness: one camera sends 5x the others, all together twice what the model does
        double unit = 2 * sN / (cameras + 4);
        Map<String, Double> rates = new LinkedHashMap<>();
        for (int i = 0; i < cameras; i++) {
            rates.put("fair-" + i, i == 0 ? 5 * unit : unit);
        }
        Map<String, Object> fair = step(service, answers, cams, "fair-", cameras, 0, rates);
        fair.put("partitions", partitionsOf(rates.keySet(), partitions));
        fair.put("fairShare", fairShares(rates, fair));
        report.put("fairness", fair);
        // the soak is saturated too (twice saturation, one camera): its rate against the raw model around it
        RawModelBench.Result beforeSoak = rawNow.call();
        Map<String, Object> soak = soak(service, answers, cams, 2 * s1);
        RawModelBench.Result afterSoak = rawNow.call();
        againstRawAround(soak, beforeSoak.batch1Fps(), afterSoak.batch1Fps());
        report.put("soak", soak);
    }

    /**
     * Saturation with {@code n} cameras in {@link #SATURATION_ROUNDS} rounds, each compared with the raw
     * model timed right before and after it ({@code rawTimings} holds the timing before the first
     * round and gets one more per round). Returns the round with the median ratio, with every
     * round's rate, raw rates and ratio under "rounds".
     */
    private Map<String, Object> saturation(ServiceProcess service, Answers answers, Cameras cams, int n, double fps,
            Callable<RawModelBench.Result> rawNow, List<RawModelBench.Result> rawTimings,
            ToDoubleFunction<RawModelBench.Result> rawFps) throws Exception {
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (int round = 1; round <= SATURATION_ROUNDS; round++) {
            RawModelBench.Result before = rawTimings.get(rawTimings.size() - 1);
            Map<String, Object> step = step(service, answers, cams, "sat" + n + "r" + round + "-", n, fps, null);
            CpuUse.Snapshot rawFrom = CpuUse.now(service.pid());
            RawModelBench.Result after = rawNow.call();
            Map<String, Object> rawCpu = CpuUse.between(rawFrom, CpuUse.now(service.pid()));
            rawTimings.add(after);
            againstRawAround(step, rawFps.applyAsDouble(before), rawFps.applyAsDouble(after));
            say("  round %d: raw model before/after %.2f/%.2f frames/s, service/raw %.2f; cores while timing the raw model: "
                    + "bench %.2f, detector %.2f, other %.2f", round, rawFps.applyAsDouble(before),
                    rawFps.applyAsDouble(after), step.get("serviceOverRawAround"), rawCpu.get("brokerAndLoadCores"),
                    rawCpu.get("serviceCores"), rawCpu.get("otherCores"));
            rounds.add(step);
        }
        List<Map<String, Object>> byRatio = new ArrayList<>(rounds);
        byRatio.sort(Comparator.comparingDouble(r -> (double) r.get("serviceOverRawAround")));
        Map<String, Object> median = new LinkedHashMap<>(byRatio.get(byRatio.size() / 2));
        List<Map<String, Object>> summary = new ArrayList<>();
        for (Map<String, Object> r : rounds) {
            summary.add(Map.of("analysedFps", r.get("analysedFps"), "rawAroundFps", r.get("rawAroundFps"),
                    "serviceOverRawAround", r.get("serviceOverRawAround")));
        }
        median.put("rounds", summary);
        return median;
    }

    /** A saturated step's analysed rate against the raw model's, timed right before and after it. */
    private static void againstRawAround(Map<String, Object> step, double rawBefore, double rawAfter) {
        step.put("rawAroundFps", List.of(rawBefore, rawAfter));
        step.put("serviceOverRawAround", (double) step.get("analysedFps") / ((rawBefore + rawAfter) / 2));
    }

    /** One load step: send for WARM + window, read the answers, and summarise the window. */
    private Map<String, Object> step(ServiceProcess service, Answers answers, Cameras cams, String prefix, int n,
            double totalFps, Map<String, Double> rates) throws InterruptedException {
        Map<String, Double> fps = rates;
        if (fps == null) {
            fps = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                fps.put(prefix + i, totalFps / n);
            }
        }
        double offered = fps.values().stream().mapToDouble(Double::doubleValue).sum();
        say("%s: %d camera(s), %.1f frames/s offered, %d s", prefix.replaceAll("-$", ""), fps.size(), offered,
                WARM.plus(window).toSeconds());
        long start = System.currentTimeMillis();
        CpuUse.Snapshot cpuFrom = CpuUse.now(service.pid());
        Map<String, Long> sent = cams.send(fps, WARM.plus(window).toMillis() / 1000.0);
        Map<String, Object> cpu = CpuUse.between(cpuFrom, CpuUse.now(service.pid()));
        long sentTotal = sent.values().stream().mapToLong(Long::longValue).sum();
        Predicate<String> mine = c -> c.startsWith(prefix);
        List<Answer> all = answers.await(mine, sentTotal, Duration.ofSeconds(60));
        long from = start + WARM.toMillis();
        long to = start + WARM.plus(window).toMillis();
        List<Answer> inWindow = all.stream().filter(a -> a.captureTs() >= from && a.captureTs() < to).toList();
        Map<String, Object> r = summary(inWindow, (to - from) / 1000.0);
        r.put("camerasN", fps.size());
        r.put("offeredFps", offered);
        r.put("sent", sentTotal);
        r.put("answered", all.size());
        r.put("cpu", cpu);
        Map<String, Double> perCamera = new LinkedHashMap<>();
        for (String camera : fps.keySet()) {
            perCamera.put(camera, inWindow.stream().filter(a -> a.camera().equals(camera) && a.analysed()).count()
                    / ((to - from) / 1000.0));
        }
        r.put("analysedFpsPerCamera", perCamera);
        say("  analysed %.2f frames/s, latency p50 %.0f p99 %.0f ms, %s; inference p50 %.0f ms, model busy %.0f%%;"
                + " cores used: detector %.2f, broker + cameras %.2f, other %.2f",
                r.get("analysedFps"), r.get("p50Ms"), r.get("p99Ms"), r.get("outcomes"), r.get("inferenceP50Ms"),
                100 * (double) r.get("modelBusy"), cpu.get("serviceCores"), cpu.get("brokerAndLoadCores"), cpu.get("otherCores"));
        return r;
    }

    private static Map<String, Object> summary(List<Answer> answers, double seconds) {
        List<Long> latency = answers.stream().filter(Answer::analysed).map(Answer::latencyMs).toList();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("analysedFps", latency.size() / seconds);
        r.put("outcomes", Answers.outcomes(answers));
        r.put("p50Ms", Stats.percentile(latency, 0.5));
        r.put("p90Ms", Stats.percentile(latency, 0.9));
        r.put("p99Ms", Stats.percentile(latency, 0.99));
        r.put("maxMs", Stats.percentile(latency, 1.0));
        // inside the detector: time per inference, and the share of the window the model ran (a model
        // idle between frames shows as busy < 1; one slowed by other work on the CPU, as ms above raw)
        List<Double> inference = answers.stream().filter(Answer::analysed).map(Answer::inferenceMs).toList();
        r.put("inferenceP50Ms", Stats.percentile(inference, 0.5));
        r.put("modelBusy", answers.stream().filter(Answer::analysed).mapToDouble(a -> a.inferenceMs() / a.batchSize())
                .sum() / (1000.0 * seconds));
        return r;
    }

    /** Each camera's analysed rate over its max-min fair share of what was analysed in all. */
    private static Map<String, Double> fairShares(Map<String, Double> demand, Map<String, Object> step) {
        @SuppressWarnings("unchecked")
        Map<String, Double> got = (Map<String, Double>) step.get("analysedFpsPerCamera");
        double capacity = got.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> share = new LinkedHashMap<>();
        List<String> open = new ArrayList<>(demand.keySet());
        double left = capacity;
        while (!open.isEmpty()) { // water-filling: cameras asking for less than an equal split get what they ask
            double level = left / open.size();
            List<String> satisfied = open.stream().filter(c -> demand.get(c) <= level).toList();
            if (satisfied.isEmpty()) {
                open.forEach(c -> share.put(c, level));
                break;
            }
            for (String c : satisfied) {
                share.put(c, demand.get(c));
                left -= demand.get(c);
            }
            open.removeAll(satisfied);
        }
        Map<String, Double> ratio = new LinkedHashMap<>();
        demand.keySet().forEach(c -> ratio.put(c, share.get(c) > 0 ? got.get(c) / share.get(c) : 1.0));
        return ratio;
    }

    private static Map<String, Integer> partitionsOf(Iterable<String> cameras, int partitions) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String c : cameras) {
            out.put(c, Utils.toPositive(Utils.murmur2(c.getBytes(StandardCharsets.UTF_8))) % partitions);
        }
        return out;
    }

    /** One camera at twice saturation for --duration: detector RSS every 5 s, latency per sixth of the run. */
    private Map<String, Object> soak(ServiceProcess service, Answers answers, Cameras cams, double fps)
            throws Exception {
        say("soak: 1 camera, %.1f frames/s, %d s", fps, duration.toSeconds());
        List<long[]> rss = new ArrayList<>();
        long start = System.currentTimeMillis();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                rss.add(new long[] {System.currentTimeMillis() - start, service.residentBytes()});
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-rss");
        sampler.setDaemon(true);
        sampler.start();
        cams.send(Map.of("soak-0", fps), duration.toMillis() / 1000.0);
        sampler.interrupt();
        sampler.join();
        List<Answer> all = answers.await(c -> c.equals("soak-0"), 1, Duration.ofSeconds(30));
        Thread.sleep(3000);
        all = answers.of(c -> c.equals("soak-0"));
        Map<String, Object> r = summary(all, duration.toMillis() / 1000.0);
        List<Map<String, Object>> slices = new ArrayList<>();
        long slice = Math.max(1000, duration.toMillis() / 6);
        for (long t = 0; t < duration.toMillis(); t += slice) {
            long a = start + t;
            long b = a + slice;
            List<Answer> in = all.stream().filter(x -> x.captureTs() >= a && x.captureTs() < b).toList();
            Map<String, Object> s = summary(in, slice / 1000.0);
            s.put("fromS", t / 1000);
            slices.add(s);
        }
        r.put("offeredFps", fps);
        r.put("slices", slices);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (long[] s : rss) {
            samples.add(Map.of("s", s[0] / 1000.0, "rssMb", s[1] / 1048576.0));
        }
        r.put("rss", samples);
        r.put("rssMaxMb", rss.stream().mapToLong(s -> s[1]).max().orElse(-1) / 1048576.0);
        r.put("rssFirstMb", rss.isEmpty() ? -1 : rss.get(0)[1] / 1048576.0);
        r.put("rssLastMb", rss.isEmpty() ? -1 : rss.get(rss.size() - 1)[1] / 1048576.0);
        say("  detector RSS %.0f -> %.0f MB (max %.0f), latency p99 %.0f ms", r.get("rssFirstMb"), r.get("rssLastMb"),
                r.get("rssMaxMb"), r.get("p99Ms"));
        return r;
    }

    private Map<String, Object> pythonConsumer(Path home, Path modelDir, Path outDir, int threads, EmbeddedBroker broker,
            Producer<String, byte[]> producer, List<byte[]> frames) throws Exception {
        int count = 3 * frames.size() / 2;
        for (int i = 0; i < count; i++) { // a backlog: the consumer runs as fast as the model lets it
            producer.send(new ProducerRecord<>(PYTHON_FRAMES, "py-" + (i % cameras), frames.get(i % frames.size())));
        }
        producer.flush();
        return python(home, "consume", modelDir, outDir, threads, List.of("--bootstrap", broker.bootstrapServers(),
                "--count", String.valueOf(count)));
    }

    /** Runs bench/python_compare.py MODE and returns the JSON object on its last line. */
    private Map<String, Object> python(Path home, String mode, Path modelDir, Path outDir, int threads, List<String> extra)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(interpreter, home.resolve("bench/python_compare.py").toString(),
                mode, "--model", modelDir.toString(), "--frames", outDir.resolve("frames").toString(),
                "--threads", String.valueOf(threads)));
        cmd.addAll(extra);
        say("python %s (bench/python_compare.py)", mode);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        String[] lines = output.strip().split("\n");
        String last = lines[lines.length - 1];
        if (rc != 0 || !last.startsWith("{")) {
            Map<String, Object> failed = new LinkedHashMap<>();
            failed.put("error", "python " + mode + " exited " + rc + ": " + last);
            say("  %s", failed.get("error"));
            return failed;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> r = Json.MAPPER.readValue(last, Map.class);
        say("  %s", last);
        return r;
    }

    private void plot(Path home, Path json, Path outDir) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(interpreter, home.resolve("bench/plot.py").toString(), json.toString(),
                    outDir.toString()).inheritIO().start();
            if (p.waitFor() != 0) {
                say("plots not drawn (bench/plot.py failed: is python3-matplotlib installed? scripts/setup.sh)");
            }
        } catch (IOException e) {
            say("plots not drawn: %s", e.getMessage());
        }
    }

    private void printTable() {
        JsonNode r = Json.MAPPER.valueToTree(report);
        double inference = r.path("inferenceMsPerFrame").asDouble();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"raw model, Java (DJL), batch 1 / batch " + r.path("rawJava").path("batch").asInt(),
                f("%.2f / %.2f frames/s (%.0f ms/frame)", r.path("rawJava").path("batch1Fps").asDouble(),
                        r.path("rawJava").path("batchFps").asDouble(), inference)});
        if (r.has("rawPython")) {
            rows.add(new String[] {"raw model, Python (TorchScript), batch 1", f("%.2f frames/s", r.path("rawPython").path("fps").asDouble())});
        }
        if (r.has("pythonConsumer")) {
            rows.add(new String[] {"Python confluent-kafka consumer, one frame at a time",
                    f("%.2f frames/s", r.path("pythonConsumer").path("fps").asDouble())});
        }
        rows.add(saturationRow("service at saturation, 1 camera", r.path("saturation1"), r.path("serviceOverRaw1").asDouble()));
        rows.add(saturationRow("service at saturation, " + cameras + " cameras", r.path("saturationN"),
                r.path("serviceOverRawN").asDouble()));
        for (JsonNode l : r.path("latency")) {
            rows.add(new String[] {f("end-to-end latency at %.0f%% of saturation (1 camera)", 100 * l.path("load").asDouble()),
                    f("p50 %.0f, p90 %.0f, p99 %.0f ms = %.1fx raw inference (%.1fx the step's own inference p50, %.0f ms); %s",
                            l.path("p50Ms").asDouble(), l.path("p90Ms").asDouble(), l.path("p99Ms").asDouble(),
                            l.path("p99Ms").asDouble() / inference, l.path("p99Ms").asDouble() / l.path("inferenceP50Ms").asDouble(),
                            l.path("inferenceP50Ms").asDouble(), l.path("outcomes"))});
        }
        JsonNode fair = r.path("fairness");
        double worst = 1e9;
        for (JsonNode v : fair.path("fairShare")) {
            worst = Math.min(worst, v.asDouble());
        }
        rows.add(new String[] {cameras + " cameras, one sending 5x (partitions " + fair.path("partitions") + ")",
                f("analysed/s %s; worst camera %.0f%% of its fair share", rates(fair.path("analysedFpsPerCamera")), 100 * worst)});
        JsonNode soak = r.path("soak");
        double sliceMin = 1e9;
        double sliceMax = 0;
        for (JsonNode slice : soak.path("slices")) {
            double x = slice.path("p99Ms").asDouble() / slice.path("inferenceP50Ms").asDouble();
            if (Double.isNaN(x)) { // a slice with nothing analysed (a short run's last)
                continue;
            }
            sliceMin = Math.min(sliceMin, x);
            sliceMax = Math.max(sliceMax, x);
        }
        rows.add(new String[] {f("soak, 2x saturation, 1 camera, %d s", duration.toSeconds()),
                f("detector RSS %.0f MB -> %.0f MB (max %.0f); latency p99 %.0f ms = %.1fx the inference p50 (each sixth "
                        + "of the run %.1f-%.1fx); %.2f analysed frames/s = service/raw %.2f against the raw model timed "
                        + "before and after", soak.path("rssFirstMb").asDouble(), soak.path("rssLastMb").asDouble(),
                        soak.path("rssMaxMb").asDouble(), soak.path("p99Ms").asDouble(),
                        soak.path("p99Ms").asDouble() / soak.path("inferenceP50Ms").asDouble(), sliceMin, sliceMax,
                        soak.path("analysedFps").asDouble(), soak.path("serviceOverRawAround").asDouble())});
        rows.add(new String[] {"fine-tuning step, batch 2: Java / Python", f("%.0f / %s ms", r.path("fineTuneJavaMsPerStep").asDouble(),
                r.has("fineTunePython") ? f("%.0f", r.path("fineTunePython").path("msPerStep").asDouble()) : "-")});
        rows.add(new String[] {"load average, start / end", r.path("loadAverageAtStart").asText() + " / " + r.path("loadAverageAtEnd").asText()});
        int width = rows.stream().mapToInt(x -> x[0].length()).max().orElse(10);
        System.out.println();
        System.out.printf("| %-" + width + "s | %s |%n", "what", "result");
        System.out.printf("|%s|---|%n", "-".repeat(width + 2));
        for (String[] row : rows) {
            System.out.printf("| %-" + width + "s | %s |%n", row[0], row[1]);
        }
        System.out.println();
    }

    /** The median saturation round, every round's ratio against the raw model timed around it, and the CPU split. */
    private static String[] saturationRow(String what, JsonNode sat, double againstStart) {
        List<String> rounds = new ArrayList<>();
        sat.path("rounds").forEach(x -> rounds.add(f("%.2f", x.path("serviceOverRawAround").asDouble())));
        return new String[] {what, f("%.2f frames/s: service/raw %.2f against the raw model timed right before and after "
                + "(median of %d rounds: %s), %.2f against the start; model busy %.0f%%; %s", sat.path("analysedFps").asDouble(),
                sat.path("serviceOverRawAround").asDouble(), rounds.size(), String.join(" / ", rounds), againstStart,
                100 * sat.path("modelBusy").asDouble(), cores(sat))};
    }

    /** A step's CPU use: what the broker and the load took from the cores the raw model had to itself. */
    private static String cores(JsonNode step) {
        JsonNode cpu = step.path("cpu");
        return f("cores used: detector %.2f, broker + cameras %.2f, other %.2f of %d", cpu.path("serviceCores").asDouble(),
                cpu.path("brokerAndLoadCores").asDouble(), cpu.path("otherCores").asDouble(), cpu.path("cpus").asInt());
    }

    private static String rates(JsonNode perCamera) {
        List<String> parts = new ArrayList<>();
        perCamera.fields().forEachRemaining(e -> parts.add(e.getKey() + " " + f("%.2f", e.getValue().asDouble())));
        return String.join(", ", parts);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void say(String format, Object... args) {
        System.out.println("bench: " + f(format, args));
        System.out.flush();
    }

    /** "90s", "10m", "1h", "500ms" or plain seconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(v));
        }
    }
}
