package whiteboard

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestExamplesDecodeAndEncodeBack(t *testing.T) {
	for name, frame := range clientExamples {
		t.Run("client "+name, func(t *testing.T) {
			m, err := Decode([]byte(frame))
			if err != nil {
				t.Fatal(err)
			}
			out, err := Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != frame {
				t.Fatalf("Encode(Decode(x)) != x\n got %s\nwant %s", out, frame)
			}
			if _, err := DecodeServer([]byte(frame)); err == nil && m.Type != TypeUpdate && m.Type != TypePointer {
				t.Fatal("a client message decodes as a server message")
			}
		})
	}
	for name, frame := range serverExamples {
		t.Run("server "+name, func(t *testing.T) {
			m, err := DecodeServer([]byte(frame))
			if err != nil {
				t.Fatal(err)
			}
			out, err := EncodeServer(m)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != frame {
				t.Fatalf("EncodeServer(DecodeServer(x)) != x\n got %s\nwant %s", out, frame)
			}
			if _, err := Decode([]byte(frame)); err == nil {
				t.Fatal("a server message decodes as a client message")
			}
		})
	}
}

func TestDecodeFields(t *testing.T) {
	m, err := Decode([]byte(clientExamples["update rectangle"]))
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != TypeUpdate || m.ID != "m1" || len(m.Elements) != 1 {
		t.Fatalf("got %+v", m)
	}
	e := m.Elements[0]
	if e.ID != "r-Hq2fXk8a1" || e.Type != ElementRectangle || e.Version != 2 || e.VersionNonce != 1934811221 || e.IsDeleted || e.Index != "a0" {
		t.Fatalf("element %+v", e)
	}
	if !strings.Contains(string(e.Raw), `"roundness":{"type":3}`) || !strings.HasPrefix(string(e.Raw), `{"id":"r-Hq2fXk8a1"`) {
		t.Fatalf("raw not verbatim: %s", e.Raw)
	}
	p, err := Decode([]byte(clientExamples["pointer laser"]))
	if err != nil || p.X != 10 || p.Y != 20.25 || p.Tool != ToolLaser || p.Button != ButtonDown {
		t.Fatalf("pointer %+v %v", p, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	long := strings.Repeat("a", 65)
	tests := []struct {
		name, frame string
		code        Code
		contains    string
		refID       string
	}{
		{"empty", ``, CodeBadMessage, "", ""},
		{"not json", `{"v":1,`, CodeBadMessage, "", ""},
		{"array", `[]`, CodeBadMessage, "object", ""},
		{"string", `"update"`, CodeBadMessage, "object", ""},
		{"trailing value", `{"v":1,"type":"clear"} 1`, CodeBadMessage, "", ""},
		{"two objects", `{"v":1,"type":"clear"}{}`, CodeBadMessage, "", ""},
		{"invalid utf-8", "{\"v\":1,\"type\":\"clear\",\"id\":\"\xff\"}", CodeBadMessage, "UTF-8", ""},
		{"version 2", `{"v":2,"type":"clear"}`, CodeBadVersion, "", ""},
		{"version missing", `{"type":"clear"}`, CodeBadVersion, "", ""},
		{"version string", `{"v":"1","type":"clear"}`, CodeBadVersion, "", ""},
		{"version float", `{"v":1.0,"type":"clear"}`, CodeBadVersion, "", ""},
		{"version keeps refId", `{"v":3,"id":"q1","type":"clear"}`, CodeBadVersion, "", "q1"},
		{"type missing", `{"v":1}`, CodeUnknownType, "required", ""},
		{"type unknown", `{"v":1,"type":"draw","id":"7"}`, CodeUnknownType, "draw", "7"},
		{"type number", `{"v":1,"type":3}`, CodeUnknownType, "", ""},
		{"type case", `{"v":1,"type":"Clear"}`, CodeUnknownType, "", ""},
		{"server type", `{"v":1,"type":"snapshot","seq":1,"part":1,"parts":1,"elements":[]}`, CodeUnexpectedType, "", ""},
		{"cleared from client", `{"v":1,"type":"cleared","seq":1,"by":"x"}`, CodeUnexpectedType, "", ""},
		{"unknown field", `{"v":1,"type":"clear","force":true}`, CodeBadMessage, `"force"`, ""},
		{"field case", `{"v":1,"type":"clear","V":1}`, CodeBadMessage, `"V"`, ""},
		{"duplicate field", `{"v":1,"type":"clear","type":"clear"}`, CodeBadMessage, "duplicate", ""},
		{"escaped duplicate", `{"v":1,"type":"clear","\u0074ype":"clear"}`, CodeBadMessage, "duplicate", ""},
		{"server field in client update", `{"v":1,"type":"update","seq":4,"elements":[` + el("a", 1, 1, false) + `]}`, CodeBadMessage, `"seq" not allowed`, ""},
		{"from in pointer", `{"v":1,"type":"pointer","from":"PA_1","x":1,"y":1}`, CodeBadMessage, `"from" not allowed`, ""},
		{"elements in clear", `{"v":1,"type":"clear","elements":[]}`, CodeBadMessage, "not allowed", ""},
		{"id empty", `{"v":1,"type":"clear","id":""}`, CodeInvalidField, "id", ""},
		{"id number", `{"v":1,"type":"clear","id":7}`, CodeBadMessage, "id", ""},
		{"id too long", `{"v":1,"type":"clear","id":"` + long + `"}`, CodeInvalidField, "id", ""},
		{"id control", `{"v":1,"type":"clear","id":"a\nb"}`, CodeInvalidField, "id", ""},
		{"elements missing", `{"v":1,"type":"update","id":"u"}`, CodeInvalidField, "elements: required", "u"},
		{"elements empty", `{"v":1,"type":"update","elements":[]}`, CodeInvalidField, "empty", ""},
		{"elements object", `{"v":1,"type":"update","elements":{}}`, CodeBadMessage, "array", ""},
		{"element not object", `{"v":1,"type":"update","elements":[` + el("a", 1, 1, false) + `,5]}`, CodeBadMessage, "elements[1]: want an object", ""},
		{"pointer x missing", `{"v":1,"type":"pointer","y":1}`, CodeInvalidField, "x: required", ""},
		{"pointer x string", `{"v":1,"type":"pointer","x":"1","y":1}`, CodeBadMessage, "x", ""},
		{"pointer x huge", `{"v":1,"type":"pointer","x":1e10,"y":1}`, CodeInvalidField, "x", ""},
		{"pointer y overflow", `{"v":1,"type":"pointer","x":1,"y":1e400}`, CodeInvalidField, "y", ""},
		{"pointer tool", `{"v":1,"type":"pointer","x":1,"y":1,"tool":"pen"}`, CodeInvalidField, "tool", ""},
		{"pointer button", `{"v":1,"type":"pointer","x":1,"y":1,"button":1}`, CodeBadMessage, "button", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectError(t, []byte(tt.frame), tt.code, tt.contains, tt.refID)
		})
	}
}

func expectError(t *testing.T, frame []byte, code Code, contains, refID string) {
	t.Helper()
	_, err := Decode(frame)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("Decode(%.120s) = %v, want *Error %s", frame, err, code)
	}
	if pe.Code != code || !strings.Contains(pe.Message, contains) || pe.RefID != refID {
		t.Fatalf("Decode(%.120s) = %v, want %s containing %q with refId %q", frame, pe, code, contains, refID)
	}
}

func TestDecodeElementRejects(t *testing.T) {
	tests := []struct {
		name, el string
		code     Code
		contains string
	}{
		{"id missing", `{"type":"rectangle","version":1,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".id: required"},
		{"version missing", `{"id":"a","type":"rectangle","versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".version: required"},
		{"nonce missing", `{"id":"a","type":"rectangle","version":1,"isDeleted":false}`, CodeInvalidField, ".versionNonce: required"},
		{"isDeleted missing", `{"id":"a","type":"rectangle","version":1,"versionNonce":1}`, CodeInvalidField, ".isDeleted: required"},
		{"type missing", `{"id":"a","version":1,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".type: required"},
		{"id empty", `{"id":"","type":"rectangle","version":1,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".id"},
		{"id 65", `{"id":"` + strings.Repeat("a", 65) + `","type":"rectangle","version":1,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".id"},
		{"id chars", `{"id":"a.b","type":"rectangle","version":1,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".id"},
		{"id number", `{"id":1,"type":"rectangle","version":1,"versionNonce":1,"isDeleted":false}`, CodeBadMessage, ".id"},
		{"version 0", `{"id":"a","type":"rectangle","version":0,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".version"},
		{"version float", `{"id":"a","type":"rectangle","version":1.5,"versionNonce":1,"isDeleted":false}`, CodeBadMessage, ".version"},
		{"version exponent", `{"id":"a","type":"rectangle","version":1e2,"versionNonce":1,"isDeleted":false}`, CodeBadMessage, ".version"},
		{"version 2^53", `{"id":"a","type":"rectangle","version":9007199254740992,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".version"},
		{"version string", `{"id":"a","type":"rectangle","version":"2","versionNonce":1,"isDeleted":false}`, CodeBadMessage, ".version"},
		{"nonce -2^53", `{"id":"a","type":"rectangle","version":1,"versionNonce":-9007199254740992,"isDeleted":false}`, CodeInvalidField, ".versionNonce"},
		{"isDeleted string", `{"id":"a","type":"rectangle","version":1,"versionNonce":1,"isDeleted":"false"}`, CodeBadMessage, ".isDeleted"},
		{"image", `{"id":"a","type":"image","version":1,"versionNonce":1,"isDeleted":false,"fileId":"f"}`, CodeInvalidField, `.type: "image" is not allowed`},
		{"embeddable", `{"id":"a","type":"embeddable","version":1,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".type"},
		{"selection", `{"id":"a","type":"selection","version":1,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".type"},
		{"type number", `{"id":"a","type":7,"version":1,"versionNonce":1,"isDeleted":false}`, CodeBadMessage, ".type"},
		{"duplicate id", `{"id":"a","id":"b","type":"rectangle","version":1,"versionNonce":1,"isDeleted":false}`, CodeBadMessage, ": duplicate"},
		{"escaped duplicate version", `{"id":"a","type":"rectangle","version":1,"versionNonce":1,"isDeleted":false,"versio\u006e":99}`, CodeBadMessage, ": duplicate"},
		{"other case is not version", `{"id":"a","type":"rectangle","Version":9,"versionNonce":1,"isDeleted":false}`, CodeInvalidField, ".version: required"},
		{"index number", `{"id":"a","type":"rectangle","version":1,"versionNonce":1,"isDeleted":false,"index":3}`, CodeBadMessage, ".index"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectError(t, update("u1", tt.el), tt.code, "elements[0]"+tt.contains, "u1")
		})
	}
}

func TestDecodeLimits(t *testing.T) {
	t.Run("element at 32 KiB", func(t *testing.T) {
		m, err := Decode(update("", elSized("a", 1, 1, MaxElementBytes)))
		if err != nil || len(m.Elements[0].Raw) != MaxElementBytes {
			t.Fatal(err)
		}
	})
	t.Run("element past 32 KiB", func(t *testing.T) {
		expectError(t, update("", el("ok", 1, 1, false), elSized("a", 1, 1, MaxElementBytes+1)), CodeTooLarge, "elements[1]: 32769 bytes", "")
	})
	t.Run("message at 64 KiB", func(t *testing.T) {
		msg := padTo(update("", elSized("a", 1, 1, 30000), elSized("b", 1, 1, 30000)), MaxMessageBytes)
		if _, err := Decode(msg); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("message past 64 KiB", func(t *testing.T) {
		msg := padTo(update("", elSized("a", 1, 1, 30000), elSized("b", 1, 1, 30000)), MaxMessageBytes+1)
		expectError(t, msg, CodeTooLarge, "65537", "")
	})
	var els []string
	for i := range MaxUpdateElements + 1 {
		els = append(els, el(fmt.Sprintf("e%d", i), 1, 1, false))
	}
	t.Run("200 elements", func(t *testing.T) {
		m, err := Decode(update("", els[:MaxUpdateElements]...))
		if err != nil || len(m.Elements) != MaxUpdateElements {
			t.Fatal(err)
		}
	})
	t.Run("201 elements", func(t *testing.T) {
		expectError(t, update("", els...), CodeInvalidField, "more than 200", "")
	})
	t.Run("duplicate ids small", func(t *testing.T) {
		expectError(t, update("", el("a", 1, 1, false), el("b", 1, 1, false), el("a", 2, 1, false)), CodeInvalidField, `elements[2].id: "a" also at elements[0]`, "")
	})
	t.Run("duplicate ids large", func(t *testing.T) {
		dup := append(append([]string(nil), els[:50]...), el("e7", 2, 2, false))
		expectError(t, update("", dup...), CodeInvalidField, `elements[50].id: "e7" also at elements[7]`, "")
	})
	t.Run("message id 64", func(t *testing.T) {
		if _, err := Decode([]byte(`{"v":1,"type":"clear","id":"` + strings.Repeat("~", 64) + `"}`)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("element id 64", func(t *testing.T) {
		if _, err := Decode(update("", el(strings.Repeat("Z", 64), 1, 1, false))); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("version 2^53-1", func(t *testing.T) {
		if _, err := Decode(update("", el("a", MaxSafeInteger, -MaxSafeInteger, false))); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("pointer at bound", func(t *testing.T) {
		if _, err := Decode([]byte(`{"v":1,"type":"pointer","x":1e9,"y":-1000000000}`)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("pointer past bound", func(t *testing.T) {
		expectError(t, []byte(`{"v":1,"type":"pointer","x":1000000000.5,"y":0}`), CodeInvalidField, "x", "")
	})
}

func TestEncodeRefusesInvalid(t *testing.T) {
	bad := []Message{
		{},
		{Type: TypeSnapshot},
		{Type: TypeClear, ID: strings.Repeat("x", 65)},
		{Type: TypePointer, X: 2e9},
		{Type: TypeUpdate},
	}
	for _, m := range bad {
		if b, err := Encode(m); err == nil {
			t.Errorf("Encode(%+v) = %s, want an error", m, b)
		}
	}
	if b, err := EncodeServer(Message{Type: TypeCleared, Seq: 0, By: "x"}); err == nil {
		t.Errorf("cleared with seq 0 encoded: %s", b)
	}
	if b, err := EncodeServer(Message{Type: TypeError, Code: "Bad Code", Text: "x"}); err == nil {
		t.Errorf("bad code encoded: %s", b)
	}
}
