package io.jvmbus.client;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.memory.MemoryResult;
import io.jvmbus.memory.ring.RingPair;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.GpaRange;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.ChannelMessage.AllOffersDelivered;
import io.jvmbus.protocol.message.ChannelMessage.CloseChannel;
import io.jvmbus.protocol.message.ChannelMessage.CloseReservedChannel;
import io.jvmbus.protocol.message.ChannelMessage.CloseReservedChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.GpadlCreated;
import io.jvmbus.protocol.message.ChannelMessage.GpadlTeardown;
import io.jvmbus.protocol.message.ChannelMessage.GpadlTorndown;
import io.jvmbus.protocol.message.ChannelMessage.InitiateContact;
import io.jvmbus.protocol.message.ChannelMessage.InitiateContactForm;
import io.jvmbus.protocol.message.ChannelMessage.ModifyChannel;
import io.jvmbus.protocol.message.ChannelMessage.ModifyChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenChannelForm;
import io.jvmbus.protocol.message.ChannelMessage.OpenReservedChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.protocol.message.ChannelMessage.RelIdReleased;
import io.jvmbus.protocol.message.ChannelMessage.RequestOffers;
import io.jvmbus.protocol.message.ChannelMessage.RescindChannelOffer;
import io.jvmbus.protocol.message.ChannelMessage.Unload;
import io.jvmbus.protocol.message.ChannelMessage.UnloadComplete;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import io.jvmbus.protocol.message.DecodeContext;
import io.jvmbus.protocol.message.DecodeResult;
import io.jvmbus.protocol.message.Direction;
import io.jvmbus.protocol.message.MessageCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A VMBus guest: it runs the channel-management protocol against a host through a {@link GuestTransport}, the way
 * Linux's {@code hv_vmbus} (default), OpenVMM's client or UEFI firmware does ({@link GuestOptions.Style}).
 *
 * <p>The protocol state (connection, offers, outstanding requests and their answers) changes in one place, {@link
 * #handleMessage}, which the transport calls for every host message; it never posts. Operations post requests and then
 * wait, with a timeout, until the state shows the answer. Follow-ups the guest owes without being asked (closing and
 * releasing a rescinded channel) run on the client's own worker thread, as Linux runs them on a work queue.
 *
 * <p>Hypervisor status 19 (insufficient buffers) on a post is retried after the next host message (or a short
 * bounded back-off), until the operation's deadline.
 */
public final class GuestClient implements AutoCloseable {

    /** The connection phases. */
    public enum Phase {
        /** No connection (before connect, after UNLOAD_COMPLETE). */
        DISCONNECTED,
        /** INITIATE_CONTACT posted, no answer yet. */
        CONNECTING,
        /** A version was accepted. */
        CONNECTED,
        /** UNLOAD posted, no UNLOAD_COMPLETE yet. */
        UNLOADING
    }

    /**
     * One INITIATE_CONTACT attempt.
     *
     * @param version the version requested
     * @param connectionId where it was posted
     * @param outcome what happened ("accepted", "refused", "post status ...")
     */
    public record Attempt(ProtocolVersion version, int connectionId, String outcome) {}

    /**
     * An established connection.
     *
     * @param version the accepted version
     * @param featureFlags the negotiated feature flags (0 below Copper)
     * @param messageConnectionId where later messages go
     * @param attempts every attempt, the accepted one last
     */
    public record Connection(
            ProtocolVersion version, int featureFlags, int messageConnectionId, List<Attempt> attempts) {

        /**
         * Copies the attempts.
         *
         * @param version the version
         * @param featureFlags the flags
         * @param messageConnectionId the connection id
         * @param attempts the attempts
         */
        public Connection {
            attempts = List.copyOf(attempts);
        }
    }

    /** Back-off between retries of a post the host answered with status 19 when no host message arrives. */
    private static final long RETRY_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final GuestTransport transport;
    private final GuestRam ram;
    private final GuestOptions options;
    private final ExecutorService worker;
    private final long interruptPage;
    private final long monitorPage1;
    private final long monitorPage2;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // ---- protocol state, guarded by lock; changed only in handleMessage and the operations' bookkeeping ----------
    private Phase phase = Phase.DISCONNECTED;
    private Connection connection;
    private DecodeContext context = DecodeContext.DISCONNECTED;
    private VersionResponse versionResponse;
    private final TreeMap<Integer, OfferChannel> offers = new TreeMap<>();
    private boolean allOffersDelivered;
    private final Set<Integer> rescinded = new HashSet<>();
    private final Set<Integer> released = new HashSet<>();
    private final Map<Integer, OpenResult> openResults = new HashMap<>();
    private final Map<Long, Integer> gpadlCreated = new HashMap<>();
    private final Set<Integer> gpadlTorndown = new HashSet<>();
    private final Map<Integer, Integer> modifyResponses = new HashMap<>();
    private final Set<Integer> closeReservedResponses = new HashSet<>();
    private boolean unloadComplete;
    private long messagesReceived;
    private long postRetries;
    private final List<String> protocolErrors = new ArrayList<>();
    private final Map<Integer, GuestChannel> channelsByRelid = new HashMap<>();
    private final Map<Integer, GuestChannel> channelsByFlag = new HashMap<>();
    private int nextGpadlId;

    /**
     * A guest over a transport, using {@code ram} for its SynIC pages, rings and buffers. Attaches to the transport.
     *
     * @param transport the transport (the client attaches itself; close the transport separately)
     * @param ram guest RAM
     * @param options the behaviour
     */
    public GuestClient(final GuestTransport transport, final GuestRam ram, final GuestOptions options) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.ram = Objects.requireNonNull(ram, "ram");
        this.options = Objects.requireNonNull(options, "options");
        this.nextGpadlId = options.firstGpadlId();
        final long[] pages = ram.allocate(3);
        this.interruptPage = pages[0] * GuestMemory.PAGE_SIZE;
        this.monitorPage1 = pages[1] * GuestMemory.PAGE_SIZE;
        this.monitorPage2 = pages[2] * GuestMemory.PAGE_SIZE;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "jvmbus-guest-worker");
            t.setDaemon(true);
            return t;
        });
        transport.attach(new GuestTransport.Listener() {
            @Override
            public void onMessage(final int vp, final int sint, final int messageType, final byte[] payload) {
                handleMessage(vp, sint, messageType, payload);
            }

            @Override
            public void onSignal(final int vp, final int sint, final int flag) {
                handleSignal(flag);
            }
        });
    }

    // =================================================================================================================
    // Accessors
    // =================================================================================================================

    /**
     * The options.
     *
     * @return the behaviour
     */
    public GuestOptions options() {
        return options;
    }

    /**
     * Guest RAM.
     *
     * @return the RAM
     */
    public GuestRam ram() {
        return ram;
    }

    GuestTransport transport() {
        return transport;
    }

    /**
     * The connection phase.
     *
     * @return the phase
     */
    public Phase phase() {
        return locked(() -> phase);
    }

    /**
     * The established connection.
     *
     * @return the connection, or null if not connected
     */
    public Connection connection() {
        return locked(() -> connection);
    }

    /**
     * The offers received and not released, by channel id.
     *
     * @return a snapshot
     */
    public List<OfferChannel> offers() {
        return locked(() -> List.copyOf(offers.values()));
    }

    /**
     * Host messages that failed to decode or arrived unexpected, described.
     *
     * @return a snapshot
     */
    public List<String> protocolErrors() {
        return locked(() -> List.copyOf(protocolErrors));
    }

    /**
     * Posts retried after status 19 (insufficient buffers).
     *
     * @return the count
     */
    public long postRetries() {
        return locked(() -> postRetries);
    }

    /**
     * Whether the host rescinded a channel.
     *
     * @param channelId the channel id
     * @return true after RESCIND_CHANNELOFFER
     */
    public boolean isRescinded(final int channelId) {
        return locked(() -> rescinded.contains(channelId));
    }

    /**
     * The interrupt page GPA (sent in INITIATE_CONTACT below 5.0).
     *
     * @return the GPA
     */
    public long interruptPageGpa() {
        return interruptPage;
    }

    /**
     * The monitor page GPAs (parent&rarr;child, child&rarr;parent).
     *
     * @return two GPAs
     */
    public long[] monitorPageGpas() {
        return new long[] {monitorPage1, monitorPage2};
    }

    // =================================================================================================================
    // Connection
    // =================================================================================================================

    /**
     * Negotiates a version: tries {@link GuestOptions#versions()} in order, each with one INITIATE_CONTACT (to
     * connection id 4 for 5.0 and later, 1 below), moving on after a refusal or an invalid connection id.
     *
     * @param timeout the longest wait for each VERSION_RESPONSE
     * @return the connection
     * @throws GuestException REFUSED if every version was refused, TIMEOUT if the host did not answer
     */
    public Connection connect(final Duration timeout) {
        lock.lock();
        try {
            if (phase != Phase.DISCONNECTED) {
                throw new GuestException(
                        GuestException.Kind.INVALID_STATE, "connect in phase=" + phase + " (expected: DISCONNECTED)");
            }
        } finally {
            lock.unlock();
        }
        final List<Attempt> attempts = new ArrayList<>();
        for (final ProtocolVersion v : options.versions()) {
            final boolean multiclient = v.atLeast(ProtocolVersion.WIN10_RS3_1);
            final int connectionId = multiclient ? options.contactConnectionId() : ConnectionIds.MESSAGE_CONNECTION_ID;
            final InitiateContact contact = initiateContact(v);
            lock.lock();
            try {
                versionResponse = null;
                phase = Phase.CONNECTING;
            } finally {
                lock.unlock();
            }
            final long deadline = deadline(timeout);
            final VersionResponse vr;
            try {
                final int status = post(connectionId, contact, deadline);
                if (status != HvStatus.SUCCESS) {
                    attempts.add(new Attempt(v, connectionId, "post " + HvStatus.describe(status)));
                    continue;
                }
                awaitOrThrow(() -> versionResponse != null, deadline, "VERSION_RESPONSE to " + v);
                vr = locked(() -> versionResponse);
            } catch (GuestException e) {
                lock.lock();
                try {
                    phase = Phase.DISCONNECTED;
                } finally {
                    lock.unlock();
                }
                throw e;
            }
            if (vr.versionSupported() == 0) {
                attempts.add(new Attempt(v, connectionId, "refused"));
                continue;
            }
            attempts.add(new Attempt(v, connectionId, "accepted"));
            final int features = v.atLeast(ProtocolVersion.COPPER) ? vr.supportedFeatures() : 0;
            final int messageConnectionId =
                    multiclient ? vr.selectedVersionOrConnectionId() : ConnectionIds.MESSAGE_CONNECTION_ID;
            final Connection c = new Connection(v, features, messageConnectionId, attempts);
            lock.lock();
            try {
                connection = c;
                context = DecodeContext.connected(v, features);
                phase = Phase.CONNECTED;
                unloadComplete = false;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            return c;
        }
        lock.lock();
        try {
            phase = Phase.DISCONNECTED;
        } finally {
            lock.unlock();
        }
        throw new GuestException(GuestException.Kind.REFUSED, "every version refused: " + attempts);
    }

    private InitiateContact initiateContact(final ProtocolVersion v) {
        final boolean copper = v.atLeast(ProtocolVersion.COPPER);
        final long targetInfo;
        if (v.atLeast(ProtocolVersion.WIN10_RS3_1)) {
            targetInfo = InitiateContact.targetInfo(options.sint(), 0, copper ? options.featureFlags() : 0);
        } else {
            targetInfo = interruptPage;
        }
        final boolean form2 = copper && options.style() == GuestOptions.Style.COPPER;
        return new InitiateContact(
                form2 ? InitiateContactForm.V2 : InitiateContactForm.V1,
                v.code(),
                options.vp(),
                targetInfo,
                monitorPage1,
                monitorPage2,
                form2 ? options.clientId() : Guid.ZERO);
    }

    /**
     * Sends REQUEST_OFFERS and waits for ALL_OFFERS_DELIVERED (Linux itself does not wait; the convenience call does).
     *
     * @param timeout the longest wait
     * @return the offers, by channel id
     * @throws GuestException TIMEOUT if ALL_OFFERS_DELIVERED did not come
     */
    public List<OfferChannel> requestOffers(final Duration timeout) {
        requireConnected("REQUEST_OFFERS", ProtocolVersion.WIN8);
        final long deadline = deadline(timeout);
        lock.lock();
        try {
            allOffersDelivered = false;
        } finally {
            lock.unlock();
        }
        postOrThrow(new RequestOffers(), deadline);
        awaitOrThrow(() -> allOffersDelivered, deadline, "ALL_OFFERS_DELIVERED");
        return offers();
    }

    /**
     * Waits for an offer matching the interface and instance (e.g. a hot-added channel).
     *
     * @param interfaceId the interface GUID
     * @param instanceId the instance GUID
     * @param timeout the longest wait
     * @return the offer
     */
    public OfferChannel awaitOffer(final Guid interfaceId, final Guid instanceId, final Duration timeout) {
        final long deadline = deadline(timeout);
        awaitOrThrow(() -> findOffer(interfaceId, instanceId) != null, deadline, "offer " + interfaceId);
        return locked(() -> findOffer(interfaceId, instanceId));
    }

    private OfferChannel findOffer(final Guid interfaceId, final Guid instanceId) {
        for (final OfferChannel o : offers.values()) {
            if (o.interfaceId().equals(interfaceId)
                    && o.instanceId().equals(instanceId)
                    && !rescinded.contains(o.channelId())) {
                return o;
            }
        }
        return null;
    }

    /**
     * Sends UNLOAD and waits for UNLOAD_COMPLETE; the connection is then gone. Linux sends UNLOAD only at 3.0 and
     * later; so does this client in Linux style.
     *
     * @param timeout the longest wait
     * @throws GuestException INVALID_STATE below 3.0 (Linux style), TIMEOUT if no UNLOAD_COMPLETE came
     */
    public void unload(final Duration timeout) {
        requireConnected(
                "UNLOAD", options.style() == GuestOptions.Style.LINUX ? ProtocolVersion.WIN8_1 : ProtocolVersion.WIN8);
        final long deadline = deadline(timeout);
        lock.lock();
        try {
            unloadComplete = false;
            phase = Phase.UNLOADING;
        } finally {
            lock.unlock();
        }
        postOrThrow(new Unload(), deadline);
        awaitOrThrow(() -> unloadComplete, deadline, "UNLOAD_COMPLETE");
        final List<GuestChannel> closed = new ArrayList<>();
        lock.lock();
        try {
            // The host closed every non-reserved channel and dropped its GPADLs: their ring pages are ours again.
            for (final GuestChannel ch : channelsByRelid.values()) {
                if (!ch.isReserved()) {
                    ch.markClosed();
                    closed.add(ch);
                }
            }
            channelsByRelid.values().removeIf(GuestChannel::isClosed);
            channelsByFlag.values().removeIf(GuestChannel::isClosed);
            offers.clear();
            rescinded.clear();
        } finally {
            lock.unlock();
        }
        for (final GuestChannel ch : closed) {
            ram.free(ch.ringGpadl().pages());
        }
    }

    // =================================================================================================================
    // GPADLs
    // =================================================================================================================

    /**
     * Creates a GPADL over {@code pages} (one range, byte offset 0), split into header and bodies as Linux does, and
     * waits for GPADL_CREATED.
     *
     * @param channelId the owning channel
     * @param pages the guest pages
     * @param timeout the longest wait
     * @return the GPADL
     * @throws GuestException REFUSED with the host's status, TIMEOUT
     */
    public GuestGpadl createGpadl(final int channelId, final long[] pages, final Duration timeout) {
        requireConnected("GPADL_HEADER", ProtocolVersion.WIN8);
        final long deadline = deadline(timeout);
        final int gpadlId;
        lock.lock();
        try {
            gpadlId = nextGpadlId++;
        } finally {
            lock.unlock();
        }
        final long byteCount = (long) pages.length * GuestMemory.PAGE_SIZE;
        for (final ChannelMessage m : GpadlMessages.split(channelId, gpadlId, byteCount, pages)) {
            postOrThrow(m, deadline);
        }
        final long key = gpadlKey(channelId, gpadlId);
        awaitOrThrow(
                () -> gpadlCreated.containsKey(key),
                deadline,
                "GPADL_CREATED channel=" + channelId + " gpadl=" + gpadlId);
        final int status = locked(() -> gpadlCreated.remove(key));
        if (!NtStatus.isSuccess(status)) {
            throw new GuestException(
                    GuestException.Kind.REFUSED,
                    "GPADL_CREATED channel=" + channelId + " gpadl=" + gpadlId + " status=0x"
                            + Integer.toHexString(status) + " (expected: success)");
        }
        return new GuestGpadl(channelId, gpadlId, pages, byteCount);
    }

    /**
     * Sends GPADL_TEARDOWN and waits for GPADL_TORNDOWN.
     *
     * @param gpadl the GPADL
     * @param timeout the longest wait
     */
    public void teardownGpadl(final GuestGpadl gpadl, final Duration timeout) {
        requireConnected("GPADL_TEARDOWN", ProtocolVersion.WIN8);
        final long deadline = deadline(timeout);
        lock.lock();
        try {
            gpadlTorndown.remove(gpadl.gpadlId());
        } finally {
            lock.unlock();
        }
        postOrThrow(new GpadlTeardown(gpadl.channelId(), gpadl.gpadlId()), deadline);
        awaitOrThrow(
                () -> gpadlTorndown.contains(gpadl.gpadlId()), deadline, "GPADL_TORNDOWN gpadl=" + gpadl.gpadlId());
        lock.lock();
        try {
            gpadlTorndown.remove(gpadl.gpadlId());
        } finally {
            lock.unlock();
        }
    }

    // =================================================================================================================
    // Channels
    // =================================================================================================================

    /**
     * Opens a channel as Linux does: allocates both rings in one block (guest&rarr;host first), creates the ring
     * GPADL, sends OPENCHANNEL with {@code openid = relid} (OpenChannel2 with the offer's connection id and the relid as
     * event flag when guest-specified signal parameters were negotiated), and waits for OPENCHANNEL_RESULT.
     *
     * @param offer the offer
     * @param open ring sizes, target VP, user data
     * @param timeout the longest wait for each answer
     * @return the open channel
     * @throws GuestException REFUSED with the host's status (the GPADL is torn down again), TIMEOUT
     */
    public GuestChannel open(final OfferChannel offer, final OpenOptions open, final Duration timeout) {
        requireConnected("OPENCHANNEL", ProtocolVersion.WIN8);
        final int relid = offer.channelId();
        final RingSetup setup = setUpRings(relid, open, timeout);
        final boolean v2 =
                FeatureFlags.has(connection().featureFlags(), FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS);
        final int connectionId = offer.connectionId();
        final int flag = v2 ? relid : 0;
        final OpenChannel msg = new OpenChannel(
                v2 ? OpenChannelForm.V2 : OpenChannelForm.V1,
                relid,
                relid,
                setup.gpadl.gpadlId(),
                open.targetVp(),
                open.sendRingPages(),
                open.userData(),
                v2 ? connectionId : 0,
                v2 ? relid : 0,
                0);
        final GuestChannel ch = new GuestChannel(
                this, offer, setup.gpadl, setup.rings, connectionId, flag, false, open.sendRingPages(), false);
        final int eventFlag = relid; // host->guest interrupts carry the relid unless the guest chose a flag (same here)
        final long deadline = deadline(timeout);
        lock.lock();
        try {
            openResults.remove(relid);
            channelsByFlag.put(eventFlag, ch);
        } finally {
            lock.unlock();
        }
        try {
            postOrThrow(msg, deadline);
            awaitOrThrow(() -> openResults.containsKey(relid), deadline, "OPENCHANNEL_RESULT channel=" + relid);
        } catch (GuestException e) {
            forget(ch); // the ring GPADL stays: the host may still answer (Linux would wait forever)
            throw e;
        }
        final OpenResult result = locked(() -> openResults.remove(relid));
        if (!NtStatus.isSuccess(result.status())) {
            forget(ch);
            teardownGpadl(setup.gpadl, timeout);
            ram.free(setup.gpadl.pages());
            throw new GuestException(
                    GuestException.Kind.REFUSED,
                    "OPENCHANNEL_RESULT channel=" + relid + " status=0x" + Integer.toHexString(result.status())
                            + " (expected: success)");
        }
        lock.lock();
        try {
            channelsByRelid.put(relid, ch);
        } finally {
            lock.unlock();
        }
        return ch;
    }

    /**
     * Closes a channel as Linux does: CLOSECHANNEL (no reply), then GPADL_TEARDOWN of the ring GPADL and the wait for
     * GPADL_TORNDOWN; the ring pages are freed.
     *
     * @param channel the channel
     * @param timeout the longest wait
     */
    public void close(final GuestChannel channel, final Duration timeout) {
        if (channel.isReserved()) {
            throw new GuestException(
                    GuestException.Kind.INVALID_STATE,
                    "close of reserved channel " + channel.channelId() + " (expected: closeReserved)");
        }
        if (channel.isClosed()) {
            return;
        }
        final long deadline = deadline(timeout);
        postOrThrow(new CloseChannel(channel.channelId()), deadline);
        forget(channel);
        teardownGpadl(channel.ringGpadl(), timeout);
        ram.free(channel.ringGpadl().pages());
    }

    /**
     * Opens a reserved channel (4.0 and later): ring GPADL, OPEN_RESERVED_CHANNEL with the VP and SINT its control
     * messages go to, and the wait for OPENCHANNEL_RESULT there. The host keeps it open across UNLOAD and
     * reconnects; it raises no interrupts for it.
     *
     * @param offer the offer
     * @param open ring sizes
     * @param targetVp the VP for its control messages
     * @param targetSint the SINT for them
     * @param timeout the longest wait
     * @return the open channel
     */
    public GuestChannel openReserved(
            final OfferChannel offer,
            final OpenOptions open,
            final int targetVp,
            final int targetSint,
            final Duration timeout) {
        requireConnected("OPEN_RESERVED_CHANNEL", ProtocolVersion.WIN10);
        final int relid = offer.channelId();
        final RingSetup setup = setUpRings(relid, open, timeout);
        final GuestChannel ch = new GuestChannel(
                this, offer, setup.gpadl, setup.rings, offer.connectionId(), 0, true, open.sendRingPages(), false);
        final long deadline = deadline(timeout);
        lock.lock();
        try {
            openResults.remove(relid);
        } finally {
            lock.unlock();
        }
        postOrThrow(
                new OpenReservedChannel(relid, targetVp, targetSint, setup.gpadl.gpadlId(), open.sendRingPages()),
                deadline);
        awaitOrThrow(() -> openResults.containsKey(relid), deadline, "OPENCHANNEL_RESULT (reserved) channel=" + relid);
        final OpenResult result = locked(() -> openResults.remove(relid));
        if (!NtStatus.isSuccess(result.status())) {
            teardownGpadl(setup.gpadl, timeout);
            ram.free(setup.gpadl.pages());
            throw new GuestException(
                    GuestException.Kind.REFUSED,
                    "OPENCHANNEL_RESULT (reserved) channel=" + relid + " status=0x"
                            + Integer.toHexString(result.status()) + " (expected: success)");
        }
        lock.lock();
        try {
            channelsByRelid.put(relid, ch);
        } finally {
            lock.unlock();
        }
        return ch;
    }

    /**
     * Closes a reserved channel: CLOSE_RESERVED_CHANNEL with where the response goes, the wait for
     * CLOSE_RESERVED_CHANNEL_RESPONSE, then the ring GPADL's teardown (not for a channel this client adopted: the
     * host tears that GPADL down itself, since this connection never held it).
     *
     * @param channel the channel
     * @param targetVp the VP for the response
     * @param targetSint the SINT for the response
     * @param timeout the longest wait
     */
    public void closeReserved(
            final GuestChannel channel, final int targetVp, final int targetSint, final Duration timeout) {
        if (!channel.isReserved()) {
            throw new GuestException(
                    GuestException.Kind.INVALID_STATE,
                    "closeReserved of channel " + channel.channelId() + " (expected: a reserved channel)");
        }
        requireConnected("CLOSE_RESERVED_CHANNEL", ProtocolVersion.WIN10);
        final int relid = channel.channelId();
        final long deadline = deadline(timeout);
        lock.lock();
        try {
            closeReservedResponses.remove(relid);
        } finally {
            lock.unlock();
        }
        postOrThrow(new CloseReservedChannel(relid, targetVp, targetSint), deadline);
        awaitOrThrow(
                () -> closeReservedResponses.contains(relid),
                deadline,
                "CLOSE_RESERVED_CHANNEL_RESPONSE channel=" + relid);
        forget(channel);
        if (!channel.isInherited()) {
            teardownGpadl(channel.ringGpadl(), timeout);
        }
        // An adopted channel's GPADL was never this connection's: the host drops it itself after the close.
        ram.free(channel.ringGpadl().pages());
    }

    /**
     * Takes over a reserved channel another client left open in the same guest RAM, as an OS kernel debugger takes
     * over the channel the firmware's debugger opened: the rings are read where they stand (no byte in them is lost),
     * and this client's transport carries the channel's signals and, later, its CLOSE_RESERVED_CHANNEL. Nothing is
     * posted: the host still holds the channel open for the reservation, and never offers it to this connection.
     *
     * @param previous the channel as the other client opened it (its rings must not be used through it any more)
     * @return the channel, sending and receiving through this client
     * @throws GuestException INVALID_STATE if {@code previous} is not an open reserved channel, RING if its rings no
     *     longer parse
     */
    public GuestChannel adoptReserved(final GuestChannel previous) {
        if (!previous.isReserved() || previous.isClosed()) {
            throw new GuestException(
                    GuestException.Kind.INVALID_STATE,
                    "adopt channel " + previous.channelId() + " reserved=" + previous.isReserved() + " closed="
                            + previous.isClosed() + " (expected: an open reserved channel)");
        }
        final long[] pages = previous.ringGpadl().pages();
        final GpadlView view = GpadlView.of(
                        ram.memory(), List.of(new GpaRange(0, pages.length * GuestMemory.PAGE_SIZE, pages)))
                .orElseThrow();
        final MemoryResult<RingPair> r = RingPair.forGuest(view, previous.sendRingPages(), options.maxOutgoingPacket());
        if (r instanceof MemoryResult.Failed<RingPair> f) {
            throw new GuestException(GuestException.Kind.RING, "adopted rings: " + f.error());
        }
        final GuestChannel ch = new GuestChannel(
                this,
                previous.offer(),
                previous.ringGpadl(),
                r.orElseThrow(),
                previous.offer().connectionId(),
                0,
                true,
                previous.sendRingPages(),
                true);
        lock.lock();
        try {
            channelsByRelid.put(ch.channelId(), ch);
        } finally {
            lock.unlock();
        }
        return ch;
    }

    /**
     * MODIFYCHANNEL (4.1 and later): moves the channel's interrupts to another VP. At 5.3 and later Linux waits for
     * MODIFYCHANNEL_RESPONSE; below it waits for nothing.
     *
     * @param channel the channel
     * @param targetVp the new VP
     * @param timeout the longest wait
     * @return the response status at 5.3 and later; empty below
     */
    public OptionalInt modify(final GuestChannel channel, final int targetVp, final Duration timeout) {
        final ProtocolVersion v = requireConnected("MODIFYCHANNEL", ProtocolVersion.WIN10_RS3_0);
        final int relid = channel.channelId();
        final long deadline = deadline(timeout);
        lock.lock();
        try {
            modifyResponses.remove(relid);
        } finally {
            lock.unlock();
        }
        postOrThrow(new ModifyChannel(relid, targetVp), deadline);
        if (!v.atLeast(ProtocolVersion.IRON)) {
            return OptionalInt.empty();
        }
        awaitOrThrow(() -> modifyResponses.containsKey(relid), deadline, "MODIFYCHANNEL_RESPONSE channel=" + relid);
        return OptionalInt.of(locked(() -> modifyResponses.remove(relid)));
    }

    /**
     * Sends RELID_RELEASED for a rescinded channel (closing it first if open); what the worker does on its own when
     * {@link GuestOptions#autoReleaseRescinded()} is set.
     *
     * @param channelId the channel id
     * @param timeout the longest wait for a post
     */
    public void releaseRescinded(final int channelId, final Duration timeout) {
        final long deadline = deadline(timeout);
        final GuestChannel ch;
        lock.lock();
        try {
            if (!rescinded.contains(channelId)) {
                throw new GuestException(
                        GuestException.Kind.INVALID_STATE,
                        "RELID_RELEASED for channel " + channelId + " (expected: a rescinded channel)");
            }
            if (released.contains(channelId)) {
                return;
            }
            released.add(channelId);
            ch = channelsByRelid.get(channelId);
        } finally {
            lock.unlock();
        }
        if (ch != null && !ch.isClosed()) {
            // Linux still sends CLOSECHANNEL after a rescind, but skips GPADL_TEARDOWN (the host drops the GPADLs).
            postOrThrow(new CloseChannel(channelId), deadline);
            forget(ch);
        }
        postOrThrow(new RelIdReleased(channelId), deadline);
        lock.lock();
        try {
            offers.remove(channelId);
            rescinded.remove(channelId);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (ch != null) {
            ram.free(ch.ringGpadl().pages());
        }
    }

    /**
     * Waits until a rescinded channel was released (by the worker or {@link #releaseRescinded}).
     *
     * @param channelId the channel id
     * @param timeout the longest wait
     */
    public void awaitReleased(final int channelId, final Duration timeout) {
        awaitOrThrow(
                () -> released.contains(channelId) && !rescinded.contains(channelId),
                deadline(timeout),
                "release of rescinded channel " + channelId);
    }

    private record RingSetup(GuestGpadl gpadl, RingPair rings) {}

    private RingSetup setUpRings(final int relid, final OpenOptions open, final Duration timeout) {
        final int total = open.sendRingPages() + open.receiveRingPages();
        final long[] pages = ram.allocate(total);
        final GpadlView view;
        final MemoryResult<GpadlView> v =
                GpadlView.of(ram.memory(), List.of(new GpaRange(0, total * GuestMemory.PAGE_SIZE, pages)));
        view = v.orElseThrow();
        final MemoryResult<RingPair> r = RingPair.forGuest(view, open.sendRingPages(), options.maxOutgoingPacket());
        if (r instanceof MemoryResult.Failed<RingPair> f) {
            ram.free(pages);
            throw new GuestException(GuestException.Kind.RING, "rings: " + f.error());
        }
        final GuestGpadl gpadl;
        try {
            gpadl = createGpadl(relid, pages, timeout);
        } catch (GuestException e) {
            ram.free(pages);
            throw e;
        }
        return new RingSetup(gpadl, r.orElseThrow());
    }

    private void forget(final GuestChannel ch) {
        lock.lock();
        try {
            ch.markClosed();
            channelsByRelid.remove(ch.channelId(), ch);
            channelsByFlag.values().remove(ch);
        } finally {
            lock.unlock();
        }
    }

    // =================================================================================================================
    // Incoming
    // =================================================================================================================

    /**
     * The state machine's input: one message the host delivered. Never posts and never throws for bad input; a
     * message that does not decode or does not fit the state is recorded in {@link #protocolErrors()}.
     *
     * @param vp the VP it was delivered on
     * @param sint the SINT
     * @param messageType the SynIC message type
     * @param payload the payload
     */
    void handleMessage(final int vp, final int sint, final int messageType, final byte[] payload) {
        lock.lock();
        try {
            messagesReceived++;
            if (messageType != ConnectionIds.VMBUS_MESSAGE_TYPE) {
                protocolErrors.add("SynIC message type=" + messageType + " (expected: 1)");
                return;
            }
            final DecodeResult decoded = MessageCodec.decode(payload, Direction.HOST_TO_GUEST, context);
            if (decoded instanceof DecodeResult.Failed f) {
                protocolErrors.add(f.error().describe());
                return;
            }
            final ChannelMessage m = ((DecodeResult.Decoded) decoded).message();
            switch (m) {
                case VersionResponse r -> {
                    if (phase == Phase.CONNECTING) {
                        versionResponse = r;
                    } else {
                        protocolErrors.add("VERSION_RESPONSE in phase " + phase);
                    }
                }
                case OfferChannel o -> offers.put(o.channelId(), o);
                case AllOffersDelivered a -> allOffersDelivered = true;
                case RescindChannelOffer r -> onRescind(r.channelId());
                case OpenResult r -> openResults.put(r.channelId(), r);
                case GpadlCreated g -> gpadlCreated.put(gpadlKey(g.channelId(), g.gpadlId()), g.status());
                case GpadlTorndown g -> gpadlTorndown.add(g.gpadlId());
                case ModifyChannelResponse r -> modifyResponses.put(r.channelId(), r.status());
                case CloseReservedChannelResponse r -> closeReservedResponses.add(r.channelId());
                case UnloadComplete u -> {
                    if (phase != Phase.UNLOADING) {
                        protocolErrors.add("UNLOAD_COMPLETE in phase " + phase + " (expected: UNLOADING)");
                        return;
                    }
                    unloadComplete = true;
                    phase = Phase.DISCONNECTED;
                    connection = null;
                    context = DecodeContext.DISCONNECTED;
                }
                default -> protocolErrors.add("unhandled host message " + m.type());
            }
        } finally {
            changed.signalAll();
            lock.unlock();
        }
    }

    private void onRescind(final int relid) {
        if (!offers.containsKey(relid)) {
            protocolErrors.add("RESCIND_CHANNELOFFER for unknown channel " + relid);
            return;
        }
        rescinded.add(relid);
        final GuestChannel ch = channelsByRelid.get(relid);
        if (ch != null) {
            ch.onHostSignal(); // wake its waiters
        }
        if (options.autoReleaseRescinded()) {
            worker.execute(() -> {
                try {
                    releaseRescinded(relid, Duration.ofSeconds(10));
                } catch (GuestException e) {
                    lock.lock();
                    try {
                        protocolErrors.add("release of rescinded channel " + relid + " failed: " + e.getMessage());
                    } finally {
                        lock.unlock();
                    }
                }
            });
        }
    }

    private void handleSignal(final int flag) {
        final GuestChannel ch = locked(() -> channelsByFlag.get(flag));
        if (ch != null) {
            ch.onHostSignal();
        }
    }

    // =================================================================================================================
    // Posting and waiting
    // =================================================================================================================

    private int post(final int connectionId, final ChannelMessage m, final long deadline) {
        final byte[] bytes = MessageCodec.encode(m);
        while (true) {
            final long seen = locked(() -> messagesReceived);
            final int status =
                    transport.postMessage(connectionId, options.vp(), ConnectionIds.VMBUS_MESSAGE_TYPE, bytes);
            if (status != HvStatus.INSUFFICIENT_BUFFERS) {
                return status;
            }
            lock.lock();
            try {
                postRetries++;
                // The host is busy delivering to us: retry after our next message, or after a short back-off.
                final long until = Math.min(deadline, System.nanoTime() + RETRY_WAIT_NANOS);
                long left;
                while (messagesReceived == seen && (left = until - System.nanoTime()) > 0) {
                    changed.await(left, TimeUnit.NANOSECONDS);
                }
                if (deadline - System.nanoTime() <= 0) {
                    throw new GuestException(
                            GuestException.Kind.TIMEOUT, m.type() + ": host buffers stayed full (status 19)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GuestException(GuestException.Kind.TIMEOUT, "interrupted posting " + m.type(), e);
            } finally {
                lock.unlock();
            }
        }
    }

    private void postOrThrow(final ChannelMessage m, final long deadline) {
        final int connectionId = locked(() -> connection == null ? -1 : connection.messageConnectionId());
        if (connectionId < 0) {
            throw new GuestException(GuestException.Kind.INVALID_STATE, m.type() + " without a connection");
        }
        final int status = post(connectionId, m, deadline);
        if (status != HvStatus.SUCCESS) {
            throw new GuestException(
                    GuestException.Kind.POST_FAILED,
                    m.type() + " to connection " + connectionId + ": " + HvStatus.describe(status)
                            + " (expected: SUCCESS)");
        }
    }

    private ProtocolVersion requireConnected(final String what, final ProtocolVersion min) {
        final Connection c = connection();
        if (c == null) {
            throw new GuestException(GuestException.Kind.INVALID_STATE, what + " without a connection");
        }
        if (!c.version().atLeast(min)) {
            throw new GuestException(
                    GuestException.Kind.INVALID_STATE,
                    what + " at version " + c.version().text() + " (expected: >= " + min.text() + ")");
        }
        return c.version();
    }

    /** Waits until {@code condition} (evaluated under the lock) holds, or throws TIMEOUT at the deadline. */
    private void awaitOrThrow(final BooleanSupplier condition, final long deadline, final String what) {
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new GuestException(GuestException.Kind.TIMEOUT, "no " + what + " from the host");
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestException(GuestException.Kind.TIMEOUT, "interrupted waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(final java.util.function.Supplier<T> s) {
        lock.lock();
        try {
            return s.get();
        } finally {
            lock.unlock();
        }
    }

    private static long deadline(final Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    private static long gpadlKey(final int channelId, final int gpadlId) {
        return ((long) channelId << 32) | (gpadlId & 0xFFFF_FFFFL);
    }

    /** Stops the worker; the transport stays open (its owner closes it). */
    @Override
    public void close() {
        worker.shutdownNow();
    }
}
