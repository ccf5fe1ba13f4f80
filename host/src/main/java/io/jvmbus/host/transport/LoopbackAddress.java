package io.jvmbus.host.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Parses {@code --listen HOST:PORT} and refuses every address that is not loopback. No DNS lookups. */
public final class LoopbackAddress {

    private LoopbackAddress() {}

    /**
     * Parses and checks.
     *
     * @param text {@code 127.0.0.1:PORT}, {@code [::1]:PORT} or {@code localhost:PORT}; port 0 picks a free port
     * @return the address
     * @throws IllegalArgumentException if it is malformed or not a loopback address
     */
    public static InetSocketAddress parse(final String text) {
        final int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("--listen '" + text + "' (expected: HOST:PORT, e.g. 127.0.0.1:7000)");
        }
        String host = text.substring(0, colon);
        final String portText = text.substring(colon + 1);
        final int port;
        try {
            port = Integer.parseInt(portText);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("--listen port '" + portText + "' (expected: 0..65535)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen port " + port + " (expected: 0..65535)");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        final InetAddress address;
        if (host.equals("localhost")) {
            address = InetAddress.getLoopbackAddress();
        } else {
            try {
                address = InetAddress.ofLiteral(host);
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--listen host '" + host + "' (expected: a loopback IP literal such as 127.0.0.1 or ::1)");
            }
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("--listen host '" + host + "' is not a loopback address (expected:"
                    + " 127.0.0.0/8, ::1 or localhost; the transport has no authentication)");
        }
        return new InetSocketAddress(address, port);
    }
}
