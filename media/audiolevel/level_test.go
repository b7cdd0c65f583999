package audiolevel

import (
	"encoding/binary"
	"testing"

	"github.com/pion/rtp"
)

// rawPacket returns an RTP packet whose header extension block has profile and holds body,
// zero-padded to 32-bit words (RFC 3550 §5.3.1), followed by a 3-byte payload.
func rawPacket(profile uint16, body ...byte) []byte {
	b := []byte{0x90, 111, 0, 1, 0, 0, 3, 0xc0, 0xde, 0xad, 0xbe, 0xef}
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	b = binary.BigEndian.AppendUint16(b, profile)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)/4))
	b = append(b, body...)
	return append(b, 0xf8, 0xff, 0xfe)
}

func TestParse(t *testing.T) {
	noExt := []byte{0x80, 111, 0, 1, 0, 0, 3, 0xc0, 0xde, 0xad, 0xbe, 0xef, 0xf8, 0xff, 0xfe}
	tests := []struct {
		name  string
		pkt   []byte
		id    uint8
		level uint8
		voice bool
		ok    bool
	}{
		{"one-byte, voice", rawPacket(0xBEDE, 0x10, 0x80|30), 1, 30, true, true},
		{"one-byte, no voice flag", rawPacket(0xBEDE, 0x10, 45), 1, 45, false, true},
		{"one-byte, loudest", rawPacket(0xBEDE, 0x10, 0x80), 1, 0, true, true},
		{"one-byte, silence", rawPacket(0xBEDE, 0x10, 127), 1, 127, false, true},
		{
			"one-byte, among abs-send-time and transport-cc, after padding",
			rawPacket(0xBEDE,
				0x22, 0x01, 0x02, 0x03, // abs-send-time (id 2, 3 bytes)
				0, 0, // padding between elements
				0x30, 0x80|22, // audio level (id 3)
				0x41, 0x00, 0x07, // transport-cc (id 4, 2 bytes)
			),
			3, 22, true, true,
		},
		{"one-byte, id 14", rawPacket(0xBEDE, 0xe0, 0x80|12), 14, 12, true, true},
		{"two-byte, with pad", rawPacket(0x1000, 1, 1, 0x80|25, 0), 1, 25, true, true},
		{"two-byte, id above 14", rawPacket(0x1000, 200, 1, 60), 200, 60, false, true},
		{"two-byte, after a 0-length element", rawPacket(0x1000, 7, 0, 9, 1, 0x80|33), 9, 33, true, true},
		{"id not negotiated", rawPacket(0xBEDE, 0x10, 30), 0, 0, false, false},
		{"other id only", rawPacket(0xBEDE, 0x22, 1, 2, 3), 1, 0, false, false},
		{"no extension block", noExt, 1, 0, false, false},
		{"one-byte, 2-byte element", rawPacket(0xBEDE, 0x11, 30, 0), 1, 0, false, false},
		{"one-byte, 16-byte element", rawPacket(0xBEDE, 0x1f, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 1, 0, false, false},
		{"two-byte, empty element", rawPacket(0x1000, 1, 0), 1, 0, false, false},
		{"two-byte, 2-byte element", rawPacket(0x1000, 1, 2, 30, 0), 1, 0, false, false},
		{"after one-byte id 15 (stop)", rawPacket(0xBEDE, 0xf0, 0x10, 30), 1, 0, false, false},
		{"RFC 3550 extension profile", rawPacket(0x1234, 0x10, 30), 1, 0, false, false},
		{"cryptex profile", rawPacket(0xC0DE, 0x10, 30), 1, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h rtp.Header
			if _, err := h.Unmarshal(tt.pkt); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			level, voice, ok := Parse(&h, tt.id)
			if level != tt.level || voice != tt.voice || ok != tt.ok {
				t.Fatalf("Parse = (%d, %v, %v), want (%d, %v, %v)", level, voice, ok, tt.level, tt.voice, tt.ok)
			}
		})
	}
}

// TestParseTruncated checks that pion rejects extension blocks whose elements overrun them,
// so Parse never sees a slice cut short.
func TestParseTruncated(t *testing.T) {
	for _, pkt := range [][]byte{
		rawPacket(0x1000, 1, 9, 30)[:20],                                                    // two-byte element longer than the block
		append(rawPacket(0xBEDE, 0x10, 30)[:14], 0, 9),                                      // block length beyond the packet
		{0x90, 111, 0, 1, 0, 0, 3, 0xc0, 0xde, 0xad, 0xbe, 0xef, 0xbe},                      // block header cut
		rawPacket(0xBEDE, 0x10, 30, 0x2f, 1, 2)[:20],                                        // one-byte element overrun
		{0x90, 111, 0, 1, 0, 0, 3, 0xc0, 0xde, 0xad, 0xbe, 0xef, 0x10, 0, 0, 1, 1, 3, 0, 0}, // two-byte length beyond block
	} {
		var h rtp.Header
		if _, err := h.Unmarshal(pkt); err == nil {
			t.Errorf("%x: pion accepted a malformed extension block", pkt)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	var h rtp.Header
	if _, err := h.Unmarshal(rawPacket(0x1000, 2, 3, 1, 2, 3, 1, 1, 30)); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() { Parse(&h, 1) }); n != 0 {
		t.Fatalf("Parse allocates %v times", n)
	}
	if n := testing.AllocsPerRun(1000, func() { h.GetExtension(2) }); n != 0 {
		t.Fatalf("rtp.Header.GetExtension allocates %v times", n)
	}
}

// refParse is an independent reading of RFC 8285 §4.2-4.3 over the raw packet, following
// pion's choices where the RFC leaves room: a zero byte is padding in both forms, and a
// one-byte element with ID 15 (reserved) or ID 0 and a non-zero length ends the block. It
// returns the first element with id.
func refParse(pkt []byte, id uint8) (elem []byte, found bool) {
	if len(pkt) < 12 || pkt[0]&0x10 == 0 {
		return nil, false
	}
	n := 12 + 4*int(pkt[0]&0x0f)
	if len(pkt) < n+4 {
		return nil, false
	}
	profile := binary.BigEndian.Uint16(pkt[n:])
	end := n + 4 + 4*int(binary.BigEndian.Uint16(pkt[n+2:]))
	if end > len(pkt) || (profile != 0xBEDE && profile != 0x1000) {
		return nil, false
	}
	for i := n + 4; i < end; {
		if pkt[i] == 0 {
			i++
			continue
		}
		var eid uint8
		var l int
		if profile == 0xBEDE {
			eid, l = pkt[i]>>4, int(pkt[i]&0x0f)+1
			if eid == 15 || eid == 0 {
				return nil, false
			}
			i++
		} else {
			if i+1 >= end {
				return nil, false
			}
			eid, l = pkt[i], int(pkt[i+1])
			i += 2
		}
		if i+l > end {
			return nil, false
		}
		if eid == id {
			return pkt[i : i+l], true
		}
		i += l
	}
	return nil, false
}

// FuzzParse compares Parse over pion's parsing with refParse over the raw bytes.
func FuzzParse(f *testing.F) {
	f.Add(rawPacket(0xBEDE, 0x10, 0x80|30), uint8(1))
	f.Add(rawPacket(0xBEDE, 0x22, 1, 2, 3, 0x30, 22), uint8(3))
	f.Add(rawPacket(0x1000, 1, 1, 0x80|25, 0), uint8(1))
	f.Add(rawPacket(0x1000, 200, 1, 60), uint8(200))
	f.Add(rawPacket(0x1000, 1, 0), uint8(1))
	f.Add(rawPacket(0xBEDE, 0x11, 30, 0), uint8(1))
	f.Add(rawPacket(0xBEDE, 0xf0, 0x10, 30), uint8(1))
	f.Add([]byte{0x90, 111, 0, 1}, uint8(1))
	f.Fuzz(func(t *testing.T, pkt []byte, id uint8) {
		var h rtp.Header
		if _, err := h.Unmarshal(pkt); err != nil {
			return
		}
		level, voice, ok := Parse(&h, id)
		elem, found := refParse(pkt, id)
		wantOK := id != 0 && found && len(elem) == 1
		if ok != wantOK {
			t.Fatalf("Parse ok = %v, reference found %x (%v)", ok, elem, found)
		}
		if !ok {
			return
		}
		if level > Silence || level != elem[0]&0x7f || voice != (elem[0]&0x80 != 0) {
			t.Fatalf("Parse = (%d, %v), element %x", level, voice, elem)
		}
	})
}

// FuzzParseRoundTrip writes a level with pion in either form, next to another element, and
// reads it back.
func FuzzParseRoundTrip(f *testing.F) {
	f.Add(uint8(1), uint8(30), true, false, uint8(2), []byte{1, 2, 3})
	f.Add(uint8(200), uint8(127), false, true, uint8(3), []byte{})
	f.Fuzz(func(t *testing.T, id, level uint8, voice, twoByte bool, otherID uint8, other []byte) {
		level &= 0x7f
		profile := uint16(rtp.ExtensionProfileOneByte)
		if twoByte {
			profile = rtp.ExtensionProfileTwoByte
		}
		h := rtp.Header{Version: 2, PayloadType: 111, SSRC: 1, Extension: true, ExtensionProfile: profile}
		al, _ := rtp.AudioLevelExtension{Level: level, Voice: voice}.Marshal()
		if err := h.SetExtension(id, al); err != nil {
			return // id invalid for the form
		}
		if otherID != id && h.SetExtension(otherID, other) != nil {
			return
		}
		buf, err := (&rtp.Packet{Header: h, Payload: []byte{0xf8}}).Marshal()
		if err != nil {
			return
		}
		var got rtp.Header
		if _, err := got.Unmarshal(buf); err != nil {
			t.Fatalf("unmarshal own packet: %v", err)
		}
		l, v, ok := Parse(&got, id)
		if !ok || l != level || v != voice {
			t.Fatalf("Parse = (%d, %v, %v), want (%d, %v, true); packet %x", l, v, ok, level, voice, buf)
		}
	})
}
