import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one JUnit test method (a Jazzer {@code @FuzzTest}) in this JVM, for bench/fuzz.sh: Maven's surefire would
 * cost a Maven start per target, this costs a JVM start. With {@code JAZZER_FUZZ=1} in the environment the test
 * fuzzes; its limits come as the {@code jazzer.internal.arg.N} system properties (JUnit configuration parameters).
 *
 * <p>Usage: {@code java -cp <test class path>:<this> FuzzOne CLASS METHOD}; exit code 0 when the test passed, 1
 * when it failed (a finding) or was not found, 2 on a usage error.
 */
public final class FuzzOne {
    private FuzzOne() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: FuzzOne CLASS METHOD");
            System.exit(2);
        }
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(args[0] + "#" + args[1] + "(" + parameterType(args[0], args[1]) + ")"))
                .build(), summary);
        TestExecutionSummary s = summary.getSummary();
        s.printTo(new java.io.PrintWriter(System.out, true));
        s.printFailuresTo(new java.io.PrintWriter(System.out, true), 50);
        boolean ran = s.getTestsSucceededCount() + s.getTestsFailedCount() > 0;
        System.exit(ran && s.getTotalFailureCount() == 0 ? 0 : 1);
    }

    /** The parameter type of the one method {@code name} of {@code className} (a fuzz test takes one). */
    private static String parameterType(String className, String name) {
        try {
            for (java.lang.reflect.Method m : Class.forName(className, false, FuzzOne.class.getClassLoader()).getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == 1) {
                    return m.getParameterTypes()[0].getName();
                }
            }
        } catch (ClassNotFoundException e) {
            System.err.println("no class " + className + " on the class path");
            System.exit(1);
        }
        System.err.println("no method " + name + "(one parameter) in " + className);
        System.exit(1);
        return null;
    }
}
