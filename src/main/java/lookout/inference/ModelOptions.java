package lookout.inference;

import java.nio.file.Path;

import lookout.model.ModelArtifact;
import lookout.model.ModelArtifactException;
import picocli.CommandLine.Option;

/** The model artifact a command runs and the device it runs on (eval, finetune). */
public class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model artifact dir (model.pt + model.json)")
    public Path model;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default ${DEFAULT-VALUE})")
    public String device;

    /** The artifact, verified (files present, metadata parses, sha256 matches). */
    public ModelArtifact open() throws ModelArtifactException {
        return ModelArtifact.open(model);
    }
}
