package nack

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/pion/rtcp"
)

// FuzzNackReader compares the nackReader with pion's rtcp.Unmarshal: whenever pion
// parses a compound packet (without padding, which pion does not strip), both find
// the same NACKs.
func FuzzNackReader(f *testing.F) {
	valid, _ := rtcp.Marshal([]rtcp.Packet{
		&rtcp.ReceiverReport{SSRC: 1},
		&rtcp.TransportLayerNack{MediaSSRC: 7, Nacks: []rtcp.NackPair{{PacketID: 1, LostPackets: 3}}},
		&rtcp.PictureLossIndication{MediaSSRC: 7},
	})
	f.Add(valid)
	f.Add([]byte{0x81, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 7, 0xff, 0xff, 0x80, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		ssrcs, seqs := nacksIn(data) // must not panic
		pkts, err := rtcp.Unmarshal(data)
		if err != nil {
			return
		}
		var wantSSRCs []uint32
		var wantSeqs [][]uint16
		for _, p := range pkts {
			n, ok := p.(*rtcp.TransportLayerNack)
			if !ok {
				continue
			}
			if h := n.Header(); h.Padding {
				return
			}
			wantSSRCs = append(wantSSRCs, n.MediaSSRC)
			wantSeqs = append(wantSeqs, seqsOf(n.Nacks))
		}
		for off := 0; off+4 <= len(data); off += (int(binary.BigEndian.Uint16(data[off+2:])) + 1) * 4 {
			if data[off]&0x20 != 0 && data[off+1] == ptRTPFB && data[off]&0x1f == fmtNACK {
				return // padded NACK: pion counts the padding as items
			}
		}
		if !slices.Equal(ssrcs, wantSSRCs) || !slices.EqualFunc(seqs, wantSeqs, slices.Equal) {
			t.Fatalf("nackReader found %x %v, pion %x %v", ssrcs, seqs, wantSSRCs, wantSeqs)
		}
	})
}

// FuzzResponderRTCP feeds arbitrary RTCP to a responder with a full buffer: nothing
// panics, the counters add up, and only buffered packets are resent.
func FuzzResponderRTCP(f *testing.F) {
	nack, _ := (&rtcp.TransportLayerNack{MediaSSRC: mediaSSRC, Nacks: []rtcp.NackPair{{PacketID: 100, LostPackets: 0xffff}}}).Marshal()
	f.Add(nack, true)
	f.Add([]byte{0x81, 205, 0, 2, 0, 0, 0, 0, 0x11, 0x11, 0x11, 0x11}, false)
	f.Add(append(nack, 0x81, 205, 0, 9), false)
	f.Fuzz(func(t *testing.T, data []byte, rtx bool) {
		h := newHarness(t, ResponderConfig{VideoBufferSize: 64}, videoInfo(rtx))
		for s := range uint16(200) {
			h.send(t, s)
		}
		h.down.take(t)
		h.ri.handleRTCP(data)
		st := h.r.Stats()
		if st.NACKed != st.Resent+st.NotInBuffer+st.Suppressed || st.WriteErrors != 0 {
			t.Fatalf("stats %+v do not add up", st)
		}
		for _, p := range h.down.take(t) {
			var osn uint16
			if rtx {
				osn = binary.BigEndian.Uint16(p.Payload)
			} else {
				osn = p.SequenceNumber
			}
			if osn < 136 || osn >= 200 || binary.BigEndian.Uint16(p.Payload[len(p.Payload)-20:]) != osn {
				t.Fatalf("resent %d, which is not in the buffer (136..199)", osn)
			}
		}
	})
}
