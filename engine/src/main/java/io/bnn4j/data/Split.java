package io.bnn4j.data;

/** Which part of a dataset directory to load: the training files or the test files. */
public enum Split {
    /** {@code train-*} IDX files, CIFAR-10 {@code data_batch_*.bin}, CIFAR-100 {@code train.bin}. */
    TRAIN,
    /** {@code t10k-*} IDX files, CIFAR-10 {@code test_batch.bin}, CIFAR-100 {@code test.bin}. */
    TEST
}
