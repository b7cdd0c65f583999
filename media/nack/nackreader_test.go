package nack

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/pion/rtcp"
)

// nacksIn returns what a nackReader finds in buf: per NACK, the media SSRC and the
// sequence numbers asked for.
func nacksIn(buf []byte) (ssrcs []uint32, seqs [][]uint16) {
	rd := nackReader{buf: buf}
	for rd.next() {
		var list []uint16
		for items := rd.items; len(items) >= 4; items = items[4:] {
			p := rtcp.NackPair{PacketID: binary.BigEndian.Uint16(items), LostPackets: rtcp.PacketBitmap(binary.BigEndian.Uint16(items[2:]))}
			list = append(list, seqsOf([]rtcp.NackPair{p})...)
		}
		ssrcs = append(ssrcs, rd.mediaSSRC)
		seqs = append(seqs, list)
	}
	return ssrcs, seqs
}

func marshal(t testing.TB, pkts ...rtcp.Packet) []byte {
	t.Helper()
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNackReader(t *testing.T) {
	rr := &rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: 2, FractionLost: 3}}}
	nackA := &rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: 0xAAAA, Nacks: []rtcp.NackPair{{PacketID: 10, LostPackets: 0x8001}}}
	nackB := &rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: 0xBBBB, Nacks: []rtcp.NackPair{{PacketID: 65535}, {PacketID: 100, LostPackets: 1}}}
	pli := &rtcp.PictureLossIndication{MediaSSRC: 0xAAAA}
	valid := marshal(t, rr, nackA, pli, nackB)
	// A NACK with padding (P bit, 4 octets, the last one counting them).
	padded := marshal(t, nackA)
	padded[0] |= 0x20
	padded = append(padded, 0, 0, 0, 4)
	binary.BigEndian.PutUint16(padded[2:], uint16(len(padded)/4-1))
	badPad := slices.Clone(padded)
	badPad[len(badPad)-1] = 40
	noItems := marshal(t, nackA)[:12]
	binary.BigEndian.PutUint16(noItems[2:], 2)

	tests := []struct {
		name  string
		buf   []byte
		ssrcs []uint32
		seqs  [][]uint16
	}{
		{"compound", valid, []uint32{0xAAAA, 0xBBBB}, [][]uint16{{10, 11, 26}, {65535, 100, 101}}},
		{"empty", nil, nil, nil},
		{"padding", padded, []uint32{0xAAAA}, [][]uint16{{10, 11, 26}}},
		{"padding longer than the packet", append(badPad, valid...), []uint32{0xAAAA, 0xBBBB}, [][]uint16{{10, 11, 26}, {65535, 100, 101}}},
		{"no items", append(noItems, valid...), []uint32{0xAAAA, 0xBBBB}, [][]uint16{{10, 11, 26}, {65535, 100, 101}}},
		{"truncated: what comes before counts", valid[:len(valid)-4], []uint32{0xAAAA}, [][]uint16{{10, 11, 26}}},
		{"wrong version stops", append([]byte{0x41, 205, 0, 0}, valid...), nil, nil},
		{"short header", []byte{0x81, 205, 0}, nil, nil},
		{"length beyond the buffer", []byte{0x81, 205, 0xff, 0xff, 0, 0, 0, 0}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ssrcs, seqs := nacksIn(tc.buf)
			if !slices.Equal(ssrcs, tc.ssrcs) || !slices.EqualFunc(seqs, tc.seqs, slices.Equal) {
				t.Errorf("found %x %v, want %x %v", ssrcs, seqs, tc.ssrcs, tc.seqs)
			}
		})
	}
}
