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

func TestCodecKeyframes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fn      func([]byte) bool
		payload []byte
		want    bool
	}{
		{"h264 empty", h264Keyframe, nil, false},
		{"h264 idr", h264Keyframe, []byte{0x65, 0x88}, true},
		{"h264 sps", h264Keyframe, []byte{0x67, 0x42}, true},
		{"h264 non-idr slice", h264Keyframe, []byte{0x41, 0x9a}, false},
		{"h264 stap-a sps+pps", h264Keyframe, []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce}, true},
		{"h264 stap-a sei only", h264Keyframe, []byte{0x78, 0x00, 0x02, 0x06, 0x05}, false},
		{"h264 stap-a truncated", h264Keyframe, []byte{0x78, 0x00, 0x09, 0x67}, false},
		{"h264 stap-a zero size", h264Keyframe, []byte{0x78, 0x00, 0x00, 0x67}, false},
		{"h264 fu-a idr start", h264Keyframe, []byte{0x7c, 0x85, 0x88}, true},
		{"h264 fu-a idr middle", h264Keyframe, []byte{0x7c, 0x05, 0x88}, false},
		{"h264 fu-a non-idr start", h264Keyframe, []byte{0x7c, 0x81}, false},
		{"h264 fu-a truncated", h264Keyframe, []byte{0x7c}, false},
		{"vp9 keyframe start", vp9Keyframe, []byte{0x08}, true},
		{"vp9 keyframe 15-bit pid", vp9Keyframe, []byte{0x88, 0x81, 0x02}, true},
		{"vp9 inter", vp9Keyframe, []byte{0x48}, false},
		{"vp9 not frame start", vp9Keyframe, []byte{0x00}, false},
		{"vp9 layered sid 0", vp9Keyframe, []byte{0xa8, 0x05, 0x00}, true},
		{"vp9 layered sid 1", vp9Keyframe, []byte{0xa8, 0x05, 0x02}, false},
		{"vp9 truncated", vp9Keyframe, []byte{0xa8, 0x05}, false},
		{"av1 new sequence", av1Keyframe, []byte{0x18}, true},
		{"av1 continuation", av1Keyframe, []byte{0x10}, false},
		{"av1 empty", av1Keyframe, nil, false},
	} {
		if got := tc.fn(tc.payload); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if keyframeFunc("video/H264") == nil || keyframeFunc("video/vp8") == nil || keyframeFunc("video/x-unknown") != nil {
		t.Error("keyframeFunc by mime type")
	}
}

func TestREDPrimary(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload []byte
		want    []byte
		ok      bool
	}{
		{"primary only", []byte{0x6f, 0xaa, 0xbb}, []byte{0xaa, 0xbb}, true},
		// One redundant block of 2 bytes (PT 111, offset 960, length 2), then the primary.
		{"one redundant", []byte{0xef, 0x0f, 0x00, 0x02, 0x6f, 0x11, 0x22, 0xaa, 0xbb}, []byte{0xaa, 0xbb}, true},
		{"empty", nil, nil, false},
		{"header truncated", []byte{0xef, 0x0f}, nil, false},
		{"length past end", []byte{0xef, 0x0f, 0x00, 0x09, 0x6f, 0x11}, nil, false},
		{"no last header", []byte{0xef, 0x0f, 0x00, 0x00}, nil, false},
	} {
		got, ok := redPrimary(tc.payload)
		if ok != tc.ok || string(got) != string(tc.want) {
			t.Errorf("%s: got % x %v, want % x %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzKeyframeDetectors(f *testing.F) {
	f.Add([]byte{0x78, 0x00, 0x02, 0x67, 0x42})
	f.Add([]byte{0xef, 0x0f, 0x00, 0x02, 0x6f, 0x11, 0x22})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = vp8Keyframe(b)
		_ = h264Keyframe(b)
		_ = vp9Keyframe(b)
		_ = av1Keyframe(b)
		if p, ok := redPrimary(b); ok && len(p) > len(b) {
			t.Fatal("primary longer than payload")
		}
	})
}
