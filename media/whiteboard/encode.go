package whiteboard

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// Encode returns the wire form of a client-to-server message. It refuses what
// Decode would refuse. Elements are written as their Raw JSON; their other
// fields are not consulted.
func Encode(m Message) ([]byte, error) {
	return encode(m, false)
}

// EncodeServer returns the wire form of a server-to-client message. It
// refuses what DecodeServer would refuse.
func EncodeServer(m Message) ([]byte, error) {
	return encode(m, true)
}

func encode(m Message, server bool) ([]byte, error) {
	b := appendHeader(nil, m.Type)
	if m.ID != "" {
		b = appendStringField(b, "id", m.ID)
	}
	switch m.Type {
	case TypeUpdate:
		if server {
			b = appendSeqFrom(b, m.Seq, m.From)
		}
		b = appendElements(b, m.Elements)
	case TypePointer:
		if server {
			b = appendStringField(b, "from", string(m.From))
		}
		b = appendPointerFields(b, m.X, m.Y, m.Tool, m.Button)
	case TypeSnapshot:
		b = appendUintField(b, "seq", m.Seq)
		b = appendUintField(b, "part", uint64(max(m.Part, 0)))
		b = appendUintField(b, "parts", uint64(max(m.Parts, 0)))
		b = appendElements(b, m.Elements)
	case TypeCleared:
		b = appendUintField(b, "seq", m.Seq)
		b = appendStringField(b, "by", string(m.By))
	case TypeAck:
		b = appendUintField(b, "seq", m.Seq)
		b = appendUintField(b, "accepted", uint64(max(m.Accepted, 0)))
		b = appendUintField(b, "stale", uint64(max(m.Stale, 0)))
	case TypeError:
		b = appendErrorFields(b, m.Code, m.Text, m.RefID)
	}
	b = append(b, '}')
	if _, err := decode(b, server); err != nil {
		return nil, err
	}
	return b, nil
}

// The append functions below build frames for the Hub without validation:
// the Hub only passes values that are valid by construction.

func appendHeader(b []byte, t Type) []byte {
	b = append(b, `{"v":1,"type":"`...)
	b = append(b, t.String()...)
	return append(b, '"')
}

func appendUintField(b []byte, name string, n uint64) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendUint(b, n, 10)
}

// appendStringField appends ,"name":"s" with s escaped for JSON.
func appendStringField(b []byte, name, s string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendQuoted(b, s)
}

func appendQuoted(b []byte, s string) []byte {
	plain := true
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes; invalid UTF-8 becomes U+FFFD
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

func appendSeqFrom(b []byte, seq uint64, from ParticipantID) []byte {
	b = appendUintField(b, "seq", seq)
	return appendStringField(b, "from", string(from))
}

func appendElements(b []byte, els []Element) []byte {
	b = append(b, `,"elements":[`...)
	for i := range els {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, els[i].Raw...)
	}
	return append(b, ']')
}

func appendElementPtrs(b []byte, els []*Element) []byte {
	b = append(b, `,"elements":[`...)
	for i, e := range els {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e.Raw...)
	}
	return append(b, ']')
}

func appendFloatField(b []byte, name string, x float64) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.AppendInt(b, int64(x), 10)
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64) // shortest form; valid JSON for finite x
}

func appendPointerFields(b []byte, x, y float64, tool Tool, button Button) []byte {
	b = appendFloatField(b, "x", x)
	b = appendFloatField(b, "y", y)
	if tool != ToolUnknown {
		b = appendStringField(b, "tool", tool.String())
	}
	if button != ButtonUnknown {
		b = appendStringField(b, "button", button.String())
	}
	return b
}

func appendErrorFields(b []byte, code Code, text, refID string) []byte {
	b = appendStringField(b, "code", string(code))
	b = appendStringField(b, "message", truncate(text, MaxErrorMessageBytes-4))
	if refID != "" {
		b = appendStringField(b, "refId", refID)
	}
	return b
}

// frame builders used by the Hub.

func updateFrame(seq uint64, from ParticipantID, els []*Element) []byte {
	n := 96 + len(from)
	for _, e := range els {
		n += len(e.Raw) + 1
	}
	b := appendHeader(make([]byte, 0, n), TypeUpdate)
	b = appendSeqFrom(b, seq, from)
	b = appendElementPtrs(b, els)
	return append(b, '}')
}

func pointerFrame(from ParticipantID, m *Message) []byte {
	b := appendHeader(make([]byte, 0, 128), TypePointer)
	b = appendStringField(b, "from", string(from))
	b = appendPointerFields(b, m.X, m.Y, m.Tool, m.Button)
	return append(b, '}')
}

func clearedFrame(seq uint64, by ParticipantID) []byte {
	b := appendHeader(make([]byte, 0, 64+len(by)), TypeCleared)
	b = appendUintField(b, "seq", seq)
	b = appendStringField(b, "by", string(by))
	return append(b, '}')
}

func ackFrame(id string, seq uint64, accepted, stale int) []byte {
	b := appendHeader(make([]byte, 0, 96+len(id)), TypeAck)
	b = appendStringField(b, "id", id)
	b = appendUintField(b, "seq", seq)
	b = appendUintField(b, "accepted", uint64(accepted))
	b = appendUintField(b, "stale", uint64(stale))
	return append(b, '}')
}

func errorFrame(e *Error) []byte {
	b := appendHeader(make([]byte, 0, 96+len(e.Message)+len(e.RefID)), TypeError)
	b = appendErrorFields(b, e.Code, e.Message, e.RefID)
	return append(b, '}')
}
