package rtc

import "testing"

func TestVP8Keyframe(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload []byte
		want    bool
	}{
		{"empty", nil, false},
		{"start, keyframe", []byte{0x10, 0x00, 0x00, 0x00, 0x9d}, true},
		{"start, interframe", []byte{0x10, 0x01}, false},
		{"continuation", []byte{0x00, 0x00}, false},
		{"partition 1", []byte{0x11, 0x00}, false},
		{"descriptor only", []byte{0x10}, false},
		{"X, 7-bit picture id, keyframe", []byte{0x90, 0x80, 0x05, 0x00}, true},
		{"X, 15-bit picture id, keyframe", []byte{0x90, 0x80, 0x81, 0x02, 0x00}, true},
		{"X, 15-bit picture id, interframe", []byte{0x90, 0x80, 0x81, 0x02, 0x01}, false},
		{"X, I L T K, keyframe", []byte{0x90, 0xf0, 0x81, 0x02, 0x07, 0x40, 0x00}, true},
		{"X, truncated", []byte{0x90, 0xf0, 0x81}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := vp8Keyframe(tc.payload); got != tc.want {
				t.Errorf("vp8Keyframe(% x) = %v, want %v", tc.payload, got, tc.want)
			}
		})
	}
}
