package lookout.trust;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lookout keys generate|id}: the Ed25519 key pairs that sign models on lookout.models. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Model signing keys (Ed25519): generate a pair, show a key's id.",
        subcommands = {KeysCommand.Generate.class, KeysCommand.Id.class})
public class KeysCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write NAME.key (private, mode 600: the trainer's secret) and NAME.pub (for every detector).")
    public static class Generate implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write the pair to")
        Path out;
        @Option(names = "--name", defaultValue = "lookout-models", description = "file name without extension (default ${DEFAULT-VALUE})")
        String name;

        @Override
        public Integer call() throws Exception {
            Path key = out.resolve(name + ".key");
            Path pub = out.resolve(name + ".pub");
            KeyPair pair = ModelKeys.generate();
            String id = ModelKeys.write(pair, key, pub);
            System.out.printf("key %s%n  private: %s (only the trainer and who publishes by hand: "
                    + "LOOKOUT_MODELS_SIGNING_KEY=%s)%n  public:  %s (every detector, trainer and `models` CLI: "
                    + "LOOKOUT_MODELS_TRUSTED_KEYS=%s)%n", id, key, key.toAbsolutePath(), pub, pub.toAbsolutePath());
            return 0;
        }
    }

    @Command(name = "id", mixinStandardHelpOptions = true, description = "Print the id of a public or private key file.")
    public static class Id implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
        String file;

        @Override
        public Integer call() throws Exception {
            String text = java.nio.file.Files.readString(Path.of(file));
            String id = text.contains("PRIVATE KEY") ? ModelKeys.keyId(ModelKeys.publicOf(ModelKeys.readPrivate(file)))
                    : ModelKeys.keyId(ModelKeys.readPublic(file));
            System.out.println(id);
            return 0;
        }
    }
}
