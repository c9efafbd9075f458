package dev.laml.recordings.protocol;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Multiplies every property's {@code tries} by the system property {@code fuzz.tries.factor} (default 1), so that
 * the same properties run bounded in {@code mvn verify} and long behind {@code -Pfuzz-long} (which sets it; see the
 * parent POM). Registered with {@code @AddLifecycleHook(TriesFactor.class)} on a property class.
 */
public final class TriesFactor implements AroundPropertyHook {

    /** The factor, at least 1; a value that is not a positive number is a mistake worth failing on. */
    static int factor() {
        String value = System.getProperty("fuzz.tries.factor", "1").trim();
        int factor = value.isEmpty() ? 1 : Integer.parseInt(value);
        if (factor < 1) {
            throw new IllegalArgumentException("fuzz.tries.factor must be at least 1, got " + value);
        }
        return factor;
    }

    /** Registered on a class, it must reach the class's properties (a hook's default is the class alone). */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        int factor = factor();
        if (factor != 1) {
            context.attributes().tries().ifPresent(tries ->
                    context.attributes().setTries((int) Math.min(Integer.MAX_VALUE, (long) tries * factor)));
        }
        return property.execute();
    }
}
