package lookout.cli;

import java.io.PrintWriter;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import picocli.CommandLine;

/**
 * The command line Quarkus runs: every subcommand reports errors as {@link OneLineErrors} does, and
 * what commands print goes through {@link RedactingStream} (no credential on the terminal).
 */
@ApplicationScoped
public class CommandLineSetup {
    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        RedactingStream.install();
        return factory.create().setExecutionExceptionHandler(new OneLineErrors())
                .setOut(new PrintWriter(System.out, true)).setErr(new PrintWriter(System.err, true));
    }
}
