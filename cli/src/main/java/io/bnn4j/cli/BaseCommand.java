package io.bnn4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Locale;

/** What every subcommand shares: its spec, its writers and the number formats. */
abstract class BaseCommand {

    @CommandLine.Spec
    CommandSpec spec;

    @CommandLine.ParentCommand
    Main root;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** A fraction as a percentage with two decimals ("87.25%"), or "-" when absent. */
    static String percent(Double fraction) {
        return fraction == null || !Double.isFinite(fraction) ? "-" : fmt("%.2f%%", 100 * fraction);
    }

    /** A number with four significant digits, or "-" when absent. */
    static String num(Double v) {
        return v == null ? "-" : Double.isFinite(v) ? fmt("%.4g", v) : String.valueOf(v);
    }

    /** An integer with thousands separators ("61,706"). */
    static String count(long v) {
        return fmt("%,d", v);
    }
}
