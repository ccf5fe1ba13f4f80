package io.jvmbus.protocol.message.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.LinuxLayoutTable;
import io.jvmbus.protocol.LinuxLayoutTable.Aggregate;
import io.jvmbus.protocol.LinuxLayoutTable.Member;
import io.jvmbus.protocol.synic.PostMessageInputLayout;
import io.jvmbus.protocol.synic.SynicMessageHeaderLayout;
import io.jvmbus.protocol.synic.SynicMessageLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks every channel-message and SynIC-message struct Linux 6.1 defines against our layout constants: the struct
 * size and every member's offset and size (or bit position), read at test time from the generated table
 * ({@code linux-6.1-struct-layouts.txt}). The test holds no numbers of its own: the left side of every comparison
 * comes from the table, the right side from a {@code *Layout} constant. Every member of a mapped struct must be
 * mapped, and every struct in the table must be either mapped here or listed as owned by another package, so a new
 * struct in a regenerated table fails the test until someone decides where it belongs.
 */
class LinuxStructLayoutTest {

    /** Structs in the table that other packages own and check (named with their owner). */
    private static final Map<String, String> OWNED_ELSEWHERE = Map.ofEntries(
            Map.entry("hv_page_buffer", "protocol.ring"),
            Map.entry("hv_multipage_buffer", "protocol.ring"),
            Map.entry("hv_mpb_array", "protocol.ring"),
            Map.entry("hv_ring_buffer", "protocol.ring"),
            Map.entry("vmpacket_descriptor", "protocol.ring"),
            Map.entry("vmpacket_header", "protocol.ring"),
            Map.entry("vmtransfer_page_range", "protocol.ring"),
            Map.entry("vmtransfer_page_packet_header", "protocol.ring"),
            Map.entry("vmgpadl_packet_header", "protocol.ring"),
            Map.entry("vmadd_remove_transfer_page_set", "protocol.ring"),
            Map.entry("gpa_range", "protocol.ring (GpaRangeLayout; parsed by io.jvmbus.protocol.GpaRanges)"),
            Map.entry("vmestablish_gpadl", "protocol.ring"),
            Map.entry("vmteardown_gpadl", "protocol.ring"),
            Map.entry("vmdata_gpa_direct", "protocol.ring"),
            Map.entry("vmadditional_data", "protocol.ring"),
            Map.entry("vmbus_channel_packet_page_buffer", "protocol.ring (ring packets, not channel messages)"),
            Map.entry("vmbus_channel_packet_multipage_buffer", "protocol.ring (ring packets, not channel messages)"),
            Map.entry("vmbus_packet_mpb_array", "protocol.ring"),
            Map.entry("hv_monitor_trigger_group", "monitor pages (memory module)"),
            Map.entry("hv_monitor_parameter", "monitor pages (memory module)"),
            Map.entry("hv_monitor_trigger_state", "monitor pages (memory module)"),
            Map.entry("hv_monitor_page", "monitor pages (memory module)"),
            Map.entry("hv_synic_event_flags", "event flags page (memory module)"),
            Map.entry("hv_synic_scontrol", "SynIC registers (not on the wire)"),
            Map.entry("hv_synic_sint", "SynIC registers (not on the wire)"),
            Map.entry("hv_synic_simp", "SynIC registers (not on the wire)"),
            Map.entry("hv_synic_siefp", "SynIC registers (not on the wire)"));

    private static Map<String, Aggregate> table;

    @BeforeAll
    static void loadTable() throws IOException {
        table = LinuxLayoutTable.load(LinuxLayoutTable.locate());
    }

    /** What one Linux member must match. */
    private sealed interface Expect {
        String member();
    }

    /** A byte field at exactly this offset with exactly this size. */
    private record Exact(String member, int offset, int size) implements Expect {}

    /** A flexible array starting at this offset. */
    private record Flex(String member, int offset) implements Expect {}

    /** A bit field whose bits are exactly {@code mask} of the field at {@code byteOffset}. */
    private record Bits(String member, int byteOffset, int mask) implements Expect {}

    /** A member (byte or bit field) that lies inside our field {@code [offset, offset + size)}. */
    private record Within(String member, int offset, int size) implements Expect {}

    /** A Linux struct and its expected size and members. */
    private record Mapping(String struct, int size, List<Expect> expects) {
        @Override
        public String toString() {
            return struct;
        }
    }

    private static Exact exact(final String member, final int offset, final int size) {
        return new Exact(member, offset, size);
    }

    private static Mapping map(final String struct, final int size, final Expect... expects) {
        return new Mapping(struct, size, List.of(expects));
    }

    private static Exact header(final int offset, final int size) {
        return exact("header", offset, size);
    }

    static Stream<Mapping> mappings() {
        return Stream.of(
                map(
                        "vmbus_channel_message_header",
                        ChannelMessageHeaderLayout.SIZE,
                        exact(
                                "msgtype",
                                ChannelMessageHeaderLayout.MESSAGE_TYPE_OFFSET,
                                ChannelMessageHeaderLayout.MESSAGE_TYPE_SIZE),
                        exact(
                                "padding",
                                ChannelMessageHeaderLayout.PADDING_OFFSET,
                                ChannelMessageHeaderLayout.PADDING_SIZE)),
                map(
                        "vmbus_channel_offer",
                        ChannelOfferLayout.SIZE,
                        exact("if_type", ChannelOfferLayout.INTERFACE_ID_OFFSET, ChannelOfferLayout.INTERFACE_ID_SIZE),
                        exact(
                                "if_instance",
                                ChannelOfferLayout.INSTANCE_ID_OFFSET,
                                ChannelOfferLayout.INSTANCE_ID_SIZE),
                        new Within("reserved1", ChannelOfferLayout.RESERVED_OFFSET, ChannelOfferLayout.RESERVED_SIZE),
                        new Within("reserved2", ChannelOfferLayout.RESERVED_OFFSET, ChannelOfferLayout.RESERVED_SIZE),
                        exact("chn_flags", ChannelOfferLayout.FLAGS_OFFSET, ChannelOfferLayout.FLAGS_SIZE),
                        exact(
                                "mmio_megabytes",
                                ChannelOfferLayout.MMIO_MEGABYTES_OFFSET,
                                ChannelOfferLayout.MMIO_MEGABYTES_SIZE),
                        exact(
                                "u.std.user_def",
                                ChannelOfferLayout.USER_DEFINED_OFFSET,
                                ChannelOfferLayout.USER_DEFINED_SIZE),
                        exact(
                                "u.pipe.pipe_mode",
                                ChannelOfferLayout.USER_DEFINED_OFFSET + PipeParametersLayout.PIPE_TYPE_OFFSET,
                                PipeParametersLayout.PIPE_TYPE_SIZE),
                        exact(
                                "u.pipe.user_def",
                                ChannelOfferLayout.USER_DEFINED_OFFSET + PipeParametersLayout.PROVIDER_DATA_OFFSET,
                                PipeParametersLayout.SIZE - PipeParametersLayout.PROVIDER_DATA_OFFSET),
                        exact(
                                "sub_channel_index",
                                ChannelOfferLayout.SUBCHANNEL_INDEX_OFFSET,
                                ChannelOfferLayout.SUBCHANNEL_INDEX_SIZE),
                        exact(
                                "reserved3",
                                ChannelOfferLayout.MMIO_MEGABYTES_OPTIONAL_OFFSET,
                                ChannelOfferLayout.MMIO_MEGABYTES_OPTIONAL_SIZE)),
                map(
                        "vmbus_channel_offer_channel",
                        OfferChannelLayout.SIZE,
                        header(OfferChannelLayout.HEADER_OFFSET, OfferChannelLayout.HEADER_SIZE),
                        exact("offer", OfferChannelLayout.OFFER_OFFSET, OfferChannelLayout.OFFER_SIZE),
                        exact("child_relid", OfferChannelLayout.CHANNEL_ID_OFFSET, OfferChannelLayout.CHANNEL_ID_SIZE),
                        exact("monitorid", OfferChannelLayout.MONITOR_ID_OFFSET, OfferChannelLayout.MONITOR_ID_SIZE),
                        new Bits(
                                "monitor_allocated",
                                OfferChannelLayout.MONITOR_ALLOCATED_OFFSET,
                                OfferChannelLayout.MONITOR_ALLOCATED_MASK),
                        new Within(
                                "reserved",
                                OfferChannelLayout.MONITOR_ALLOCATED_OFFSET,
                                OfferChannelLayout.MONITOR_ALLOCATED_SIZE),
                        new Bits(
                                "is_dedicated_interrupt",
                                OfferChannelLayout.IS_DEDICATED_OFFSET,
                                OfferChannelLayout.IS_DEDICATED_MASK),
                        new Within(
                                "reserved1",
                                OfferChannelLayout.IS_DEDICATED_OFFSET,
                                OfferChannelLayout.IS_DEDICATED_SIZE),
                        exact(
                                "connection_id",
                                OfferChannelLayout.CONNECTION_ID_OFFSET,
                                OfferChannelLayout.CONNECTION_ID_SIZE)),
                map(
                        "vmbus_channel_rescind_offer",
                        RescindChannelOfferLayout.SIZE,
                        header(RescindChannelOfferLayout.HEADER_OFFSET, RescindChannelOfferLayout.HEADER_SIZE),
                        exact(
                                "child_relid",
                                RescindChannelOfferLayout.CHANNEL_ID_OFFSET,
                                RescindChannelOfferLayout.CHANNEL_ID_SIZE)),
                map(
                        "vmbus_channel_open_channel",
                        OpenChannelLayout.SIZE,
                        header(OpenChannelLayout.HEADER_OFFSET, OpenChannelLayout.HEADER_SIZE),
                        exact("child_relid", OpenChannelLayout.CHANNEL_ID_OFFSET, OpenChannelLayout.CHANNEL_ID_SIZE),
                        exact("openid", OpenChannelLayout.OPEN_ID_OFFSET, OpenChannelLayout.OPEN_ID_SIZE),
                        exact(
                                "ringbuffer_gpadlhandle",
                                OpenChannelLayout.RING_BUFFER_GPADL_ID_OFFSET,
                                OpenChannelLayout.RING_BUFFER_GPADL_ID_SIZE),
                        exact("target_vp", OpenChannelLayout.TARGET_VP_OFFSET, OpenChannelLayout.TARGET_VP_SIZE),
                        exact(
                                "downstream_ringbuffer_pageoffset",
                                OpenChannelLayout.DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_OFFSET,
                                OpenChannelLayout.DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_SIZE),
                        exact("userdata", OpenChannelLayout.USER_DATA_OFFSET, OpenChannelLayout.USER_DATA_SIZE)),
                map(
                        "vmbus_channel_open_result",
                        OpenResultLayout.SIZE,
                        header(OpenResultLayout.HEADER_OFFSET, OpenResultLayout.HEADER_SIZE),
                        exact("child_relid", OpenResultLayout.CHANNEL_ID_OFFSET, OpenResultLayout.CHANNEL_ID_SIZE),
                        exact("openid", OpenResultLayout.OPEN_ID_OFFSET, OpenResultLayout.OPEN_ID_SIZE),
                        exact("status", OpenResultLayout.STATUS_OFFSET, OpenResultLayout.STATUS_SIZE)),
                map(
                        "vmbus_channel_modifychannel_response",
                        ModifyChannelResponseLayout.SIZE,
                        header(ModifyChannelResponseLayout.HEADER_OFFSET, ModifyChannelResponseLayout.HEADER_SIZE),
                        exact(
                                "child_relid",
                                ModifyChannelResponseLayout.CHANNEL_ID_OFFSET,
                                ModifyChannelResponseLayout.CHANNEL_ID_SIZE),
                        exact(
                                "status",
                                ModifyChannelResponseLayout.STATUS_OFFSET,
                                ModifyChannelResponseLayout.STATUS_SIZE)),
                map(
                        "vmbus_channel_close_channel",
                        CloseChannelLayout.SIZE,
                        header(CloseChannelLayout.HEADER_OFFSET, CloseChannelLayout.HEADER_SIZE),
                        exact("child_relid", CloseChannelLayout.CHANNEL_ID_OFFSET, CloseChannelLayout.CHANNEL_ID_SIZE)),
                map(
                        "vmbus_channel_gpadl_header",
                        GpadlHeaderLayout.SIZE,
                        header(GpadlHeaderLayout.HEADER_OFFSET, GpadlHeaderLayout.HEADER_SIZE),
                        exact("child_relid", GpadlHeaderLayout.CHANNEL_ID_OFFSET, GpadlHeaderLayout.CHANNEL_ID_SIZE),
                        exact("gpadl", GpadlHeaderLayout.GPADL_ID_OFFSET, GpadlHeaderLayout.GPADL_ID_SIZE),
                        exact(
                                "range_buflen",
                                GpadlHeaderLayout.RANGE_BUFFER_LENGTH_OFFSET,
                                GpadlHeaderLayout.RANGE_BUFFER_LENGTH_SIZE),
                        exact("rangecount", GpadlHeaderLayout.RANGE_COUNT_OFFSET, GpadlHeaderLayout.RANGE_COUNT_SIZE),
                        new Flex("range", GpadlHeaderLayout.DATA_OFFSET)),
                map(
                        "vmbus_channel_gpadl_body",
                        GpadlBodyLayout.SIZE,
                        header(GpadlBodyLayout.HEADER_OFFSET, GpadlBodyLayout.HEADER_SIZE),
                        exact("msgnumber", GpadlBodyLayout.MESSAGE_NUMBER_OFFSET, GpadlBodyLayout.MESSAGE_NUMBER_SIZE),
                        exact("gpadl", GpadlBodyLayout.GPADL_ID_OFFSET, GpadlBodyLayout.GPADL_ID_SIZE),
                        new Flex("pfn", GpadlBodyLayout.DATA_OFFSET)),
                map(
                        "vmbus_channel_gpadl_created",
                        GpadlCreatedLayout.SIZE,
                        header(GpadlCreatedLayout.HEADER_OFFSET, GpadlCreatedLayout.HEADER_SIZE),
                        exact("child_relid", GpadlCreatedLayout.CHANNEL_ID_OFFSET, GpadlCreatedLayout.CHANNEL_ID_SIZE),
                        exact("gpadl", GpadlCreatedLayout.GPADL_ID_OFFSET, GpadlCreatedLayout.GPADL_ID_SIZE),
                        exact("creation_status", GpadlCreatedLayout.STATUS_OFFSET, GpadlCreatedLayout.STATUS_SIZE)),
                map(
                        "vmbus_channel_gpadl_teardown",
                        GpadlTeardownLayout.SIZE,
                        header(GpadlTeardownLayout.HEADER_OFFSET, GpadlTeardownLayout.HEADER_SIZE),
                        exact(
                                "child_relid",
                                GpadlTeardownLayout.CHANNEL_ID_OFFSET,
                                GpadlTeardownLayout.CHANNEL_ID_SIZE),
                        exact("gpadl", GpadlTeardownLayout.GPADL_ID_OFFSET, GpadlTeardownLayout.GPADL_ID_SIZE)),
                map(
                        "vmbus_channel_gpadl_torndown",
                        GpadlTorndownLayout.SIZE,
                        header(GpadlTorndownLayout.HEADER_OFFSET, GpadlTorndownLayout.HEADER_SIZE),
                        exact("gpadl", GpadlTorndownLayout.GPADL_ID_OFFSET, GpadlTorndownLayout.GPADL_ID_SIZE)),
                map(
                        "vmbus_channel_relid_released",
                        RelIdReleasedLayout.SIZE,
                        header(RelIdReleasedLayout.HEADER_OFFSET, RelIdReleasedLayout.HEADER_SIZE),
                        exact(
                                "child_relid",
                                RelIdReleasedLayout.CHANNEL_ID_OFFSET,
                                RelIdReleasedLayout.CHANNEL_ID_SIZE)),
                map(
                        "vmbus_channel_initiate_contact",
                        InitiateContactLayout.SIZE,
                        header(InitiateContactLayout.HEADER_OFFSET, InitiateContactLayout.HEADER_SIZE),
                        exact(
                                "vmbus_version_requested",
                                InitiateContactLayout.VERSION_REQUESTED_OFFSET,
                                InitiateContactLayout.VERSION_REQUESTED_SIZE),
                        exact(
                                "target_vcpu",
                                InitiateContactLayout.TARGET_MESSAGE_VP_OFFSET,
                                InitiateContactLayout.TARGET_MESSAGE_VP_SIZE),
                        exact(
                                "interrupt_page",
                                InitiateContactLayout.INTERRUPT_PAGE_OR_TARGET_INFO_OFFSET,
                                InitiateContactLayout.INTERRUPT_PAGE_OR_TARGET_INFO_SIZE),
                        exact("msg_sint", InitiateContactLayout.TARGET_SINT_OFFSET, TargetInfoLayout.SINT_SIZE),
                        // 6.1's padding1[3] covers the later msg_vtl and the TargetInfo padding
                        exact(
                                "padding1",
                                InitiateContactLayout.TARGET_VTL_OFFSET,
                                TargetInfoLayout.VTL_SIZE + TargetInfoLayout.PADDING_SIZE),
                        // 6.1's padding2 is where Copper puts the requested feature flags
                        exact(
                                "padding2",
                                InitiateContactLayout.FEATURE_FLAGS_OFFSET,
                                TargetInfoLayout.FEATURE_FLAGS_SIZE),
                        exact(
                                "monitor_page1",
                                InitiateContactLayout.PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET,
                                InitiateContactLayout.PARENT_TO_CHILD_MONITOR_PAGE_GPA_SIZE),
                        exact(
                                "monitor_page2",
                                InitiateContactLayout.CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET,
                                InitiateContactLayout.CHILD_TO_PARENT_MONITOR_PAGE_GPA_SIZE)),
                map(
                        "vmbus_channel_tl_connect_request",
                        TlConnectRequestLayout.SIZE,
                        header(TlConnectRequestLayout.HEADER_OFFSET, TlConnectRequestLayout.HEADER_SIZE),
                        exact(
                                "guest_endpoint_id",
                                TlConnectRequestLayout.ENDPOINT_ID_OFFSET,
                                TlConnectRequestLayout.ENDPOINT_ID_SIZE),
                        exact(
                                "host_service_id",
                                TlConnectRequestLayout.SERVICE_ID_OFFSET,
                                TlConnectRequestLayout.SERVICE_ID_SIZE)),
                map(
                        "vmbus_channel_modifychannel",
                        ModifyChannelLayout.SIZE,
                        header(ModifyChannelLayout.HEADER_OFFSET, ModifyChannelLayout.HEADER_SIZE),
                        exact(
                                "child_relid",
                                ModifyChannelLayout.CHANNEL_ID_OFFSET,
                                ModifyChannelLayout.CHANNEL_ID_SIZE),
                        exact("target_vp", ModifyChannelLayout.TARGET_VP_OFFSET, ModifyChannelLayout.TARGET_VP_SIZE)),
                map(
                        "vmbus_channel_version_response",
                        VersionResponseLayout.SIZE,
                        header(VersionResponseLayout.HEADER_OFFSET, VersionResponseLayout.HEADER_SIZE),
                        exact(
                                "version_supported",
                                VersionResponseLayout.VERSION_SUPPORTED_OFFSET,
                                VersionResponseLayout.VERSION_SUPPORTED_SIZE),
                        exact(
                                "connection_state",
                                VersionResponseLayout.CONNECTION_STATE_OFFSET,
                                VersionResponseLayout.CONNECTION_STATE_SIZE),
                        exact("padding", VersionResponseLayout.PADDING_OFFSET, VersionResponseLayout.PADDING_SIZE),
                        exact(
                                "msg_conn_id",
                                VersionResponseLayout.SELECTED_VERSION_OR_CONNECTION_ID_OFFSET,
                                VersionResponseLayout.SELECTED_VERSION_OR_CONNECTION_ID_SIZE)),
                map(
                        "vmbus_channel_query_vmbus_version",
                        QueryVmbusVersionLayout.SIZE,
                        header(QueryVmbusVersionLayout.HEADER_OFFSET, QueryVmbusVersionLayout.HEADER_SIZE),
                        exact("version", QueryVmbusVersionLayout.VERSION_OFFSET, QueryVmbusVersionLayout.VERSION_SIZE)),
                map(
                        "vmbus_channel_version_supported",
                        VersionSupportedLayout.SIZE,
                        header(VersionSupportedLayout.HEADER_OFFSET, VersionSupportedLayout.HEADER_SIZE),
                        exact(
                                "version_supported",
                                VersionSupportedLayout.VERSION_SUPPORTED_OFFSET,
                                VersionSupportedLayout.VERSION_SUPPORTED_SIZE)),
                map(
                        "hv_message_header",
                        SynicMessageHeaderLayout.SIZE,
                        exact(
                                "message_type",
                                SynicMessageHeaderLayout.MESSAGE_TYPE_OFFSET,
                                SynicMessageHeaderLayout.MESSAGE_TYPE_SIZE),
                        exact(
                                "payload_size",
                                SynicMessageHeaderLayout.PAYLOAD_SIZE_OFFSET,
                                SynicMessageHeaderLayout.PAYLOAD_SIZE_SIZE),
                        exact(
                                "message_flags",
                                SynicMessageHeaderLayout.MESSAGE_FLAGS_OFFSET,
                                SynicMessageHeaderLayout.MESSAGE_FLAGS_SIZE),
                        exact(
                                "reserved",
                                SynicMessageHeaderLayout.RESERVED_OFFSET,
                                SynicMessageHeaderLayout.RESERVED_SIZE),
                        exact("sender", SynicMessageHeaderLayout.SENDER_OFFSET, SynicMessageHeaderLayout.SENDER_SIZE),
                        exact("port", SynicMessageHeaderLayout.PORT_OFFSET, SynicMessageHeaderLayout.PORT_SIZE)),
                map(
                        "hv_message",
                        SynicMessageLayout.SIZE,
                        header(SynicMessageLayout.HEADER_OFFSET, SynicMessageLayout.HEADER_SIZE),
                        exact("u.payload", SynicMessageLayout.PAYLOAD_OFFSET, SynicMessageLayout.PAYLOAD_SIZE)),
                map(
                        "hv_message_page",
                        SynicMessageLayout.SLOTS_PER_PAGE * SynicMessageLayout.SIZE,
                        exact("sint_message", 0, SynicMessageLayout.SLOTS_PER_PAGE * SynicMessageLayout.SIZE)),
                // union hv_message_flags: the u8 at message_flags; offsets relative to that byte
                map(
                        "hv_message_flags",
                        SynicMessageHeaderLayout.MESSAGE_FLAGS_SIZE,
                        exact("asu8", 0, SynicMessageHeaderLayout.MESSAGE_FLAGS_SIZE),
                        new Bits("msg_pending", 0, SynicMessageHeaderLayout.MESSAGE_FLAG_MSG_PENDING),
                        new Within("reserved", 0, SynicMessageHeaderLayout.MESSAGE_FLAGS_SIZE)),
                // union hv_port_id: the u32 at port; offsets relative to it
                map(
                        "hv_port_id",
                        SynicMessageHeaderLayout.PORT_SIZE,
                        exact("asu32", 0, SynicMessageHeaderLayout.PORT_SIZE),
                        new Bits("u.id", 0, SynicMessageHeaderLayout.ID_MASK),
                        new Bits("u.reserved", 0, ~SynicMessageHeaderLayout.ID_MASK)),
                // union hv_connection_id: the u32 connection id of HvPostMessage; offsets relative to it
                map(
                        "hv_connection_id",
                        PostMessageInputLayout.CONNECTION_ID_SIZE,
                        exact("asu32", 0, PostMessageInputLayout.CONNECTION_ID_SIZE),
                        new Bits("u.id", 0, SynicMessageHeaderLayout.ID_MASK),
                        new Bits("u.reserved", 0, ~SynicMessageHeaderLayout.ID_MASK)),
                map(
                        "hv_input_post_message",
                        PostMessageInputLayout.SIZE,
                        exact(
                                "connectionid",
                                PostMessageInputLayout.CONNECTION_ID_OFFSET,
                                PostMessageInputLayout.CONNECTION_ID_SIZE),
                        exact("reserved", PostMessageInputLayout.RESERVED_OFFSET, PostMessageInputLayout.RESERVED_SIZE),
                        exact(
                                "message_type",
                                PostMessageInputLayout.MESSAGE_TYPE_OFFSET,
                                PostMessageInputLayout.MESSAGE_TYPE_SIZE),
                        exact(
                                "payload_size",
                                PostMessageInputLayout.PAYLOAD_SIZE_OFFSET,
                                PostMessageInputLayout.PAYLOAD_SIZE_SIZE),
                        exact("payload", PostMessageInputLayout.PAYLOAD_OFFSET, PostMessageInputLayout.PAYLOAD_SIZE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mappings")
    void shouldMatchLinuxSizeAndEveryMemberOffset(final Mapping mapping) {
        final Aggregate linux = table.get(mapping.struct());
        assertThat(linux).as("struct %s in the Linux table", mapping.struct()).isNotNull();
        assertThat(mapping.size()).as("%s size", mapping.struct()).isEqualTo(linux.size());
        final Set<String> mapped = new HashSet<>();
        for (final Expect e : mapping.expects()) {
            assertThat(mapped.add(e.member()))
                    .as("%s.%s mapped twice", mapping.struct(), e.member())
                    .isTrue();
            final Member m = linux.members().stream()
                    .filter(x -> x.name().equals(e.member()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(
                            mapping.struct() + " has no member " + e.member() + " in the Linux table"));
            check(mapping.struct(), m, e);
        }
        final List<String> unmapped = new ArrayList<>();
        for (final Member m : linux.members()) {
            if (!mapped.contains(m.name())) {
                unmapped.add(m.name());
            }
        }
        assertThat(unmapped)
                .as("members of %s with no expectation", mapping.struct())
                .isEmpty();
    }

    private static void check(final String struct, final Member m, final Expect e) {
        final String what = struct + "." + m.name();
        switch (e) {
            case Exact x -> {
                assertThat(m.isBitField() || m.isFlex())
                        .as("%s is a byte field", what)
                        .isFalse();
                assertThat(x.offset()).as("%s offset", what).isEqualTo(m.offset());
                assertThat(x.size()).as("%s size", what).isEqualTo(m.size());
            }
            case Flex x -> {
                assertThat(m.isFlex()).as("%s is a flexible array", what).isTrue();
                assertThat(x.offset()).as("%s offset", what).isEqualTo(m.offset());
            }
            case Bits x -> {
                assertThat(m.isBitField()).as("%s is a bit field", what).isTrue();
                final int lowBit = Integer.numberOfTrailingZeros(x.mask());
                final int width = Integer.bitCount(x.mask());
                assertThat(x.mask() >>> lowBit)
                        .as("%s mask is contiguous", what)
                        .isEqualTo(width == 32 ? -1 : (1 << width) - 1);
                assertThat(x.byteOffset() * 8 + lowBit)
                        .as("%s first bit (absolute)", what)
                        .isEqualTo(m.offset() * 8 + m.bit());
                assertThat(width).as("%s width", what).isEqualTo(m.bitWidth());
            }
            case Within x -> {
                final long first = m.isBitField() ? m.offset() * 8L + m.bit() : m.offset() * 8L;
                final long end = m.isBitField() ? first + m.bitWidth() : (m.offset() + (long) m.size()) * 8;
                assertThat(first).as("%s starts inside our field", what).isGreaterThanOrEqualTo(x.offset() * 8L);
                assertThat(end).as("%s ends inside our field", what).isLessThanOrEqualTo((x.offset() + x.size()) * 8L);
            }
        }
    }

    @Test
    void shouldMapOrAssignEveryStructInTheLinuxTable() {
        final Set<String> mapped = new HashSet<>();
        mappings().forEach(m -> mapped.add(m.struct()));
        final List<String> unknown = new ArrayList<>();
        for (final String name : table.keySet()) {
            if (!mapped.contains(name) && !OWNED_ELSEWHERE.containsKey(name)) {
                unknown.add(name);
            }
        }
        assertThat(unknown)
                .as("structs in the Linux table that no layout checks and no other package claims")
                .isEmpty();
        // every vmbus_channel_* message struct is ours unless it is a ring packet
        for (final String name : table.keySet()) {
            if (name.startsWith("vmbus_channel_") && !name.startsWith("vmbus_channel_packet_")) {
                assertThat(mapped).as("channel-message struct %s", name).contains(name);
            }
        }
        assertThat(OWNED_ELSEWHERE.keySet())
                .as("structs claimed by other packages must exist in the table")
                .allSatisfy(name -> assertThat(table).containsKey(name));
    }

    @Test
    void shouldDeriveEveryVariantFromItsBaseForm() {
        // variants Linux 6.1 lacks: each is its base struct plus a tail, so the base's Linux check covers the prefix
        assertThat(OpenChannel2Layout.OPEN_CHANNEL_SIZE).isEqualTo(OpenChannelLayout.SIZE);
        assertThat(OpenChannel2Layout.CONNECTION_ID_OFFSET).isEqualTo(OpenChannelLayout.SIZE);
        assertThat(InitiateContact2Layout.CLIENT_ID_OFFSET).isEqualTo(InitiateContactLayout.SIZE);
        assertThat(VersionResponse2Layout.SUPPORTED_FEATURES_OFFSET).isEqualTo(VersionResponseLayout.SIZE);
        assertThat(VersionResponse3Layout.VERSION_RESPONSE2_SIZE).isEqualTo(VersionResponse2Layout.SIZE);
        assertThat(TlConnectRequest2Layout.SILO_ID_OFFSET).isEqualTo(TlConnectRequestLayout.SIZE);
        // the u64s of VersionResponse3 are naturally aligned, as the reference's repr(C) struct makes them
        assertThat(VersionResponse3Layout.PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET % Long.BYTES)
                .isZero();
        // every message fits in one SynIC payload
        assertThat(Stream.of(
                        OfferChannelLayout.SIZE,
                        OpenChannel2Layout.SIZE,
                        InitiateContact2Layout.SIZE,
                        VersionResponse3Layout.SIZE,
                        TlConnectRequest2Layout.SIZE,
                        TlConnectResultLayout.SIZE))
                .allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(SynicMessageLayout.MAX_PAYLOAD_SIZE));
    }
}
