/**
 * The jobs a user runs, one record each: {@link io.bnn4j.job.TrainJob}, {@link io.bnn4j.job.PredictJob},
 * {@link io.bnn4j.job.EvaluateJob}, {@link io.bnn4j.job.PruneJob} and {@link io.bnn4j.job.BenchJob}.
 * A job reads its files, runs the library, writes what it makes and returns typed figures; the
 * {@code bnn} command is these jobs plus flag parsing and formatting. Bad input is a
 * {@link io.bnn4j.BnnInputException} with a one-line message; anything else is a failure.
 */
package io.bnn4j.job;
