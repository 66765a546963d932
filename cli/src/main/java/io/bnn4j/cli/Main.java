package io.bnn4j.cli;

import io.bnn4j.BnnInputException;
import io.bnn4j.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * The {@code bnn} command: the root that declares every subcommand.
 *
 * <p>Exit codes (docs/CLI.md): 0 success; 1 runtime failure; 2 bad usage or bad input. Every
 * error is one line on stderr, never a stack trace.
 */
@Command(name = "bnn",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "Train and run Bayesian convolutional neural networks on CPUs, with uncertainty.",
        subcommands = {TrainCommand.class, PredictCommand.class, EvaluateCommand.class, PruneCommand.class,
                InfoCommand.class, BenchCommand.class, ConvertCommand.class, CommandLine.HelpCommand.class})
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

    /** Whether an exception means the user's input was bad (exit 2) rather than a failure (exit 1). */
    static boolean isBadInput(Throwable e) {
        return e instanceof BnnInputException || e instanceof IllegalArgumentException || e instanceof IOException
                || e instanceof UncheckedIOException;
    }

    /** A failure while running: one line on stderr, exit 2 for bad input, else 1. */
    static int oneLineError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        err.println(cl.getCommandSpec().qualifiedName() + ": " + message(e));
        err.flush();
        return isBadInput(e) ? 2 : 1;
    }

    /** The exception's message on one line; a bare exception type says what it is. */
    static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = isBadInput(e) ? "bad input (" + e.getClass().getSimpleName() + ")"
                    : "internal error (" + e.getClass().getSimpleName() + "); please report it";
        }
        return m.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Bad usage: one line with the reason and a hint, exit 2. */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        err.println(name + ": " + message(e) + " (see '" + name + " --help')");
        err.flush();
        return 2;
    }

    public static void main(String[] args) {
        int code;
        try {
            CommandLine cl = commandLine();
            code = cl.execute(args);
            // PrintWriter swallows write errors: a full disk or a closed pipe behind stdout would
            // otherwise lose output and still exit 0.
            if ((cl.getOut().checkError() | System.out.checkError()) && code == 0) {
                System.err.println("bnn: cannot write to the standard output (a full disk or a closed pipe); the output is incomplete");
                code = 1;
            }
        } catch (Throwable t) {   // an Error (out of memory, stack overflow): still one line
            System.err.println("bnn: " + message(t));
            code = 1;
        }
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
