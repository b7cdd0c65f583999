package rtc

import (
	"strings"

	"github.com/pion/webrtc/v4"
)

// vp8Keyframe reports whether an RTP payload starts a VP8 keyframe: the payload
// descriptor (RFC 7741 §4.2) must mark the start of partition 0 (S=1, PID=0), and the
// first byte of the VP8 frame tag must have P=0 (RFC 6386 §9.1). It never allocates.
func vp8Keyframe(payload []byte) bool {
	if len(payload) < 1 {
		return false
	}
	b0 := payload[0]
	if b0&0x10 == 0 || b0&0x07 != 0 { // S bit, PID
		return false
	}
	i := 1
	if b0&0x80 != 0 { // X: extension byte I|L|T|K
		if len(payload) < 2 {
			return false
		}
		x := payload[1]
		i = 2
		if x&0x80 != 0 { // I: PictureID, 7 or 15 bits (M flag)
			if len(payload) <= i {
				return false
			}
			if payload[i]&0x80 != 0 {
				i++
			}
			i++
		}
		if x&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if x&0x30 != 0 { // T or K: TID|Y|KEYIDX
			i++
		}
	}
	if len(payload) <= i {
		return false
	}
	return payload[i]&0x01 == 0
}

// h264Keyframe reports whether an RTP payload (RFC 6184) starts an H.264 IDR access
// unit or carries the SPS that precedes one: a single NAL unit of type 5 (IDR) or 7
// (SPS), a STAP-A aggregating one of those, or the first fragment (S=1) of an FU-A of
// type 5. It never allocates.
func h264Keyframe(payload []byte) bool {
	if len(payload) < 1 {
		return false
	}
	switch nal := payload[0] & 0x1f; nal {
	case 5, 7:
		return true
	case 24: // STAP-A: 16-bit size, NAL unit, repeated
		for i := 1; i+2 < len(payload); {
			size := int(payload[i])<<8 | int(payload[i+1])
			i += 2
			if size == 0 || i+size > len(payload) {
				return false
			}
			if t := payload[i] & 0x1f; t == 5 || t == 7 {
				return true
			}
			i += size
		}
	case 28: // FU-A: FU indicator, FU header S|E|R|type
		if len(payload) < 2 {
			return false
		}
		return payload[1]&0x80 != 0 && payload[1]&0x1f == 5
	}
	return false
}

// vp9Keyframe reports whether an RTP payload starts a VP9 keyframe
// (draft-ietf-payload-vp9 §4.2): B=1 (start of a frame), P=0 (not inter-predicted) and,
// with flexible or layered descriptors, spatial layer 0. It never allocates.
func vp9Keyframe(payload []byte) bool {
	if len(payload) < 1 {
		return false
	}
	b0 := payload[0]
	i, p, l, b := 1, b0&0x40 != 0, b0&0x20 != 0, b0&0x08 != 0
	if p || !b {
		return false
	}
	if b0&0x80 != 0 { // I: picture id, 7 or 15 bits
		if len(payload) <= i {
			return false
		}
		if payload[i]&0x80 != 0 {
			i++
		}
		i++
	}
	if l {
		if len(payload) <= i {
			return false
		}
		if sid := (payload[i] >> 1) & 0x07; sid != 0 {
			return false
		}
	}
	return true
}

// av1Keyframe reports whether an RTP payload starts an AV1 keyframe: the aggregation
// header's N bit marks the first packet of a coded video sequence, which starts with a
// keyframe (AV1 RTP specification §4.4). It never allocates.
func av1Keyframe(payload []byte) bool {
	return len(payload) > 0 && payload[0]&0x08 != 0
}

// keyframeFunc returns the keyframe detector for a video codec, or nil for codecs the
// SFU cannot inspect (their down-tracks then switch layers on any packet, which only
// happens for single-layer publishers).
func keyframeFunc(mime string) func([]byte) bool {
	switch strings.ToLower(mime) {
	case strings.ToLower(webrtc.MimeTypeVP8):
		return vp8Keyframe
	case strings.ToLower(webrtc.MimeTypeH264):
		return h264Keyframe
	case strings.ToLower(webrtc.MimeTypeVP9):
		return vp9Keyframe
	case strings.ToLower(webrtc.MimeTypeAV1):
		return av1Keyframe
	}
	return nil
}

// redPrimary returns the primary (last) block of an RFC 2198 RED payload, which is the
// plain Opus frame a subscriber without RED decodes; ok is false for a malformed
// payload. It never allocates.
func redPrimary(payload []byte) (block []byte, ok bool) {
	i, skip := 0, 0
	for {
		if i >= len(payload) {
			return nil, false
		}
		if payload[i]&0x80 == 0 { // last header: 1 byte, F=0 | PT
			i++
			break
		}
		if i+4 > len(payload) { // F=1 | PT, 14-bit offset, 10-bit length
			return nil, false
		}
		skip += int(payload[i+2]&0x03)<<8 | int(payload[i+3])
		i += 4
	}
	if i+skip > len(payload) {
		return nil, false
	}
	return payload[i+skip:], true
}
