package io.jvmbus.protocol.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.LinuxLayoutTable;
import io.jvmbus.protocol.LinuxLayoutTable.Aggregate;
import io.jvmbus.protocol.LinuxLayoutTable.Member;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every ring layout constant against the generated table of the real Linux 6.1 structs, parsed at test time. */
class RingLayoutsTest {

    private static Map<String, Aggregate> linux;

    @BeforeAll
    static void load() throws IOException {
        linux = LinuxLayoutTable.load(LinuxLayoutTable.locate());
        assertThat(linux).as("structs parsed").hasSizeGreaterThan(30);
    }

    private static Aggregate struct(final String name) {
        final Aggregate s = linux.get(name);
        assertThat(s).as("struct %s in the Linux table", name).isNotNull();
        return s;
    }

    private static void assertField(final Aggregate s, final String name, final int offset, final int size) {
        final Member m = s.member(name);
        assertThat(new int[] {m.offset(), m.size()})
                .as(s.name() + "." + name + " (offset, size)")
                .containsExactly(offset, size);
    }

    @Test
    void shouldMatchLinuxRingControlPage() {
        final Aggregate s = struct("hv_ring_buffer");
        assertField(s, "write_index", RingHeaderLayout.WRITE_INDEX_OFFSET, RingHeaderLayout.WRITE_INDEX_SIZE);
        assertField(s, "read_index", RingHeaderLayout.READ_INDEX_OFFSET, RingHeaderLayout.READ_INDEX_SIZE);
        assertField(s, "interrupt_mask", RingHeaderLayout.INTERRUPT_MASK_OFFSET, RingHeaderLayout.INTERRUPT_MASK_SIZE);
        assertField(
                s,
                "pending_send_sz",
                RingHeaderLayout.PENDING_SEND_SIZE_OFFSET,
                RingHeaderLayout.PENDING_SEND_SIZE_SIZE);
        assertField(s, "reserved1", RingHeaderLayout.RESERVED1_OFFSET, RingHeaderLayout.RESERVED1_SIZE);
        assertField(s, "feature_bits.value", RingHeaderLayout.FEATURE_BITS_OFFSET, RingHeaderLayout.FEATURE_BITS_SIZE);
        assertField(s, "reserved2", RingHeaderLayout.RESERVED2_OFFSET, RingHeaderLayout.RESERVED2_SIZE);
        assertField(s, "buffer", RingHeaderLayout.DATA_OFFSET, -1);
        assertThat(s.size()).isEqualTo(RingHeaderLayout.SIZE);
    }

    @Test
    void shouldMatchLinuxPacketDescriptor() {
        final Aggregate s = struct("vmpacket_descriptor");
        assertField(s, "type", PacketDescriptorLayout.TYPE_OFFSET, PacketDescriptorLayout.TYPE_SIZE);
        assertField(s, "offset8", PacketDescriptorLayout.DATA_OFFSET8_OFFSET, PacketDescriptorLayout.DATA_OFFSET8_SIZE);
        assertField(s, "len8", PacketDescriptorLayout.LENGTH8_OFFSET, PacketDescriptorLayout.LENGTH8_SIZE);
        assertField(s, "flags", PacketDescriptorLayout.FLAGS_OFFSET, PacketDescriptorLayout.FLAGS_SIZE);
        assertField(
                s,
                "trans_id",
                PacketDescriptorLayout.TRANSACTION_ID_OFFSET,
                PacketDescriptorLayout.TRANSACTION_ID_SIZE);
        assertThat(s.size()).isEqualTo(PacketDescriptorLayout.SIZE);
    }

    @Test
    void shouldMatchLinuxPacketHeaderWithTrailerInFront() {
        // struct vmpacket_header {u32 prev_pkt_start_offset; descriptor} is Linux's view of "trailer half, then
        // descriptor": its 4-byte offset field is the high half of the trailer of the previous packet.
        final Aggregate s = struct("vmpacket_header");
        assertField(s, "prev_pkt_start_offset", 0, PacketTrailerLayout.START_OFFSET_SIZE);
        assertField(s, "descriptor", PacketTrailerLayout.START_OFFSET_SIZE, PacketDescriptorLayout.SIZE);
        assertThat(PacketTrailerLayout.SIZE).isEqualTo(8);
        assertThat(PacketTrailerLayout.value(0x1234)).isEqualTo(0x0000_1234_0000_0000L);
        assertThat(PacketTrailerLayout.value(-8)).isEqualTo(0xFFFF_FFF8_0000_0000L);
    }

    @Test
    void shouldMatchLinuxTransferPageHeader() {
        final Aggregate s = struct("vmtransfer_page_packet_header");
        assertField(s, "d", 0, PacketDescriptorLayout.SIZE);
        assertField(
                s,
                "xfer_pageset_id",
                TransferPageHeaderLayout.TRANSFER_PAGE_SET_ID_OFFSET,
                TransferPageHeaderLayout.TRANSFER_PAGE_SET_ID_SIZE);
        assertField(
                s,
                "sender_owns_set",
                TransferPageHeaderLayout.SENDER_OWNS_SET_OFFSET,
                TransferPageHeaderLayout.SENDER_OWNS_SET_SIZE);
        assertField(s, "reserved", TransferPageHeaderLayout.RESERVED_OFFSET, TransferPageHeaderLayout.RESERVED_SIZE);
        assertField(
                s, "range_cnt", TransferPageHeaderLayout.RANGE_COUNT_OFFSET, TransferPageHeaderLayout.RANGE_COUNT_SIZE);
        // 6.1 declares ranges[1]: one range inside sizeof
        assertField(s, "ranges", TransferPageHeaderLayout.RANGES_OFFSET, TransferPageHeaderLayout.RANGE_SIZE);
        assertThat(s.size()).isEqualTo(TransferPageHeaderLayout.SIZE + TransferPageHeaderLayout.RANGE_SIZE);

        final Aggregate range = struct("vmtransfer_page_range");
        assertField(
                range,
                "byte_count",
                TransferPageHeaderLayout.RANGE_BYTE_COUNT_OFFSET,
                TransferPageHeaderLayout.RANGE_BYTE_COUNT_SIZE);
        assertField(
                range,
                "byte_offset",
                TransferPageHeaderLayout.RANGE_BYTE_OFFSET_OFFSET,
                TransferPageHeaderLayout.RANGE_BYTE_OFFSET_SIZE);
        assertThat(range.size()).isEqualTo(TransferPageHeaderLayout.RANGE_SIZE);
    }

    @Test
    void shouldMatchLinuxGpaDirectHeaderAndRange() {
        final Aggregate s = struct("vmdata_gpa_direct");
        assertField(s, "d", 0, PacketDescriptorLayout.SIZE);
        assertField(s, "reserved", GpaDirectHeaderLayout.RESERVED_OFFSET, GpaDirectHeaderLayout.RESERVED_SIZE);
        assertField(s, "range_cnt", GpaDirectHeaderLayout.RANGE_COUNT_OFFSET, GpaDirectHeaderLayout.RANGE_COUNT_SIZE);
        // 6.1 declares range[1]: the fixed gpa_range head is inside sizeof
        assertField(s, "range", GpaDirectHeaderLayout.RANGES_OFFSET, GpaRangeLayout.SIZE);
        assertThat(s.size()).isEqualTo(GpaDirectHeaderLayout.SIZE + GpaRangeLayout.SIZE);

        final Aggregate r = struct("gpa_range");
        assertField(r, "byte_count", GpaRangeLayout.BYTE_COUNT_OFFSET, GpaRangeLayout.BYTE_COUNT_SIZE);
        assertField(r, "byte_offset", GpaRangeLayout.BYTE_OFFSET_OFFSET, GpaRangeLayout.BYTE_OFFSET_SIZE);
        assertField(r, "pfn_array", GpaRangeLayout.PFN_ARRAY_OFFSET, -1);
        assertThat(r.size()).isEqualTo(GpaRangeLayout.SIZE);
    }

    @Test
    void shouldMatchLinuxMultiPageBufferHead() {
        // Linux's GPA-direct senders use these structs: the same 24-byte head as vmdata_gpa_direct.
        for (final String name : new String[] {
            "vmbus_channel_packet_page_buffer", "vmbus_channel_packet_multipage_buffer", "vmbus_packet_mpb_array"
        }) {
            final Aggregate s = struct(name);
            assertField(s, "type", PacketDescriptorLayout.TYPE_OFFSET, PacketDescriptorLayout.TYPE_SIZE);
            assertField(
                    s,
                    "transactionid",
                    PacketDescriptorLayout.TRANSACTION_ID_OFFSET,
                    PacketDescriptorLayout.TRANSACTION_ID_SIZE);
            assertField(s, "reserved", GpaDirectHeaderLayout.RESERVED_OFFSET, GpaDirectHeaderLayout.RESERVED_SIZE);
            assertField(
                    s, "rangecount", GpaDirectHeaderLayout.RANGE_COUNT_OFFSET, GpaDirectHeaderLayout.RANGE_COUNT_SIZE);
            assertThat(s.member("range").offset()).isEqualTo(GpaDirectHeaderLayout.RANGES_OFFSET);
        }
    }

    @Test
    void shouldKeepPacketTypeCodesStable() {
        assertThat(PacketType.DATA_INBAND.code()).isEqualTo(6);
        assertThat(PacketType.DATA_USING_TRANSFER_PAGES.code()).isEqualTo(7);
        assertThat(PacketType.DATA_USING_GPA_DIRECT.code()).isEqualTo(9);
        assertThat(PacketType.COMPLETION.code()).isEqualTo(11);
        for (final PacketType t : PacketType.values()) {
            assertThat(PacketType.of(t.code())).isSameAs(t);
        }
        assertThat(PacketType.of(14)).isNull();
        assertThat(PacketType.of(-1)).isNull();
        assertThat(PacketType.of(0xFFFF)).isNull();
        assertThat(PacketType.isAccepted(6)).isTrue();
        assertThat(PacketType.isAccepted(8)).isFalse();
    }

    @Test
    void shouldAlignToEightByteUnits() {
        assertThat(PacketDescriptorLayout.align8(0)).isZero();
        assertThat(PacketDescriptorLayout.align8(1)).isEqualTo(8);
        assertThat(PacketDescriptorLayout.align8(8)).isEqualTo(8);
        assertThat(PacketDescriptorLayout.align8(12257)).isEqualTo(12264);
    }
}
