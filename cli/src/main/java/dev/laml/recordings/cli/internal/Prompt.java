package dev.laml.recordings.cli.internal;

import java.io.Console;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Someone at a terminal who can answer a question: how {@code delete} confirms. A run without one (stdin redirected,
 * a script, a cron job) cannot be asked, so a command that needs a confirmation must be told with an option instead
 * ({@code --yes}); never is end of input read as an answer.
 *
 * <p>Public (in this internal package) only so that tests and embedders can stand in for the terminal through
 * {@link Cli#execute(String[], java.io.PrintStream, java.io.PrintStream, java.util.Map, Prompt)}. Called on the
 * run's thread only; implementations need not be thread-safe.
 */
@FunctionalInterface
public interface Prompt {

    /**
     * Shows {@code question} (which ends with its own trailing space, no newline) and reads one line.
     *
     * @return the line typed, without its terminator; null at end of input (Ctrl-D), which counts as no answer
     */
    String ask(String question);

    /**
     * The process's own terminal, or null when there is none: {@link System#console()} is non-null only while stdin
     * and stdout are both a terminal (until Java 22; from 22 on it may exist for redirected streams too, and
     * {@code Console.isTerminal()} tells, so that is asked when available).
     */
    static Prompt systemTerminal() {
        Console console = terminalConsole();
        return console == null ? null : question -> console.readLine("%s", question);
    }

    /** {@link System#console()} when it is a terminal, else null. */
    static Console terminalConsole() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            // Java 22+: a console object also exists for redirected streams. Looked up reflectively: we build for 17.
            Method isTerminal = Console.class.getMethod("isTerminal");
            return Boolean.TRUE.equals(isTerminal.invoke(console)) ? console : null;
        } catch (NoSuchMethodException beforeJava22) {
            return console;
        } catch (IllegalAccessException | InvocationTargetException e) {
            return null; // cannot tell: assume no terminal, the safe side for a confirmation
        }
    }
}
