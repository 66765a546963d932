package io.bnn4j.data;

/** The dataset formats that {@link Datasets} recognises in a directory. */
public enum DataFormat {
    /** MNIST-style IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed. */
    IDX,
    /** CIFAR-10 binary batches, as files or inside {@code cifar-10-binary.tar.gz}. */
    CIFAR10,
    /** CIFAR-100 binary files, as files or inside {@code cifar-100-binary.tar.gz}. */
    CIFAR100;

    /** The name people write: IDX, CIFAR-10, CIFAR-100. */
    public String displayName() {
        return switch (this) {
            case IDX -> "IDX";
            case CIFAR10 -> "CIFAR-10";
            case CIFAR100 -> "CIFAR-100";
        };
    }
}
