package audiolevel

import "github.com/pion/rtp"

// URI identifies the client-to-mixer audio level header extension in SDP (a=extmap, RFC 8285
// §5); it is the same string as pion/sdp's AudioLevelURI.
const URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

// Silence is the quietest audio level: RFC 6464 levels are in -dBov, 0 is the loudest a
// system can represent and 127 means -127 dBov or quieter.
const Silence = 127

// Parse returns the audio level and voice-activity flag that h carries in the RFC 6464
// extension negotiated under id, in the one-byte or two-byte header form (RFC 8285 §4.2,
// §4.3). ok is false when id is 0 (no extension negotiated), the packet has no such element,
// or the element is not exactly one byte long, which RFC 6464 §3 requires in both forms (a
// different length means the ID maps to something else). It allocates nothing.
//
// The voice flag is meaningful only if the sender negotiated "vad=on" (RFC 6464 §4); the
// Meter ignores it and judges the level alone, as LiveKit and Jitsi do.
func Parse(h *rtp.Header, id uint8) (level uint8, voice bool, ok bool) {
	// pion stores a non-RFC 8285 extension block (RFC 3550 §5.3.1) under ID 0, and 0 is the
	// padding ID in both RFC 8285 forms: it never names an audio level.
	if id == 0 {
		return 0, false, false
	}
	b := h.GetExtension(id)
	if len(b) != 1 {
		return 0, false, false
	}
	return b[0] & 0x7f, b[0]&0x80 != 0, true
}
