package io.bnn4j.cli;

import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.job.PruneJob;
import io.bnn4j.prune.PruneMethod;
import io.bnn4j.prune.PruneReport;
import io.bnn4j.prune.PruneScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code bnn prune}: removes weights or whole filters and reports before and after. */
@Command(name = "prune", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        sortOptions = false,
        description = {"Prune a model and compare it before and after.",
                "snr (|mu|/sigma) and magnitude (|mu|) zero the lowest-ranked weights; l1-filter removes whole filters and",
                "neurons so that the result is a smaller dense model. Reports parameters, file size, accuracy, NLL, ECE and",
                "latency before and after."})
public final class PruneCommand extends BaseCommand implements Callable<Integer> {

    @Mixin
    Options.Model model;

    @Option(names = "--method", paramLabel = "M", required = true, converter = Choices.PruneMethodConverter.class,
            completionCandidates = Choices.PruneMethodConverter.class, description = "Method: ${COMPLETION-CANDIDATES}.")
    PruneMethod method;

    @Option(names = "--sparsity", paramLabel = "F", required = true,
            description = "Fraction of weights (snr, magnitude) or of filters and neurons (l1-filter) to remove, in [0, 1).")
    double sparsity;

    @Option(names = "--scope", paramLabel = "S", converter = Choices.PruneScopeConverter.class,
            completionCandidates = Choices.PruneScopeConverter.class,
            description = "For snr and magnitude: rank weights over the whole network (global) or within each layer (default: global).")
    PruneScope scope;

    @Mixin
    Options.Data data;

    @Option(names = "--fine-tune-epochs", paramLabel = "N", defaultValue = "" + Defaults.FINE_TUNE_EPOCHS,
            description = "Epochs of fine-tuning after pruning; pruned weights stay zero (default: ${DEFAULT-VALUE}).")
    int fineTuneEpochs;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "" + Defaults.FINE_TUNE_LR,
            description = "Adam learning rate of the fine-tuning; use the model's training rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--beta", paramLabel = "W", defaultValue = Defaults.BETA, converter = Choices.BetaConverter.class,
            description = "KL weight of the fine-tuning, as for 'bnn train'; use the model's training value (default: ${DEFAULT-VALUE}).")
    String beta;

    @Option(names = "--ood", paramLabel = "DIR",
            description = "An out-of-distribution dataset directory: reports the OOD AUROC (entropy) before and after.")
    Path ood;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The pruned model file to write.")
    Path out;

    @Mixin
    Options.Seed seed;

    @Mixin
    Options.Threads threads;

    @Mixin
    Options.JsonOutput json;

    PruneJob validate() {
        Checks.fraction(spec, "--sparsity", sparsity);
        Checks.atLeast(spec, "--fine-tune-epochs", fineTuneEpochs, 0);
        Checks.positive(spec, "--lr", lr);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        if (method == PruneMethod.L1_FILTER && scope != null) {
            throw Checks.usage(spec, "--scope applies to snr and magnitude only (l1-filter ranks filters within each layer)");
        }
        Checks.inputFile(spec, "--model", model.get());
        Checks.outputFile(spec, "--out", out);
        Checks.distinct(spec, "--model", model.get(), "--out", out);
        if (ood != null && !io.bnn4j.data.SyntheticOod.names(ood)) Checks.inputDirectory(spec, "--ood", ood);
        Path dataDir = data.resolve(spec);
        PruneScope s = method == PruneMethod.L1_FILTER ? null : scope != null ? scope : PruneScope.GLOBAL;
        return new PruneJob(model.get(), method, sparsity, s, dataDir, fineTuneEpochs, lr, BetaSchedule.parse(beta, fineTuneEpochs),
                out, seed.get(), threads.get(), ood);
    }

    @Override
    public Integer call() {
        PruneJob job = validate();
        PruneJob.Result r = job.run(StderrProgress.forStderr(err(), json.get()));
        if (json.get()) out().println(json(r)); else text(r, size(job.model()), size(r.out())).lines().forEach(out()::println);
        out().flush();
        return 0;
    }

    private static Long size(Path p) {
        try {
            return p != null && Files.isRegularFile(p) ? Files.size(p) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String json(PruneJob.Result result) {
        PruneReport r = result.report();
        return Json.object().put("method", r.method()).put("sparsity", r.sparsity())
                .put("parameters_before", r.parametersBefore()).put("parameters_after", r.parametersAfter())
                .put("accuracy_before", r.accuracyBefore()).put("accuracy_after", r.accuracyAfter())
                .put("ece_before", r.eceBefore()).put("ece_after", r.eceAfter())
                .put("latency_ms_before", r.latencyMsBefore()).put("latency_ms_after", r.latencyMsAfter()).toString();
    }

    /** The before/after table of docs/PRUNING.md; file sizes are measured here from the two files. */
    static Table text(PruneJob.Result result, Long bytesBefore, Long bytesAfter) {
        PruneReport r = result.report();
        Table t = new Table("", "BEFORE", "AFTER");
        t.row("parameters", count(r.parametersBefore()), count(r.parametersAfter()));
        t.row("file bytes", bytesBefore == null ? null : count(bytesBefore), bytesAfter == null ? null : count(bytesAfter));
        t.row("accuracy", percent(r.accuracyBefore()), percent(r.accuracyAfter()));
        t.row("nll", num(r.before().nll()), num(r.after().nll()));
        t.row("ece", num(r.eceBefore()), num(r.eceAfter()));
        if (result.oodMeasured()) t.row("ood auroc", num(r.before().aurocEntropy()), num(r.after().aurocEntropy()));
        t.row("latency ms", fmt("%.3f", r.latencyMsBefore()), fmt("%.3f", r.latencyMsAfter()));
        return t;
    }

}
