package io.bnn4j.cli;

import io.bnn4j.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code bnn} command: the root that declares every subcommand. */
@Command(name = "bnn",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "Train and run Bayesian convolutional neural networks on CPUs, with uncertainty.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the configured command line (tests use this with their own writers). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::oneLineError);
        cl.setParameterExceptionHandler(Main::badUsage);
        return cl;
    }

    /** A runtime failure: one line on stderr, exit 1 (exit 2 when the input itself was bad). */
    private static int oneLineError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean badInput = e instanceof IllegalArgumentException || e instanceof java.io.IOException
                || e instanceof java.io.UncheckedIOException;
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        err.println(cl.getCommandSpec().qualifiedName() + ": " + message);
        err.flush();
        return badInput ? 2 : 1;
    }

    /** Bad usage: one line with the reason and a hint, exit 2. */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(cl.getCommandSpec().qualifiedName() + ": " + e.getMessage() + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return 2;
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }

    /** --version: the bnn4j version and the JVM it runs on. */
    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"bnn4j " + Version.get(),
                    "JVM " + System.getProperty("java.vm.name") + " " + Runtime.version()};
        }
    }
}
