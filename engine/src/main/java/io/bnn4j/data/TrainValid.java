package io.bnn4j.data;

/**
 * A dataset cut in two by {@link Dataset#split(double, long)}: the part to learn from and the
 * held-out validation part. Disjoint; together they hold every image of the original once.
 */
public record TrainValid(Dataset train, Dataset valid) {}
