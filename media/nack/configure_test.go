package nack

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// jishitongCodecs is media/rtc's codec table (payload types and MIME types).
func jishitongCodecs() []webrtc.RTPCodecParameters {
	c := func(pt webrtc.PayloadType, mime string, rate uint32) webrtc.RTPCodecParameters {
		return webrtc.RTPCodecParameters{PayloadType: pt, RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mime, ClockRate: rate}}
	}
	return []webrtc.RTPCodecParameters{
		c(111, webrtc.MimeTypeOpus, 48000), c(63, "audio/red", 48000),
		c(96, webrtc.MimeTypeVP8, 90000), c(102, webrtc.MimeTypeH264, 90000), c(104, webrtc.MimeTypeH264, 90000),
		c(98, webrtc.MimeTypeVP9, 90000), c(35, webrtc.MimeTypeAV1, 90000),
	}
}

func TestRTXCodecs(t *testing.T) {
	rtx, err := RTXCodecs(jishitongCodecs())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rtx {
		if c.MimeType != webrtc.MimeTypeRTX || c.ClockRate != 90000 || len(c.RTCPFeedback) != 0 {
			t.Errorf("codec %+v", c)
		}
		got = append(got, fmt.Sprintf("%d:%s", c.PayloadType, c.SDPFmtpLine))
	}
	if want := "97:apt=96 103:apt=102 105:apt=104 99:apt=98 36:apt=35"; strings.Join(got, " ") != want {
		t.Errorf("RTX codecs %s, want %s", strings.Join(got, " "), want)
	}

	c := func(pt webrtc.PayloadType, mime string) webrtc.RTPCodecParameters {
		return webrtc.RTPCodecParameters{PayloadType: pt, RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mime, ClockRate: 90000}}
	}
	for _, tc := range []struct {
		name   string
		codecs []webrtc.RTPCodecParameters
		want   error
	}{
		{"next payload type is a codec's", []webrtc.RTPCodecParameters{c(96, webrtc.MimeTypeVP8), c(97, webrtc.MimeTypeH264)}, ErrPayloadTypeTaken},
		{"next payload type is audio's", []webrtc.RTPCodecParameters{c(110, webrtc.MimeTypeVP8), c(111, webrtc.MimeTypeOpus)}, ErrPayloadTypeTaken},
		{"the same payload type twice", []webrtc.RTPCodecParameters{c(96, webrtc.MimeTypeVP8), c(96, webrtc.MimeTypeVP8)}, ErrPayloadTypeTaken},
		{"above 127", []webrtc.RTPCodecParameters{c(127, webrtc.MimeTypeVP8)}, ErrPayloadTypeInvalid},
		{"RTCP's range", []webrtc.RTPCodecParameters{c(63, webrtc.MimeTypeVP8)}, ErrPayloadTypeInvalid},
		{"RTX, RED and FEC get none", []webrtc.RTPCodecParameters{c(97, webrtc.MimeTypeRTX), c(127, "video/red"), c(127, webrtc.MimeTypeFlexFEC03), c(127, "video/ulpfec")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := RTXCodecs(tc.codecs)
			if !errors.Is(err, tc.want) || err == nil && len(out) != 0 {
				t.Errorf("RTXCodecs = %v, %v; want %v", out, err, tc.want)
			}
		})
	}
}

// TestConfigureNegotiatesRTX: a MediaEngine with Jishitong's codecs and RegisterRTX
// offers each video codec with its RTX codec; Configure adds the Responder and no
// NACK generator.
func TestConfigureNegotiatesRTX(t *testing.T) {
	m := &webrtc.MediaEngine{}
	codecs := jishitongCodecs()
	for _, c := range codecs {
		typ := webrtc.RTPCodecTypeVideo
		if strings.HasPrefix(c.MimeType, "audio/") {
			typ = webrtc.RTPCodecTypeAudio
		}
		if err := m.RegisterCodec(c, typ); err != nil {
			t.Fatal(err)
		}
	}
	ir := &interceptor.Registry{}
	r, err := Configure(m, ir, ResponderConfig{})
	if err != nil || r == nil {
		t.Fatal(err)
	}
	if err := RegisterRTX(m, codecs); err != nil {
		t.Fatal(err)
	}
	i, err := ir.Build("pc")
	if err != nil {
		t.Fatal(err)
	}
	_ = i.Close()
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pc.Close() }()
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96", "a=rtpmap:103 rtx/90000", "a=fmtp:103 apt=102",
		"a=fmtp:105 apt=104", "a=fmtp:99 apt=98", "a=rtpmap:36 rtx/90000", "a=fmtp:36 apt=35", "a=rtcp-fb:96 nack",
	} {
		if !strings.Contains(offer.SDP, line+"\r\n") {
			t.Errorf("offer lacks %q", line)
		}
	}
	if strings.Contains(offer.SDP, "a=rtcp-fb:97 ") {
		t.Error("the RTX codec has RTCP feedback")
	}
}
