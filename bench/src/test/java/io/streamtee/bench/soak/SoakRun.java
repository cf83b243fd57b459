package io.streamtee.bench.soak;

/**
 * {@code bench/soak}'s entry point: {@link Soak#fromArgs} and its run; a run of 600 s or more records its figures
 * ({@code soak.long}, {@code memory.serve.long}; the directory: system property {@code streamtee.figures.dir}). Exit
 * code 1 when a check failed, 2 for a wrong argument. In the test sources because {@code Figures} (the testing
 * module) is for tests only; the script puts both on the class path.
 */
public final class SoakRun {

    private SoakRun() {
    }

    public static void main(String[] args) throws Exception {
        Soak soak;
        try {
            soak = Soak.fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Soak.Result r = soak.run();
        if (soak.config().seconds() >= 600) {
            SoakFigures.record("long", r, SoakRun.class, "main");
        }
        r.failures().forEach(f -> System.err.println("soak: FAILED: " + f));
        System.exit(r.passed() ? 0 : 1);
    }
}
