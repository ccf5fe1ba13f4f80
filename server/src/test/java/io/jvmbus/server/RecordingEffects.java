package io.jvmbus.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link ServerEffects} that records everything, like the reference tests' recording notifier (§9.0): device
 * requests in order, connection requests in a FIFO, hvsock requests, forwarded contacts, unload and reset
 * completions, notes. It also applies each connection request to a model of the host's local state (monitor pages,
 * interrupt page, default VP), as the reference notifier does.
 */
final class RecordingEffects implements ServerEffects {

    /** One device request. */
    record Device(OfferId offer, DeviceRequest request) {}

    final List<Device> device = new ArrayList<>();
    final Deque<ModifyConnectionRequest> relay = new ArrayDeque<>();
    final List<ModifyConnectionRequest> relayLog = new ArrayList<>();
    final List<HvsockConnectRequest> hvsock = new ArrayList<>();
    final List<InitiateContactRequest> forwarded = new ArrayList<>();
    final List<ServerError> notes = new ArrayList<>();
    int unloadCompletes;
    int resetCompletes;
    int queued;

    MonitorPages hostMonitorPages;
    Long hostInterruptPage;
    Integer hostTargetVp;

    @Override
    public void deviceRequest(final OfferId offer, final DeviceRequest request) {
        device.add(new Device(offer, request));
    }

    @Override
    public void modifyConnection(final ModifyConnectionRequest request) {
        relayLog.add(request);
        switch (request.monitorPages()) {
            case Update.Set<MonitorPages> s -> hostMonitorPages = s.value();
            case Update.Reset<MonitorPages> r -> hostMonitorPages = null;
            case Update.Unchanged<MonitorPages> u -> {}
        }
        switch (request.interruptPage()) {
            case Update.Set<Long> s -> hostInterruptPage = s.value();
            case Update.Reset<Long> r -> hostInterruptPage = null;
            case Update.Unchanged<Long> u -> {}
        }
        if (request.targetMessageVp().isPresent()) {
            hostTargetVp = request.targetMessageVp().getAsInt();
        }
        if (request.notifyRelay()) {
            relay.addLast(request);
        }
    }

    @Override
    public void hvsockConnect(final HvsockConnectRequest request) {
        hvsock.add(request);
    }

    @Override
    public void forwardInitiateContact(final InitiateContactRequest request) {
        forwarded.add(request);
    }

    @Override
    public void unloadComplete() {
        unloadCompletes++;
    }

    @Override
    public void resetComplete() {
        resetCompletes++;
        hostMonitorPages = null;
        hostTargetVp = null;
    }

    @Override
    public void messageQueued(final OutgoingMessage message) {
        queued++;
    }

    @Override
    public void note(final ServerError note) {
        notes.add(note);
    }

    /** Removes and returns the device requests recorded so far. */
    List<Device> takeDevice() {
        final List<Device> out = List.copyOf(device);
        device.clear();
        return out;
    }
}
