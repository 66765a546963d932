package io.bnn4j.io;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code bnn info} shows about a model file, from {@link ModelFile#inspect(Path)}.
 *
 * @param file          the file
 * @param fileBytes     its size
 * @param formatVersion the format version it was written in
 * @param metadata      every metadata entry
 * @param tensors       every tensor, in file order
 */
public record ModelSummary(Path file, long fileBytes, int formatVersion, Metadata metadata, List<TensorInfo> tensors) {

    public ModelSummary {
        tensors = List.copyOf(tensors);
    }

    /**
     * One stored tensor.
     *
     * @param storedBytes payload bytes in the file
     * @param elements    element count
     * @param zeros       elements equal to zero (numerically: -0.0 counts)
     */
    public record TensorInfo(String name, DType dtype, int[] shape, Encoding encoding, long storedBytes, long elements,
                             long zeros) {
        public TensorInfo {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** Fraction of zero elements (0 for an empty tensor). */
        public double sparsity() {
            return elements == 0 ? 0 : (double) zeros / elements;
        }
    }

    /** Whether a tensor is a learned parameter's mean ("….mu"), not optimizer state. */
    private static boolean isMean(String name) {
        return name.endsWith(ModelKeys.MU) && !name.startsWith(ModelKeys.OPTIMIZER_PREFIX);
    }

    private static boolean isRho(String name) {
        return name.endsWith(ModelKeys.RHO) && !name.startsWith(ModelKeys.OPTIMIZER_PREFIX);
    }

    /** Elements of all mean tensors ("….mu"): the network's weight and bias count. */
    public long means() {
        return tensors.stream().filter(t -> isMean(t.name)).mapToLong(TensorInfo::elements).sum();
    }

    /** Elements of all learned tensors: means plus ρ ("….rho"). */
    public long learnedValues() {
        return tensors.stream().filter(t -> isMean(t.name) || isRho(t.name)).mapToLong(TensorInfo::elements).sum();
    }

    /** Zero elements among the means (pruned weights). */
    public long zeroMeans() {
        return tensors.stream().filter(t -> isMean(t.name)).mapToLong(TensorInfo::zeros).sum();
    }
}
