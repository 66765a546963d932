package io.bnn4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of long work, on stderr (stdout stays clean for results and JSON). On a terminal a
 * bar redrawn in place; otherwise (a pipe, a log file, or with {@code --json}) a plain line at
 * every 10%. The JVM's stderr is a pipe even on a terminal when started through {@code ./bnn}
 * (the launcher filters it), so the launcher exports {@code BNN_STDERR_TTY=1} when its stderr
 * is a terminal.
 *
 * <p>One task at a time: {@link #start}, {@link #advance} any number of times, {@link #done}.
 */
public abstract class StderrProgress implements io.bnn4j.Progress {

    protected String label = "";
    protected long total;      // -1: unknown
    protected long count;

    @Override
    public void start(String label, long total) {
        this.label = label;
        this.total = total;
        this.count = 0;
        started();
    }

    @Override
    public void advance(long n) {
        count += n;
        advanced();
    }

    @Override
    public abstract void done();

    @Override
    public abstract void note(String line);

    protected void started() {}

    protected abstract void advanced();

    /** The right kind for this process: a bar when stderr is a terminal and not {@code --json}. */
    public static StderrProgress forStderr(PrintWriter err, boolean json) {
        boolean tty = "1".equals(System.getenv("BNN_STDERR_TTY"));
        return tty && !json ? new Bar(err, System::nanoTime) : new Lines(err);
    }

    /** Plain lines: one per 10% of a known total, none for an unknown one; then a "done" line. */
    public static final class Lines extends StderrProgress {
        private final PrintWriter err;
        private int lastTenth;

        public Lines(PrintWriter err) {
            this.err = err;
        }

        @Override
        protected void started() {
            lastTenth = 0;
        }

        @Override
        protected void advanced() {
            if (total <= 0) return;
            int tenth = (int) Math.min(10, count * 10 / total);
            if (tenth > lastTenth && tenth < 10) {
                lastTenth = tenth;
                err.println(label + ": " + tenth * 10 + "% (" + count + "/" + total + ")");
                err.flush();
            }
        }

        @Override
        public void done() {
            err.println(label + ": done" + (total > 0 ? " (" + count + "/" + total + ")" : ""));
            err.flush();
        }

        @Override
        public void note(String line) {
            err.println(line);
            err.flush();
        }
    }

    /** A bar redrawn in place with a carriage return, at most every 100 ms. */
    public static final class Bar extends StderrProgress {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final LongSupplier nanoTime;
        private long startNanos, lastDraw;
        private int lastLength;

        public Bar(PrintWriter err, LongSupplier nanoTime) {
            this.err = err;
            this.nanoTime = nanoTime;
        }

        @Override
        protected void started() {
            startNanos = nanoTime.getAsLong();
            lastDraw = Long.MIN_VALUE;
            lastLength = 0;
            draw();
        }

        @Override
        protected void advanced() {
            long now = nanoTime.getAsLong();
            if (lastDraw == Long.MIN_VALUE || now - lastDraw >= 100_000_000L || (total > 0 && count >= total)) draw();
        }

        private void draw() {
            lastDraw = nanoTime.getAsLong();
            double seconds = Math.max(1e-9, (lastDraw - startNanos) / 1e9);
            double rate = count / seconds;
            StringBuilder b = new StringBuilder(label).append(' ');
            if (total > 0) {
                int filled = (int) Math.min(WIDTH, count * WIDTH / total);
                b.append('[').append("=".repeat(filled)).append(filled < WIDTH ? ">" : "")
                        .append(" ".repeat(Math.max(0, WIDTH - filled - 1))).append("] ")
                        .append(String.format(Locale.ROOT, "%3d%% %d/%d", count * 100 / total, count, total));
                if (count > 0 && count < total) b.append(" eta ").append(clock((total - count) / rate));
            } else {
                b.append(count);
            }
            if (count > 0) b.append(String.format(Locale.ROOT, " %.1f/s", rate));
            String line = b.toString();
            err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            err.flush();
            lastLength = line.length();
        }

        private static String clock(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                    : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }

        @Override
        public void done() {
            draw();
            err.println();
            err.flush();
        }

        @Override
        public void note(String line) {
            err.println(line);
            err.flush();
        }
    }
}
