package nack

import "encoding/binary"

// RTCP constants of a generic NACK (RFC 4585 §6.1, §6.2.1).
const (
	rtcpVersion  = 2
	ptRTPFB      = 205 // transport layer feedback
	fmtNACK      = 1   // generic NACK
	fbHeaderSize = 12  // common header, sender SSRC, media SSRC
)

// nackReader walks the generic NACKs of a compound RTCP packet without allocating:
// for r.next() { use r.mediaSSRC and r.items }. It stops at the first malformed
// header (wrong version, a length beyond the buffer) since nothing after it can be
// trusted, and skips a NACK whose own contents are malformed (no room for its SSRCs,
// bad padding). RTCP packets of other types are skipped.
type nackReader struct {
	buf []byte
	// mediaSSRC is the SSRC the current NACK asks about.
	mediaSSRC uint32
	// items are the current NACK's FCI entries, 4 bytes each: packet ID (PID) and
	// bitmask of following lost packets (BLP).
	items []byte
}

// next advances to the next generic NACK and reports whether there is one.
func (r *nackReader) next() bool {
	for len(r.buf) >= 4 {
		b := r.buf
		if b[0]>>6 != rtcpVersion {
			r.buf = nil
			return false
		}
		size := (int(binary.BigEndian.Uint16(b[2:4])) + 1) * 4
		if size > len(b) {
			r.buf = nil
			return false
		}
		pkt := b[:size]
		r.buf = b[size:]
		if pkt[1] != ptRTPFB || pkt[0]&0x1f != fmtNACK || size < fbHeaderSize {
			continue
		}
		end := size
		if pkt[0]&0x20 != 0 { // padding (RFC 3550 §6.4.1): the last octet counts it
			pad := int(pkt[size-1])
			if pad == 0 || pad > size-fbHeaderSize {
				continue
			}
			end -= pad
		}
		r.mediaSSRC = binary.BigEndian.Uint32(pkt[8:12])
		r.items = pkt[fbHeaderSize : fbHeaderSize+(end-fbHeaderSize)&^3]
		if len(r.items) == 0 {
			continue
		}
		return true
	}
	r.buf = nil
	return false
}
