package dev.laml.recordings.cli;

import dev.laml.recordings.cli.internal.Cli;
import dev.laml.recordings.cli.internal.Prompt;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntBiFunction;

/** Runs the command in-process with captured streams, as a script would see it. */
record CliRun(int exitCode, byte[] stdoutBytes, String stdout, String stderr) {

    static CliRun run(Map<String, String> env, String... args) {
        return run((o, e) -> RecordingsCli.run(args, o, e, env));
    }

    /**
     * Runs with {@code terminal} standing in for the person at the terminal (answering prompts), or with no terminal
     * at all when it is null, whatever the JVM running the tests is attached to.
     */
    static CliRun atTerminal(Prompt terminal, Map<String, String> env, String... args) {
        return run((o, e) -> Cli.execute(args, o, e, env, terminal));
    }

    private static CliRun run(ToIntBiFunction<PrintStream, PrintStream> command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = command.applyAsInt(o, e);
        }
        byte[] bytes = out.toByteArray();
        return new CliRun(code, bytes, new String(bytes, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static CliRun run(String... args) {
        return run(Map.of(), args);
    }

    static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    /** Everything the user saw. */
    String all() {
        return stdout + stderr;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + (stdout.length() > 2000 ? stdout.substring(0, 2000) + "..." : stdout)
                + "\n--- stderr\n" + stderr;
    }
}
