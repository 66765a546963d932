/**
 * The Vector API backend of {@link io.bnn4j.kernel.KernelBackend}: the only package that imports
 * {@code jdk.incubator.vector}. Every kernel here has a scalar twin in
 * {@link io.bnn4j.kernel.ScalarKernels} that the tests compare it with.
 *
 * <p>Micro-kernels, the register-blocked innermost loops, are named {@code tileRxC}: they keep an
 * R × C block of the output in vector registers (rows: GEMM rows, image positions or weight taps;
 * columns: GEMM columns or channels). A {@code Narrow} suffix marks the variant built from
 * 256-bit vectors, for CPUs where that is faster than one 512-bit vector per row.
 */
package io.bnn4j.kernel.simd;
