package rtc

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
