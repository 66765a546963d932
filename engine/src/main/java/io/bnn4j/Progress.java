package io.bnn4j;

import java.util.function.Consumer;

/**
 * Where a long job reports how far it is: tasks of known length ({@link #start}, {@link #advance},
 * {@link #done}) and lines of information between them. The command line draws a bar on stderr;
 * a library caller may log, or pass {@link #SILENT}.
 */
public interface Progress {

    /** Begins a task of {@code total} steps (-1 when unknown), e.g. {@code start("t10k-images", 10000)}. */
    default void start(String label, long total) {}

    /** {@code n} more steps of the task done. */
    default void advance(long n) {}

    /** The task is over. */
    default void done() {}

    /** One line of information (e.g. "loaded 60,000 training images"). */
    default void note(String line) {}

    /** Passes every note to {@code sink}; tasks are not reported. */
    static Progress notes(Consumer<String> sink) {
        return new Progress() {
            @Override
            public void note(String line) {
                sink.accept(line);
            }
        };
    }

    /** Reports nothing. */
    Progress SILENT = new Progress() {};
}
