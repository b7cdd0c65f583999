package nack

import (
	"strings"
	"sync"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
)

// ResponderInterceptor is a Responder's interceptor for one PeerConnection: it buffers
// what each local stream with "nack" feedback sends and resends what the peer's
// generic NACKs ask for. Writes (the stream's goroutine) and NACKs (the RTCP reader's
// goroutine) meet only in a per-stream mutex held to copy one packet.
type ResponderInterceptor struct {
	interceptor.NoOp
	r *Responder

	mu      sync.RWMutex
	streams map[uint32]*sendStream // by media SSRC
}

var _ interceptor.Interceptor = (*ResponderInterceptor)(nil)

func newResponderInterceptor(r *Responder) *ResponderInterceptor {
	return &ResponderInterceptor{r: r, streams: map[uint32]*sendStream{}}
}

// BindLocalStream implements interceptor.Interceptor: a stream whose codec has "nack"
// feedback gets a send buffer; its packets are copied into the buffer on their way to
// writer, which also carries its resent packets.
func (i *ResponderInterceptor) BindLocalStream(info *interceptor.StreamInfo, writer interceptor.RTPWriter) interceptor.RTPWriter {
	if !hasNack(info) {
		return writer
	}
	size, slotSize := i.r.cfg.VideoBufferSize, videoSlotSize
	if strings.HasPrefix(strings.ToLower(info.MimeType), "audio/") {
		size, slotSize = i.r.cfg.AudioBufferSize, audioSlotSize
	}
	s := newSendStream(info, writer, size, slotSize, i.r)
	i.mu.Lock()
	i.streams[info.SSRC] = s
	i.mu.Unlock()
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		if h.SSRC == s.ssrc {
			s.store(h, payload)
		}
		return writer.Write(h, payload, a)
	})
}

// UnbindLocalStream implements interceptor.Interceptor: the stream's buffer is dropped.
func (i *ResponderInterceptor) UnbindLocalStream(info *interceptor.StreamInfo) {
	i.mu.Lock()
	delete(i.streams, info.SSRC)
	i.mu.Unlock()
}

// BindRTCPReader implements interceptor.Interceptor: generic NACKs read through the
// returned reader are answered on the reading goroutine, before Read returns.
func (i *ResponderInterceptor) BindRTCPReader(reader interceptor.RTCPReader) interceptor.RTCPReader {
	return interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, attr, err := reader.Read(b, a)
		if err == nil && n > 0 && n <= len(b) {
			i.handleRTCP(b[:n])
		}
		return n, attr, err
	})
}

// Close implements interceptor.Interceptor: every buffer is dropped.
func (i *ResponderInterceptor) Close() error {
	i.mu.Lock()
	clear(i.streams)
	i.mu.Unlock()
	return nil
}

// stream returns the buffered stream with media SSRC ssrc, or nil.
func (i *ResponderInterceptor) stream(ssrc uint32) *sendStream {
	i.mu.RLock()
	defer i.mu.RUnlock()
	return i.streams[ssrc]
}

// handleRTCP resends what the generic NACKs in the compound packet buf ask for.
// RTCP reader's goroutine.
func (i *ResponderInterceptor) handleRTCP(buf []byte) {
	rd := nackReader{buf: buf}
	var now int64
	for rd.next() {
		s := i.stream(rd.mediaSSRC)
		if s == nil {
			continue // not ours (or an RTX SSRC, which RFC 4588 §6.3 says is never NACKed)
		}
		if now == 0 {
			now = s.clock()
		}
		s.answer(rd.items, now)
	}
}

// Pad sends about bytes of probe traffic for a congestion controller on the RTX stream
// of the local stream ssrc: its most recent packets again (RFC 4588 retransmissions a
// receiver drops as duplicates, after its transport-wide feedback counted them), as
// libwebrtc probes with payload padding. It returns the bytes sent: 0 when the stream
// is unknown, negotiated no RTX or sent nothing yet. Any goroutine.
func (i *ResponderInterceptor) Pad(ssrc uint32, bytes int) int {
	s := i.stream(ssrc)
	if s == nil {
		return 0
	}
	return s.pad(bytes)
}

// hasNack reports whether the stream negotiated generic NACK feedback.
func hasNack(info *interceptor.StreamInfo) bool {
	for _, fb := range info.RTCPFeedback {
		if fb.Type == "nack" && fb.Parameter == "" {
			return true
		}
	}
	return false
}
