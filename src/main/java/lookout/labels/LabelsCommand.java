package lookout.labels;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import lookout.common.Json;
import lookout.common.SafePaths;
import lookout.config.LookoutConfig;
import lookout.dataset.DatasetOptions;
import lookout.dataset.FrameRange;
import lookout.frames.FrameDecoder;
import lookout.kafka.KafkaClients;
import lookout.kafka.KafkaOptions;
import lookout.kafka.TopicAdmin;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lookout labels import|export|delete|erase}: the labelled data set on {@code lookout.labels}. */
@Command(name = "labels", mixinStandardHelpOptions = true,
        description = "Manage the labelled frames on lookout.labels (the training set).",
        subcommands = {LabelsCommand.Import.class, LabelsCommand.Export.class, LabelsCommand.Delete.class,
            LabelsCommand.Erase.class})
public class LabelsCommand {

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Publish a labelled data set (MOT sequence, USC set or YOLO split) to lookout.labels.")
    public static class Import implements Callable<Integer> {
        @Mixin
        DatasetOptions data = new DatasetOptions();
        @Option(names = "--camera", description = "camera id (default: sequence name, or the format name)")
        String camera;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            LookoutConfig config = LookoutConfig.current();
            FrameRange range = data.range();
            String className = data.className();
            List<ImportedFrame> items = new DatasetImport(new FrameDecoder(config.frameLimits()))
                    .read(data.format, data.dir, camera, range, className);
            if (items.isEmpty()) {
                System.err.println("labels: nothing to import from " + data.dir + " (frames " + range + ")");
                return 1;
            }
            KafkaClients clients = kafka.clients();
            TopicAdmin.ensure(clients.settings(), Topics.LOOP);
            LabelCodec codec = LabelCodec.fromConfig(config);
            int boxes = 0;
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            Progress progress = new Progress("import", items.size(), System.err);
            try (KafkaProducer<String, byte[]> producer = clients.producer("lookout-labels-import")) {
                for (ImportedFrame f : items) {
                    List<String> labels = f.boxes().stream().map(b -> className).toList();
                    byte[] value = LabelCodec.encode(f.image(), f.boxes(), labels, f.camera(), f.source());
                    codec.parse(f.id(), value); // refuse locally what the trainer would refuse
                    sent.add(producer.send(new ProducerRecord<>(Topics.LABELS, f.id(), value)));
                    boxes += f.boxes().size();
                    progress.step();
                }
                producer.flush();
                for (Future<RecordMetadata> s : sent) {
                    s.get();
                }
            }
            progress.done();
            System.out.printf("imported %d frames, %d boxes to %s (ids %s .. %s)%n", items.size(), boxes,
                    Topics.LABELS, items.get(0).id(), items.get(items.size() - 1).id());
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the current labelled set as COCO JSON.")
    public static class Export implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "COCO JSON file to write")
        Path out;
        @Option(names = "--images", description = "also write the images into this folder")
        Path images;
        @Option(names = "--camera", description = "only this camera's samples")
        String camera;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            LookoutConfig config = LookoutConfig.current();
            LabelSet set = new LabelSet(LabelCodec.fromConfig(config));
            TopicFollower.snapshot(kafka.clients(), "lookout-labels-export", Topics.LABELS, Duration.ofMinutes(2),
                    set::apply);
            List<LabelSample> samples = set.samples(camera);
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            Json.pretty().writeValue(out.toFile(), CocoExport.toCoco(samples, List.of(config.targetClass())));
            if (images != null) {
                for (LabelSample s : samples) {
                    Path p = SafePaths.under(images, CocoExport.fileName(s)); // never outside --images
                    Files.createDirectories(p.getParent());
                    Files.write(p, s.image());
                }
            }
            System.out.printf("exported %d samples (%d rejected records skipped) to %s%n", samples.size(),
                    set.rejected().size(), out);
            set.rejected().forEach((id, why) -> System.err.println("  rejected " + id + ": " + why));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete samples (tombstones on lookout.labels).")
    public static class Delete implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "1..*", description = "sample ids")
        List<String> ids;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            try (KafkaProducer<String, byte[]> producer = kafka.clients().producer("lookout-labels-delete")) {
                for (String id : ids) {
                    producer.send(new ProducerRecord<>(Topics.LABELS, id, null)).get();
                }
            }
            System.out.printf("deleted %d samples%n", ids.size());
            return 0;
        }
    }

    @Command(name = "erase", mixinStandardHelpOptions = true,
            description = "Erase every labelled frame of a camera (optionally only those written before a time): reads "
                    + "lookout.labels to find them and writes a tombstone for each. Compaction then removes the images "
                    + "from the brokers' disks (lookout.topics.labels.*: docs/personal-data.md).")
    public static class Erase implements Callable<Integer> {
        @Option(names = "--camera", required = true, description = "camera id: samples whose \"camera\" is this id, "
                + "and samples without a camera whose id starts with <ID>/ (the importer's naming)")
        String camera;
        @Option(names = "--before", description = "only samples written before this time: ISO-8601 instant "
                + "(2026-12-01T00:00:00Z) or epoch milliseconds; default: all of them")
        String before;
        @Option(names = "--dry-run", description = "list what would be erased, write nothing")
        boolean dryRun;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() throws Exception {
            long cutoff = before == null ? Long.MAX_VALUE : LabelErasure.parseTime(before);
            KafkaClients clients = kafka.clients();
            LabelErasure erasure = new LabelErasure(camera, cutoff);
            long read = TopicFollower.snapshotRecords(clients, "lookout-labels-erase", Topics.LABELS, Duration.ofMinutes(5),
                    java.util.Map.of(), erasure::apply);
            List<String> ids = erasure.ids();
            if (ids.isEmpty()) {
                System.out.printf("no sample of camera %s%s among %d records of %s: nothing to erase%n", camera,
                        before == null ? "" : " written before " + before, read, Topics.LABELS);
                return 0;
            }
            if (dryRun) {
                ids.forEach(id -> System.out.println("would erase " + id));
                System.out.printf("dry run: %d sample(s) of camera %s would be erased%n", ids.size(), camera);
                return 0;
            }
            try (KafkaProducer<String, byte[]> producer = clients.producer("lookout-labels-erase")) {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (String id : ids) {
                    sent.add(producer.send(new ProducerRecord<>(Topics.LABELS, id, null)));
                }
                producer.flush();
                for (Future<RecordMetadata> f : sent) {
                    f.get();
                }
            }
            var r = clients.settings().topics().retention();
            System.out.printf("erased %d sample(s) of camera %s (tombstones on %s; trainers drop them at once). "
                    + "The images leave the brokers' disks when compaction runs: within about %s (segment) + %s "
                    + "(max compaction lag) once the partition is written to again; the tombstones %s after that.%n",
                    ids.size(), camera, Topics.LABELS, r == null ? "?" : r.labelsSegment(),
                    r == null ? "?" : r.labelsMaxCompactionLag(), r == null ? "?" : r.labelsTombstones());
            return 0;
        }
    }

    /** A one-line text progress bar on stderr. */
    static final class Progress {
        private final String what;
        private final int total;
        private final PrintStream out;
        private final long start = System.nanoTime();
        private int done;

        Progress(String what, int total, PrintStream out) {
            this.what = what;
            this.total = total;
            this.out = out;
        }

        void step() {
            done++;
            if (done == total || done % Math.max(1, total / 50) == 0) {
                int width = 30;
                int filled = (int) ((long) width * done / total);
                out.printf("\r%s [%s%s] %d/%d %.1fs", what, "#".repeat(filled), " ".repeat(width - filled), done,
                        total, (System.nanoTime() - start) / 1e9);
            }
        }

        void done() {
            out.println();
        }
    }
}
