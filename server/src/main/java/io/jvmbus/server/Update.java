package io.jvmbus.server;

import java.util.Objects;

/**
 * A change to one connection-level setting in a {@link ModifyConnectionRequest}: leave it, clear it, or set it.
 *
 * @param <T> the setting's value type
 */
public sealed interface Update<T> {

    /**
     * Leave the setting as it is.
     *
     * @param <T> the value type
     */
    record Unchanged<T>() implements Update<T> {}

    /**
     * Clear the setting.
     *
     * @param <T> the value type
     */
    record Reset<T>() implements Update<T> {}

    /**
     * Set the setting.
     *
     * @param value the new value
     * @param <T> the value type
     */
    record Set<T>(T value) implements Update<T> {
        /** Validates the value. */
        public Set {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Set if {@code value} is non-null, else reset.
     *
     * @param value the value or null
     * @param <T> the value type
     * @return the update
     */
    static <T> Update<T> setOrReset(final T value) {
        return value == null ? new Reset<>() : new Set<>(value);
    }
}
