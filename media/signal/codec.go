package signal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// envelope is the wire form of every message.
type envelope struct {
	V    *int            `json:"v"`
	ID   *string         `json:"id,omitempty"`
	Type *string         `json:"type"`
	Data json.RawMessage `json:"data,omitempty"`
}

var typeByName = func() map[string]Type {
	m := make(map[string]Type, len(typeNames))
	for i := 1; i < len(typeNames); i++ {
		m[typeNames[i]] = Type(i)
	}
	return m
}()

// Decode parses and strictly validates one frame: the version, a known type,
// no unknown fields in the envelope or in data, required fields, enums, sizes
// and ranges. Any error is an *Error carrying the protocol code and, when the
// envelope's id could be read, its RefID.
func Decode(b []byte) (Message, error) {
	if len(b) > MaxServerFrameBytes {
		return Message{}, Errorf(CodeTooLarge, "frame of %d bytes", len(b))
	}
	var env envelope
	if err := strictUnmarshal(b, &env); err != nil {
		return Message{}, asProtocolError(err, CodeBadMessage, "")
	}
	var id string
	if env.ID != nil {
		id = *env.ID
		if id == "" {
			return Message{}, invalid("id", "must not be empty")
		}
		if err := checkID("id", id); err != nil {
			return Message{}, err
		}
	}
	fail := func(err *Error) (Message, error) {
		err.RefID = id
		return Message{}, err
	}
	if env.V == nil || *env.V != Version {
		return fail(Errorf(CodeBadVersion, "protocol version must be %d", Version))
	}
	if env.Type == nil {
		return fail(Errorf(CodeUnknownType, "type required"))
	}
	t, ok := typeByName[*env.Type]
	if !ok {
		return fail(Errorf(CodeUnknownType, "unknown type %q", truncate(*env.Type, 32)))
	}
	if len(b) > t.maxFrame() {
		return fail(Errorf(CodeTooLarge, "%s frame of %d bytes, limit %d", t, len(b), t.maxFrame()))
	}
	p := NewPayload(t)
	if len(env.Data) > 0 && string(env.Data) != "null" {
		if env.Data[0] != '{' {
			return fail(Errorf(CodeBadMessage, "data must be an object"))
		}
		if err := strictUnmarshal(env.Data, p); err != nil {
			return fail(asProtocolError(err, CodeBadMessage, "data: "))
		}
	}
	if err := p.validate(); err != nil {
		return fail(asProtocolError(err, CodeInvalidField, ""))
	}
	return Message{ID: id, Data: p}, nil
}

// strictUnmarshal decodes exactly one JSON value, refusing unknown fields and
// trailing data.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// asProtocolError keeps an *Error (raised by an enum's UnmarshalText) and wraps
// anything else under code.
func asProtocolError(err error, code Code, prefix string) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return &Error{Code: pe.Code, Message: pe.Message}
	}
	return &Error{Code: code, Message: prefix + truncate(err.Error(), 200)}
}

// Encode validates m and returns its wire form. It refuses messages that
// Decode would refuse, including frames above the limit for their direction.
func Encode(m Message) ([]byte, error) {
	if m.Data == nil {
		return nil, Errorf(CodeBadMessage, "no payload")
	}
	if err := checkID("id", m.ID); err != nil {
		return nil, err
	}
	if err := m.Data.validate(); err != nil {
		return nil, err
	}
	v := Version
	typ := m.Type().String()
	env := envelope{V: &v, Type: &typ}
	if m.ID != "" {
		env.ID = &m.ID
	}
	var data bytes.Buffer
	enc := json.NewEncoder(&data)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.Data); err != nil {
		return nil, err
	}
	env.Data = bytes.TrimSuffix(data.Bytes(), []byte("\n"))
	if string(env.Data) == "{}" {
		env.Data = nil
	}
	var out bytes.Buffer
	enc = json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env); err != nil {
		return nil, err
	}
	b := bytes.TrimSuffix(out.Bytes(), []byte("\n"))
	if t := m.Type(); len(b) > t.maxFrame() {
		return nil, Errorf(CodeTooLarge, "%s frame of %d bytes, limit %d", t, len(b), t.maxFrame())
	}
	return b, nil
}
