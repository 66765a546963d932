/**
 * Data: labelled image sets and the files they come from.
 *
 * <ul>
 *   <li>{@link io.bnn4j.data.Dataset}: immutable images (unsigned bytes, (n, c, h, w), native
 *       size) with labels and class names; views ({@code subset}, {@code limit},
 *       {@code split}); a content digest; and the conversion to model input floats
 *       ({@code writeBatch}: channels and {@link io.bnn4j.data.ImageTransform}).</li>
 *   <li>{@link io.bnn4j.data.Datasets}: a directory holding a dataset under its standard names
 *       → the TRAIN or TEST {@link io.bnn4j.data.Split}.</li>
 *   <li>{@link io.bnn4j.data.IdxFiles}, {@link io.bnn4j.data.CifarFiles}: the formats (IDX raw
 *       or gzip; CIFAR-10/100 batches, also inside the official .tar.gz).</li>
 *   <li>{@link io.bnn4j.data.ImageFiles}: PNG / JPEG files for prediction.</li>
 * </ul>
 * Every problem with a file is an {@link io.bnn4j.BnnInputException} with one line naming the
 * file; no allocation is ever sized by a header before the header has been checked.
 */
package io.bnn4j.data;
