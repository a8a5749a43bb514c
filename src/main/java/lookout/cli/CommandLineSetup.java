package lookout.cli;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import picocli.CommandLine;

/** The command line Quarkus runs: every subcommand reports errors as {@link OneLineErrors} does. */
@ApplicationScoped
public class CommandLineSetup {
    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return factory.create().setExecutionExceptionHandler(new OneLineErrors());
    }
}
