package io.tracebee.cli;

import io.quarkus.runtime.annotations.CommandLineArguments;
import io.tracebee.config.Knob;
import io.tracebee.config.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import picocli.CommandLine;

/**
 * The agent's one {@link Settings}: this command line's flags over the environment over the configuration. Made
 * when a bean first needs it — the HTTP API's access check does at start-up, before the command runs — so the
 * arguments are parsed here for their flags; the command's own parse reports any mistake in them.
 */
@ApplicationScoped
public class CommandLineSettings {
    @Produces
    @Singleton
    Settings settings(CommandLine commandLine, @CommandLineArguments String[] args) {
        Map<Knob, String> flags;
        try {
            flags = KnobOptions.flags(commandLine.parseArgs(args));
        } catch (CommandLine.ParameterException e) {
            flags = Map.of();
        }
        return Settings.fromEnvironment(flags);
    }
}
