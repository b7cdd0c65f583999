package signal

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeValid(t *testing.T) {
	seen := map[Type]bool{}
	for name, frame := range validExamples {
		t.Run(name, func(t *testing.T) {
			m, err := Decode([]byte(frame))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			seen[m.Type()] = true
			b, err := Encode(m)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			m2, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode(Encode): %v\n%s", err, b)
			}
			if !reflect.DeepEqual(m, m2) {
				t.Fatalf("round trip differs:\n%#v\n%#v", m.Data, m2.Data)
			}
		})
	}
	for ty := TypeJoin; ty <= TypeBye; ty++ {
		if !seen[ty] {
			t.Errorf("no valid example for %s", ty)
		}
	}
}

func TestDecodeTyped(t *testing.T) {
	m, err := Decode([]byte(validExamples["publish camera"]))
	if err != nil {
		t.Fatal(err)
	}
	p := m.Data.(*Publish)
	if m.ID != "3" || p.Kind != KindVideo || p.Source != SourceCamera || len(p.Layers) != 3 || p.Layers[2].Quality != QualityHigh || p.Layers[2].MaxBitrate != 1500000 {
		t.Fatalf("got %+v", p)
	}
	m, _ = Decode([]byte(validExamples["candidate end"]))
	if !m.Data.(*Candidate).EndOfCandidates() {
		t.Fatal("null candidate must mean end of candidates")
	}
}

func TestDecodeInvalid(t *testing.T) {
	big := strings.Repeat("a", MaxSDPBytes+1)
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	tests := []struct {
		name, frame string
		code        Code
		refID       string
	}{
		{"empty", ``, CodeBadMessage, ""},
		{"not json", `hello`, CodeBadMessage, ""},
		{"array", `[1,2]`, CodeBadMessage, ""},
		{"truncated", `{"v":2,"type":"ping"`, CodeBadMessage, ""},
		{"trailing", `{"v":2,"type":"ping"} {}`, CodeBadMessage, ""},
		{"unknown envelope field", `{"v":2,"type":"ping","extra":1}`, CodeBadMessage, ""},
		{"missing version", `{"id":"9","type":"ping"}`, CodeBadVersion, "9"},
		{"wrong version", `{"v":1,"id":"9","type":"ping"}`, CodeBadVersion, "9"},
		{"float version", `{"v":2.5,"type":"ping"}`, CodeBadMessage, ""},
		{"huge version", `{"v":2e400,"type":"ping"}`, CodeBadMessage, ""},
		{"string version", `{"v":"1","type":"ping"}`, CodeBadMessage, ""},
		{"missing type", `{"v":2,"id":"9"}`, CodeUnknownType, "9"},
		{"unknown type", `{"v":2,"id":"9","type":"dance"}`, CodeUnknownType, "9"},
		{"empty id", `{"v":2,"id":"","type":"ping"}`, CodeInvalidField, ""},
		{"long id", `{"v":2,"id":"` + strings.Repeat("x", 65) + `","type":"ping"}`, CodeInvalidField, ""},
		{"numeric id", `{"v":2,"id":7,"type":"ping"}`, CodeBadMessage, ""},
		{"data not object", `{"v":2,"id":"9","type":"ping","data":[]}`, CodeBadMessage, "9"},
		{"data unknown field", `{"v":2,"id":"9","type":"ping","data":{"x":1}}`, CodeBadMessage, "9"},
		{"deep nesting in data", `{"v":2,"type":"ping","data":{"x":` + deep + `}}`, CodeBadMessage, ""},
		{"deep nesting envelope", `{"v":2,"type":"ping","data":` + deep + `}`, CodeBadMessage, ""},
		{"deep nesting value", deep, CodeBadMessage, ""},
		{"join no token", `{"v":2,"id":"1","type":"join","data":{}}`, CodeInvalidField, "1"},
		{"join no data", `{"v":2,"type":"join"}`, CodeInvalidField, ""},
		{"join long token", `{"v":2,"type":"join","data":{"token":"` + strings.Repeat("t", MaxTokenBytes+1) + `"}}`, CodeInvalidField, ""},
		{"join bad resume token", `{"v":2,"type":"join","data":{"token":"t","resumeToken":"a b"}}`, CodeInvalidField, ""},
		{"join device unknown field", `{"v":2,"type":"join","data":{"token":"t","device":{"gpu":"x"}}}`, CodeBadMessage, ""},
		{"offer with a v1 target", `{"v":2,"type":"offer","data":{"target":"publisher","sdp":"v=0"}}`, CodeBadMessage, ""},
		{"offer no sdp", `{"v":2,"type":"offer","data":{}}`, CodeInvalidField, ""},
		{"offerRequest negative", `{"v":2,"type":"offerRequest","data":{"audio":-1}}`, CodeInvalidField, ""},
		{"offerRequest too many", `{"v":2,"type":"offerRequest","data":{"video":257}}`, CodeInvalidField, ""},
		{"offer empty sdp", `{"v":2,"type":"offer","data":{"sdp":""}}`, CodeInvalidField, ""},
		{"offer sdp too large", `{"v":2,"type":"offer","data":{"sdp":"` + big + `"}}`, CodeInvalidField, ""},
		{"answer sdp number", `{"v":2,"type":"answer","data":{"sdp":5}}`, CodeBadMessage, ""},
		{"candidate too large", `{"v":2,"type":"candidate","data":{"candidate":"` + strings.Repeat("c", MaxCandidateBytes+1) + `","sdpMid":"0"}}`, CodeInvalidField, ""},
		{"candidate no mid", `{"v":2,"type":"candidate","data":{"candidate":"candidate:1"}}`, CodeInvalidField, ""},
		{"candidate negative index", `{"v":2,"type":"candidate","data":{"candidate":"c","sdpMLineIndex":-1}}`, CodeBadMessage, ""},
		{"candidate huge index", `{"v":2,"type":"candidate","data":{"candidate":"c","sdpMLineIndex":99999999999999999999}}`, CodeBadMessage, ""},
		{"publish bad kind", `{"v":2,"type":"publish","data":{"cid":"a","kind":"smell","source":"camera"}}`, CodeInvalidField, ""},
		{"publish bad source", `{"v":2,"type":"publish","data":{"cid":"a","kind":"video","source":"webcam"}}`, CodeInvalidField, ""},
		{"publish source kind mismatch", `{"v":2,"type":"publish","data":{"cid":"a","kind":"audio","source":"camera"}}`, CodeInvalidField, ""},
		{"publish no cid", `{"v":2,"type":"publish","data":{"kind":"audio","source":"microphone"}}`, CodeInvalidField, ""},
		{"publish audio layers", `{"v":2,"type":"publish","data":{"cid":"a","kind":"audio","source":"microphone","layers":[{"rid":"f","quality":"high"}]}}`, CodeInvalidField, ""},
		{"publish four layers", `{"v":2,"type":"publish","data":{"cid":"a","kind":"video","source":"camera","layers":[{"rid":"a","quality":"low"},{"rid":"b","quality":"medium"},{"rid":"c","quality":"high"},{"rid":"d","quality":"high"}]}}`, CodeInvalidField, ""},
		{"publish duplicate rid", `{"v":2,"type":"publish","data":{"cid":"a","kind":"video","source":"camera","layers":[{"rid":"a","quality":"low"},{"rid":"a","quality":"high"}]}}`, CodeInvalidField, ""},
		{"publish bad rid", `{"v":2,"type":"publish","data":{"cid":"a","kind":"video","source":"camera","layers":[{"rid":"a b","quality":"low"}]}}`, CodeInvalidField, ""},
		{"publish huge bitrate", `{"v":2,"type":"publish","data":{"cid":"a","kind":"video","source":"camera","layers":[{"rid":"a","quality":"low","maxBitrate":50000001}]}}`, CodeInvalidField, ""},
		{"publish overflow width", `{"v":2,"type":"publish","data":{"cid":"a","kind":"video","source":"camera","layers":[{"rid":"a","quality":"low","maxWidth":1e30}]}}`, CodeBadMessage, ""},
		{"publish negative height", `{"v":2,"type":"publish","data":{"cid":"a","kind":"video","source":"camera","layers":[{"rid":"a","quality":"low","maxHeight":-1}]}}`, CodeInvalidField, ""},
		{"unpublish no track", `{"v":2,"type":"unpublish","data":{}}`, CodeInvalidField, ""},
		{"subscribe empty", `{"v":2,"type":"subscribe","data":{"tracks":[]}}`, CodeInvalidField, ""},
		{"subscribe duplicate", `{"v":2,"type":"subscribe","data":{"tracks":[{"trackId":"a","enabled":true},{"trackId":"a","enabled":false}]}}`, CodeInvalidField, ""},
		{"subscribe bad quality", `{"v":2,"type":"subscribe","data":{"tracks":[{"trackId":"a","enabled":true,"maxQuality":"ultra"}]}}`, CodeInvalidField, ""},
		{"subscribe wide pane", `{"v":2,"type":"subscribe","data":{"tracks":[{"trackId":"a","enabled":true,"width":100000}]}}`, CodeInvalidField, ""},
		{"subscribe enabled string", `{"v":2,"type":"subscribe","data":{"tracks":[{"trackId":"a","enabled":"yes"}]}}`, CodeBadMessage, ""},
		{"sendChat empty", `{"v":2,"type":"sendChat","data":{"text":""}}`, CodeInvalidField, ""},
		{"sendChat too long", `{"v":2,"id":"9","type":"sendChat","data":{"text":"` + strings.Repeat("字", MaxChatText+1) + `"}}`, CodeInvalidField, "9"},
		{"sendChat bad to", `{"v":2,"type":"sendChat","data":{"text":"x","to":"a b"}}`, CodeInvalidField, ""},
		{"mute no track", `{"v":2,"type":"mute","data":{"muted":true}}`, CodeInvalidField, ""},
		{"ping negative ts", `{"v":2,"type":"ping","data":{"ts":-1}}`, CodeInvalidField, ""},
		{"ping ts above 2^53", `{"v":2,"type":"ping","data":{"ts":9007199254740993}}`, CodeInvalidField, ""},
		{"leave with data", `{"v":2,"type":"leave","data":{"reason":"x"}}`, CodeBadMessage, ""},
		{"notice unknown kind", `{"v":2,"type":"notice","data":{"kind":"kicked"}}`, CodeInvalidField, ""},
		{"bye no reason", `{"v":2,"type":"bye","data":{}}`, CodeInvalidField, ""},
		{"client frame too large", `{"v":2,"type":"offer","data":{"sdp":"` + strings.Repeat("\\u0041", MaxFrameBytes/6+1) + `"}}`, CodeTooLarge, ""},
		{"frame above any limit", strings.Repeat(" ", MaxServerFrameBytes+1), CodeTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.frame))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("want *Error %s, got %v", tt.code, err)
			}
			if pe.Code != tt.code || pe.RefID != tt.refID {
				t.Fatalf("want %s ref %q, got %s ref %q: %v", tt.code, tt.refID, pe.Code, pe.RefID, pe)
			}
		})
	}
}

func TestEncodeRefusesInvalid(t *testing.T) {
	for _, m := range []Message{
		{},
		{Data: &Publish{CID: "a", Kind: KindVideo}},
		{Data: &Joined{ParticipantID: "p", ResumeToken: "r", Protocol: 1}},
		{ID: "bad id", Data: &Ping{}},
		{Data: &Offer{SDP: strings.Repeat("x", MaxSDPBytes+1)}},
		{Data: &Publish{CID: "a", Kind: KindVideo, Source: SourceCamera, Layers: []Layer{{RID: "a", Quality: Quality(9)}}}},
	} {
		if _, err := Encode(m); err == nil {
			t.Errorf("Encode(%#v) succeeded", m.Data)
		}
	}
}

func TestEnumStrings(t *testing.T) {
	if SourceScreen.String() != "screen" || Source(200).String() != "unknown" || TypeTrackPublished.String() != "trackPublished" {
		t.Fatal("enum names")
	}
	if !TypeOffer.FromClient() || TypeOffer.FromServer() || TypeAnswer.FromClient() || !TypeAnswer.FromServer() ||
		!TypeCandidate.FromClient() || !TypeCandidate.FromServer() || TypeOfferRequest.FromClient() ||
		TypeJoined.FromClient() || TypeJoin.FromServer() {
		t.Fatal("directions")
	}
}
