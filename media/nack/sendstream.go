package nack

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
)

// Slot sizes: a slot holds one marshalled packet (header and payload, no padding).
// Packets larger than their slot get a buffer of their own, which the slot keeps.
const (
	videoSlotSize = 1280 // browsers packetize video to about 1200 bytes
	audioSlotSize = 320  // an Opus or RED packet
	slotsPerSlab  = 16   // slots carved from one allocation, as the ring first fills
)

// neverResent is the resend time of a packet not resent yet.
const neverResent = math.MinInt64 / 2

// sendSlot is one buffered packet.
type sendSlot struct {
	buf        []byte // header and payload
	lastResend int64  // ns since the stream's epoch
	hdrLen     uint16
	seq        uint16
	padding    uint8 // the original packet's padding size
	valid      bool
}

// sendStream is the send buffer and resend state of one local stream.
type sendStream struct {
	ssrc     uint32
	rtxSSRC  uint32 // 0 without RTX
	rtxPT    uint8  // 0 without RTX
	ridID    uint8  // rtp-stream-id extension, rewritten to repaired-rtp-stream-id on RTX
	rridID   uint8
	interval int64 // ns
	writer   interceptor.RTPWriter
	stats    *responderCounters
	now      func() time.Time
	epoch    time.Time

	mu       sync.Mutex // guards the fields below; held to copy one packet
	newest   uint16     // sequence number of the last packet stored
	slots    []sendSlot
	mask     uint16
	slotSize int
	slab     []byte

	resendMu sync.Mutex // serialises resends; guards the fields below
	rtxSeq   uint16     // the next RTX sequence number, taken when a packet is resent
	hdr      rtp.Header
	pkt      []byte // a copy of the packet being resent
	rtx      []byte // an RTX payload: OSN and the original payload
	attrs    interceptor.Attributes
}

// newSendStream returns the buffer of size packets (slotSize bytes each, before they
// grow) for the stream info, resending through writer.
func newSendStream(info *interceptor.StreamInfo, writer interceptor.RTPWriter, size, slotSize int, r *Responder) *sendStream {
	s := &sendStream{
		ssrc:     info.SSRC,
		interval: int64(r.cfg.ResendInterval),
		writer:   writer,
		stats:    &r.stats,
		now:      r.now,
		epoch:    r.now(),
		slots:    make([]sendSlot, size),
		mask:     uint16(size - 1),
		slotSize: slotSize,
		rtxSeq:   uint16(rand.Uint32()), // RFC 3550 §5.1: a random initial value
		attrs:    interceptor.Attributes{},
	}
	if info.SSRCRetransmission != 0 && info.PayloadTypeRetransmission != 0 {
		s.rtxSSRC, s.rtxPT = info.SSRCRetransmission, info.PayloadTypeRetransmission
	}
	for _, e := range info.RTPHeaderExtensions {
		switch e.URI {
		case sdp.SDESRTPStreamIDURI:
			s.ridID = uint8(e.ID)
		case sdp.SDESRepairRTPStreamIDURI:
			s.rridID = uint8(e.ID)
		}
	}
	return s
}

// clock returns now in ns since the stream's epoch.
func (s *sendStream) clock() int64 { return int64(s.now().Sub(s.epoch)) }

// store copies a packet the stream sends into its slot. Stream's writing goroutine.
func (s *sendStream) store(h *rtp.Header, payload []byte) {
	hlen := h.MarshalSize()
	n := hlen + len(payload)
	s.mu.Lock()
	sl := &s.slots[h.SequenceNumber&s.mask]
	if cap(sl.buf) < n {
		sl.buf = s.alloc(n)
	}
	b := sl.buf[:n]
	if _, err := h.MarshalTo(b); err != nil {
		sl.valid = false
		s.mu.Unlock()
		return
	}
	copy(b[hlen:], payload)
	sl.buf, sl.hdrLen, sl.seq, sl.valid, sl.lastResend = b, uint16(hlen), h.SequenceNumber, true, neverResent
	sl.padding = 0
	if h.Padding {
		sl.padding = h.PaddingSize
	}
	s.newest = h.SequenceNumber
	s.mu.Unlock()
}

// maxPadPackets bounds the recent packets one pad call sends again.
const maxPadPackets = 32

// pad sends about bytes of probe traffic over RTX: the newest buffered packets again,
// newest first, each once per call. It returns the bytes sent (RTX payload and header),
// 0 without RTX or without buffered packets. Any goroutine.
func (s *sendStream) pad(bytes int) (sent int) {
	if s.rtxSSRC == 0 || bytes <= 0 {
		return 0
	}
	s.resendMu.Lock()
	defer s.resendMu.Unlock()
	s.mu.Lock()
	newest := s.newest
	s.mu.Unlock()
	packets := 0
	for k := uint16(0); sent < bytes && int(k) < min(maxPadPackets, len(s.slots)); k++ {
		seq := newest - k
		s.mu.Lock()
		sl := &s.slots[seq&s.mask]
		if !sl.valid || sl.seq != seq {
			s.mu.Unlock()
			break
		}
		s.pkt = append(s.pkt[:0], sl.buf...)
		hlen := int(sl.hdrLen)
		s.mu.Unlock()
		if _, err := s.hdr.Unmarshal(s.pkt); err != nil {
			break
		}
		clear(s.attrs)
		s.toRTX(s.pkt[hlen:])
		n, err := s.writer.Write(&s.hdr, s.rtx, s.attrs)
		if err != nil {
			s.stats.writeErrors.Add(1)
			break
		}
		s.rtxSeq++
		sent += n
		packets++
	}
	if packets > 0 {
		s.stats.paddingPackets.Add(uint64(packets))
		s.stats.paddingBytes.Add(uint64(sent))
	}
	return sent
}

// alloc returns an empty buffer for a slot with room for n bytes: a slot's share of
// a slab, or a buffer of its own for a packet larger than a slot. Caller holds mu.
func (s *sendStream) alloc(n int) []byte {
	if n > s.slotSize {
		return make([]byte, 0, (n+63)&^63)
	}
	if len(s.slab) < s.slotSize {
		s.slab = make([]byte, s.slotSize*slotsPerSlab)
	}
	b := s.slab[:0:s.slotSize]
	s.slab = s.slab[s.slotSize:]
	return b
}

// answer resends the packets that the generic NACK items (RFC 4585 §6.2.1: 16-bit
// packet ID, 16-bit bitmask of the following lost packets) ask for, in order. RTCP
// reader's goroutine.
func (s *sendStream) answer(items []byte, now int64) {
	s.resendMu.Lock()
	defer s.resendMu.Unlock()
	var c resendCounts
	for ; len(items) >= 4; items = items[4:] {
		pid := binary.BigEndian.Uint16(items)
		blp := binary.BigEndian.Uint16(items[2:])
		s.resend(pid, now, &c)
		for bit := uint16(1); blp != 0; bit++ {
			if blp&1 != 0 {
				s.resend(pid+bit, now, &c)
			}
			blp >>= 1
		}
	}
	c.flush(s.stats)
}

// resendCounts are one NACK's counts, added to the shared counters at its end.
type resendCounts struct {
	nacked, resent, resentRTX, notInBuffer, suppressed, writeErrors uint64
}

func (c *resendCounts) flush(st *responderCounters) {
	for _, f := range []struct {
		n uint64
		a *atomic.Uint64
	}{
		{c.nacked, &st.nacked}, {c.resent, &st.resent}, {c.resentRTX, &st.resentRTX},
		{c.notInBuffer, &st.notInBuffer}, {c.suppressed, &st.suppressed}, {c.writeErrors, &st.writeErrors},
	} {
		if f.n > 0 {
			f.a.Add(f.n)
		}
	}
}

// resend sends the packet with sequence number seq again, if it is in the buffer and
// was not resent in the last interval: over RTX when the stream negotiated it, in
// the stream otherwise. Caller holds resendMu.
func (s *sendStream) resend(seq uint16, now int64, c *resendCounts) {
	c.nacked++
	s.mu.Lock()
	sl := &s.slots[seq&s.mask]
	switch {
	case !sl.valid || sl.seq != seq:
		s.mu.Unlock()
		c.notInBuffer++
		return
	case now-sl.lastResend < s.interval:
		s.mu.Unlock()
		c.suppressed++
		return
	}
	sl.lastResend = now
	s.pkt = append(s.pkt[:0], sl.buf...)
	hlen, padding := int(sl.hdrLen), sl.padding
	s.mu.Unlock()

	if _, err := s.hdr.Unmarshal(s.pkt); err != nil {
		c.writeErrors++
		return
	}
	clear(s.attrs)
	payload := s.pkt[hlen:]
	if s.rtxSSRC == 0 {
		s.hdr.Padding, s.hdr.PaddingSize = padding > 0, padding
		if _, err := s.writer.Write(&s.hdr, payload, s.attrs); err != nil {
			c.writeErrors++
			return
		}
		c.resent++
		return
	}
	s.toRTX(payload)
	if _, err := s.writer.Write(&s.hdr, s.rtx, s.attrs); err != nil {
		c.writeErrors++
		return // the sequence number goes to the next one: RTX stays contiguous
	}
	s.rtxSeq++
	c.resent++
	c.resentRTX++
}

// toRTX turns s.hdr and payload into an RTX packet (RFC 4588 §4): the RTX stream's
// SSRC, payload type and next sequence number; the original timestamp, marker, CSRCs
// and header extensions, except that rtp-stream-id becomes repaired-rtp-stream-id
// (RFC 8852 §3.2); the original sequence number (OSN) in front of the original
// payload, without padding. Caller holds resendMu.
func (s *sendStream) toRTX(payload []byte) {
	osn := s.hdr.SequenceNumber
	s.hdr.SSRC, s.hdr.PayloadType, s.hdr.SequenceNumber = s.rtxSSRC, s.rtxPT, s.rtxSeq
	s.hdr.Padding, s.hdr.PaddingSize = false, 0
	if s.ridID != 0 && s.hdr.Extension {
		if rid := s.hdr.GetExtension(s.ridID); rid != nil {
			_ = s.hdr.DelExtension(s.ridID)
			if s.rridID != 0 {
				_ = s.hdr.SetExtension(s.rridID, rid) // rid points into s.pkt, which stays
			}
		}
	}
	s.rtx = append(s.rtx[:0], byte(osn>>8), byte(osn))
	s.rtx = append(s.rtx, payload...)
}
