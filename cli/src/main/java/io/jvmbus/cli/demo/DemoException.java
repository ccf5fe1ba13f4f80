package io.jvmbus.cli.demo;

/** A step of the demo could not be carried out; the message says which and why. */
final class DemoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    DemoException(final String message) {
        super(message);
    }

    DemoException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
