package io.jvmbus.server;

import io.jvmbus.protocol.Guid;
import java.util.Objects;

/**
 * A guest's TL_CONNECT_REQUEST, for the hvsocket handler. Answer with {@link ChannelServer#completeHvsockConnect}.
 *
 * @param serviceId the host service
 * @param endpointId the guest endpoint
 * @param siloId the silo (zero for the 40-byte form)
 * @param hostedSiloUnaware the negotiated version is below 5.2
 */
public record HvsockConnectRequest(Guid serviceId, Guid endpointId, Guid siloId, boolean hostedSiloUnaware) {

    /** Validates the fields. */
    public HvsockConnectRequest {
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(siloId, "siloId");
    }
}
