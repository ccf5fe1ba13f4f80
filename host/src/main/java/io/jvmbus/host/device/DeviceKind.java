package io.jvmbus.host.device;

import java.util.Optional;
import java.util.function.Function;

/** The device kinds this server ships, by the name a CONTROL {@code offer} gives as {@code "device"}. */
public enum DeviceKind {
    /** Echoes every in-band packet. */
    ECHO("echo", EchoDevice::new),
    /** Reports each request as an EVENT and waits for CONTROL {@code complete}. */
    MANUAL("manual", ManualDevice::new),
    /** A byte stream between the rings and a host endpoint it listens on. */
    PIPE("pipe", PipeDevice::new);

    private final String wire;
    private final Function<ChannelPort, Device> factory;

    DeviceKind(final String wire, final Function<ChannelPort, Device> factory) {
        this.wire = wire;
        this.factory = factory;
    }

    /**
     * The name in JSON.
     *
     * @return e.g. {@code "echo"}
     */
    public String wire() {
        return wire;
    }

    /**
     * A new device of this kind.
     *
     * @param port the channel it serves
     * @return the device
     */
    public Device create(final ChannelPort port) {
        return factory.apply(port);
    }

    /**
     * Looks a name up.
     *
     * @param name the CONTROL offer's {@code device}
     * @return the kind, or empty
     */
    public static Optional<DeviceKind> of(final String name) {
        for (final DeviceKind k : values()) {
            if (k.wire.equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
