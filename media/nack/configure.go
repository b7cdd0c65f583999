package nack

import (
	"fmt"
	"strings"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// Configure creates a Responder and adds it to ir, in place of webrtc.ConfigureNack:
// no NACK generator is added, received streams are the caller's (see Generator). Add
// the interceptors that must see retransmissions (TWCC header extension, congestion
// control) to ir before calling it.
//
// When m is not nil, the generic NACK and PLI feedback are registered for video, as
// webrtc.ConfigureNack does. MediaEngine.RegisterFeedback adds them to every video
// codec registered so far, video/rtx included (harmless: receivers ignore feedback on
// RTX, and pion's defaults do the same); pass nil when the codecs carry the feedback
// already, or register RTX afterwards.
func Configure(m *webrtc.MediaEngine, ir *interceptor.Registry, cfg ResponderConfig) (*Responder, error) {
	r, err := NewResponder(cfg)
	if err != nil {
		return nil, err
	}
	if m != nil {
		m.RegisterFeedback(webrtc.RTCPFeedback{Type: "nack"}, webrtc.RTPCodecTypeVideo)
		m.RegisterFeedback(webrtc.RTCPFeedback{Type: "nack", Parameter: "pli"}, webrtc.RTPCodecTypeVideo)
	}
	ir.Add(r)
	return r, nil
}

// RTXCodecs returns a video/rtx codec (RFC 4588 §8.1) for each video codec in codecs,
// at the codec's payload type + 1 with fmtp "apt=<payload type>", in the order of
// codecs. Audio, RTX, RED and FEC codecs get none, but their payload types count as
// taken. With Jishitong's table (Opus 111, RED 63, VP8 96, VP9 98, H.264 102 and
// 104, AV1 35) that is RTX 97, 99, 103, 105 and 36.
//
// It returns an error wrapping ErrPayloadTypeTaken when payload type + 1 is used by
// another codec (or given twice), and ErrPayloadTypeInvalid when it is above 127 or
// in 64..95. pion pairs RTX with its codec by comparing the fmtp line with
// "apt=<pt>" exactly, so nothing else may go into it.
func RTXCodecs(codecs []webrtc.RTPCodecParameters) ([]webrtc.RTPCodecParameters, error) {
	taken := map[webrtc.PayloadType]bool{}
	for _, c := range codecs {
		taken[c.PayloadType] = true
	}
	var out []webrtc.RTPCodecParameters
	for _, c := range codecs {
		if !needsRTX(c.MimeType) {
			continue
		}
		pt := int(c.PayloadType) + 1
		if pt > 127 || pt >= 64 && pt <= 95 {
			return nil, fmt.Errorf("%w: %d for %s at %d", ErrPayloadTypeInvalid, pt, c.MimeType, c.PayloadType)
		}
		if taken[webrtc.PayloadType(pt)] {
			return nil, fmt.Errorf("%w: %d for %s at %d", ErrPayloadTypeTaken, pt, c.MimeType, c.PayloadType)
		}
		taken[webrtc.PayloadType(pt)] = true
		out = append(out, webrtc.RTPCodecParameters{
			PayloadType: webrtc.PayloadType(pt),
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType:    webrtc.MimeTypeRTX,
				ClockRate:   c.ClockRate,
				SDPFmtpLine: fmt.Sprintf("apt=%d", c.PayloadType),
			},
		})
	}
	return out, nil
}

// RegisterRTX registers RTXCodecs(codecs) in m as video codecs; codecs are the
// media codecs registered in m (or about to be).
func RegisterRTX(m *webrtc.MediaEngine, codecs []webrtc.RTPCodecParameters) error {
	rtx, err := RTXCodecs(codecs)
	if err != nil {
		return err
	}
	for _, c := range rtx {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return fmt.Errorf("nack: register %s %d: %w", c.MimeType, c.PayloadType, err)
		}
	}
	return nil
}

// needsRTX reports whether a codec of this MIME type gets an RTX codec: video codecs
// that carry media.
func needsRTX(mime string) bool {
	mime = strings.ToLower(mime)
	if !strings.HasPrefix(mime, "video/") {
		return false
	}
	switch mime {
	case strings.ToLower(webrtc.MimeTypeRTX), "video/red", "video/ulpfec", "video/flexfec", "video/flexfec-03":
		return false
	}
	return true
}
