package io.jvmbus.memory;

import java.util.Objects;

/**
 * The outcome of building something over guest memory from guest-supplied values: the thing, or a typed error.
 *
 * @param <T> what was built
 */
public sealed interface MemoryResult<T> {

    /**
     * Success.
     *
     * @param value what was built
     * @param <T> its type
     */
    record Ok<T>(T value) implements MemoryResult<T> {

        /**
         * Checks the value is present.
         *
         * @param value the value
         */
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Refusal.
     *
     * @param error why
     * @param <T> the type that was not built
     */
    record Failed<T>(MemoryError error) implements MemoryResult<T> {

        /**
         * Checks the error is present.
         *
         * @param error the error
         */
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * The value of a success; for callers (tests, set-up code) that have already ruled the failure out.
     *
     * @return the value
     * @throws IllegalStateException naming the error if this is a failure
     */
    default T orElseThrow() {
        return switch (this) {
            case Ok<T> ok -> ok.value();
            case Failed<T> failed ->
                throw new IllegalStateException(failed.error().toString());
        };
    }

    /**
     * Builds a failure.
     *
     * @param kind the class
     * @param message the description
     * @param <T> the type that was not built
     * @return the failure
     */
    static <T> MemoryResult<T> failed(final MemoryError.Kind kind, final String message) {
        return new Failed<>(new MemoryError(kind, message));
    }
}
