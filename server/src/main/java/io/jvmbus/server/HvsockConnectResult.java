package io.jvmbus.server;

import io.jvmbus.protocol.Guid;
import java.util.Objects;

/**
 * The hvsocket handler's answer to an {@link HvsockConnectRequest}. Success is shown to the guest by a new channel
 * offer (made by the host); only a failure produces a message (TL_CONNECT_REQUEST_RESULT, from 4.1).
 *
 * @param serviceId the request's service
 * @param endpointId the request's endpoint
 * @param success whether the connection will be offered
 */
public record HvsockConnectResult(Guid serviceId, Guid endpointId, boolean success) {

    /** Validates the fields. */
    public HvsockConnectResult {
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(endpointId, "endpointId");
    }
}
