package whiteboard

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// field is a bit per envelope member.
type field uint32

const (
	fV field = 1 << iota
	fType
	fID
	fElements
	fX
	fY
	fTool
	fButton
	fSeq
	fFrom
	fBy
	fPart
	fParts
	fAccepted
	fStale
	fCode
	fMessage
	fRefID
	numFields = iota
)

var fieldNames = [numFields]string{"v", "type", "id", "elements", "x", "y", "tool", "button", "seq", "from", "by",
	"part", "parts", "accepted", "stale", "code", "message", "refId"}

func fieldOf(name []byte) (field, int) {
	for i, n := range fieldNames {
		if string(name) == n {
			return 1 << i, i
		}
	}
	return 0, -1
}

func (f field) name() string {
	for i := range fieldNames {
		if f&(1<<i) != 0 {
			return fieldNames[i]
		}
	}
	return "?"
}

// shape is the set of fields a message type carries in one direction.
type shape struct{ required, optional field }

var clientShapes = map[Type]shape{
	TypeUpdate:  {fV | fType | fElements, fID},
	TypePointer: {fV | fType | fX | fY, fID | fTool | fButton},
	TypeClear:   {fV | fType, fID},
}

var serverShapes = map[Type]shape{
	TypeUpdate:   {fV | fType | fSeq | fFrom | fElements, 0},
	TypePointer:  {fV | fType | fFrom | fX | fY, fTool | fButton},
	TypeSnapshot: {fV | fType | fSeq | fPart | fParts | fElements, 0},
	TypeCleared:  {fV | fType | fSeq | fBy, 0},
	TypeAck:      {fV | fType | fID | fSeq | fAccepted | fStale, 0},
	TypeError:    {fV | fType | fCode | fMessage, fRefID},
}

// Shape returns the envelope members a message of type t carries from the
// server (server) or from a client: those it requires and those it may carry.
// ok is false when that side never sends t. It reads the table Decode checks
// messages against; internal/contracts generates the TypeScript message types
// from it.
func Shape(t Type, server bool) (required, optional []string, ok bool) {
	shapes := clientShapes
	if server {
		shapes = serverShapes
	}
	sh, ok := shapes[t]
	if !ok {
		return nil, nil, false
	}
	for i, name := range fieldNames {
		switch {
		case sh.required&(1<<i) != 0:
			required = append(required, name)
		case sh.optional&(1<<i) != 0:
			optional = append(optional, name)
		}
	}
	return required, optional, true
}

// Decode parses and strictly validates one client-to-server message: UTF-8
// JSON, one object, no unknown or duplicate members, the version, a client
// type, required fields, sizes and ranges, and every element of an update.
// Any error is an *Error carrying the protocol code and, when the message's id
// could be read, its RefID.
func Decode(b []byte) (Message, error) {
	m, err := decode(b, false)
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

// DecodeServer parses and strictly validates one server-to-client message. It
// is the client side of the protocol, for tests and Go clients.
func DecodeServer(b []byte) (Message, error) {
	m, err := decode(b, true)
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

// decode returns *Error rather than error so that callers cannot get a typed
// nil; the exported wrappers convert.
func decode(b []byte, server bool) (Message, *Error) {
	limit := MaxMessageBytes
	if server {
		limit = MaxServerMessageBytes
	}
	if len(b) > limit {
		return Message{}, Errorf(CodeTooLarge, "message of %d bytes, limit %d", len(b), limit)
	}
	if !utf8.Valid(b) {
		return Message{}, Errorf(CodeBadMessage, "not UTF-8")
	}
	if !json.Valid(b) {
		err := json.Unmarshal(b, new(json.RawMessage)) // for the position of the error
		if err == nil {
			return Message{}, Errorf(CodeBadMessage, "not JSON")
		}
		return Message{}, Errorf(CodeBadMessage, "%s", truncate(err.Error(), 200))
	}
	if kindOf(b[skipWS(b, 0):]) != kindObject {
		return Message{}, Errorf(CodeBadMessage, "want an object")
	}

	var vals [numFields][]byte
	var seen field
	it := newObjectIter(b)
	for {
		mem, ok := it.next()
		if !ok {
			break
		}
		f, i := fieldOf(mem.name)
		if f == 0 {
			return Message{}, Errorf(CodeBadMessage, "unknown field %q", truncate(string(mem.name), 32))
		}
		if seen&f != 0 {
			return Message{}, Errorf(CodeBadMessage, "duplicate field %q", mem.name)
		}
		seen |= f
		vals[i] = mem.val
	}
	val := func(f field) []byte {
		for i := range vals {
			if f == 1<<i {
				return vals[i]
			}
		}
		return nil
	}

	var m Message
	if seen&fID != 0 {
		id, err := parseString("id", val(fID))
		if err != nil {
			return Message{}, err
		}
		if err := checkMessageID("id", id); err != nil {
			return Message{}, err
		}
		m.ID = id
	}
	fail := func(err *Error) (Message, *Error) {
		err.RefID = m.ID
		return Message{}, err
	}
	if v := val(fV); v == nil || string(v) != "1" {
		return fail(Errorf(CodeBadVersion, "protocol version must be %d", Version))
	}
	t := val(fType)
	if t == nil {
		return fail(Errorf(CodeUnknownType, "type required"))
	}
	if kindOf(t) != kindString {
		return fail(Errorf(CodeUnknownType, "type: want a string, got %s", kindOf(t)))
	}
	m.Type = typeOf(unquote(t))
	shapes := clientShapes
	if server {
		shapes = serverShapes
	}
	sh, ok := shapes[m.Type]
	switch {
	case m.Type == TypeUnknown:
		return fail(Errorf(CodeUnknownType, "unknown type %q", truncate(string(unquote(t)), 32)))
	case !ok:
		return fail(Errorf(CodeUnexpectedType, "%s is not sent by the %s", m.Type, map[bool]string{false: "client", true: "server"}[server]))
	}
	if extra := seen &^ (sh.required | sh.optional); extra != 0 {
		return fail(Errorf(CodeBadMessage, "field %q not allowed in %s", extra.name(), m.Type))
	}
	if missing := sh.required &^ seen; missing != 0 {
		return fail(Errorf(CodeInvalidField, "%s: required", missing.name()))
	}

	var err *Error
	if v := val(fSeq); v != nil {
		var n int64
		n, err = parseInt("seq", v, 0, MaxSafeInteger)
		m.Seq = uint64(n)
		if err == nil && m.Seq == 0 && (m.Type == TypeUpdate || m.Type == TypeCleared) {
			err = Errorf(CodeInvalidField, "seq: must be at least 1")
		}
	}
	if v := val(fFrom); err == nil && v != nil {
		m.From, err = parseParticipantID("from", v)
	}
	if v := val(fBy); err == nil && v != nil {
		m.By, err = parseParticipantID("by", v)
	}
	if v := val(fParts); err == nil && v != nil {
		var n int64
		n, err = parseInt("parts", v, 1, math.MaxInt32)
		m.Parts = int(n)
	}
	if v := val(fPart); err == nil && v != nil {
		var n int64
		n, err = parseInt("part", v, 1, int64(max(m.Parts, 1)))
		m.Part = int(n)
	}
	if v := val(fAccepted); err == nil && v != nil {
		var n int64
		n, err = parseInt("accepted", v, 0, MaxUpdateElements)
		m.Accepted = int(n)
	}
	if v := val(fStale); err == nil && v != nil {
		var n int64
		n, err = parseInt("stale", v, 0, MaxUpdateElements)
		m.Stale = int(n)
	}
	if v := val(fX); err == nil && v != nil {
		m.X, err = parseCoordinate("x", v)
	}
	if v := val(fY); err == nil && v != nil {
		m.Y, err = parseCoordinate("y", v)
	}
	if v := val(fTool); err == nil && v != nil {
		m.Tool, err = parseTool(v)
	}
	if v := val(fButton); err == nil && v != nil {
		m.Button, err = parseButton(v)
	}
	if v := val(fCode); err == nil && v != nil {
		var s string
		s, err = parseString("code", v)
		if err == nil && !isCode(s) {
			err = Errorf(CodeInvalidField, "code: want 1..32 bytes of [a-z_]")
		}
		m.Code = Code(s)
	}
	if v := val(fMessage); err == nil && v != nil {
		m.Text, err = parseString("message", v)
		if err == nil && len(m.Text) > MaxErrorMessageBytes {
			err = Errorf(CodeInvalidField, "message: %d bytes, limit %d", len(m.Text), MaxErrorMessageBytes)
		}
	}
	if v := val(fRefID); err == nil && v != nil {
		m.RefID, err = parseString("refId", v)
		if err == nil {
			err = checkMessageID("refId", m.RefID)
		}
	}
	if v := val(fElements); err == nil && v != nil {
		maxN := MaxUpdateElements
		if m.Type == TypeSnapshot {
			maxN = math.MaxInt
		}
		m.Elements, err = parseElements(v, m.Type != TypeSnapshot, maxN)
	}
	if err != nil {
		return fail(err)
	}
	return m, nil
}

// parseElements parses a raw "elements" value: an array of 1..maxN elements
// (0..maxN when nonEmpty is false) with distinct ids.
func parseElements(v []byte, nonEmpty bool, maxN int) ([]Element, *Error) {
	if kindOf(v) != kindArray {
		return nil, Errorf(CodeBadMessage, "elements: want an array, got %s", kindOf(v))
	}
	var els []Element
	it := newArrayIter(v)
	for {
		item, ok := it.next()
		if !ok {
			break
		}
		if len(els) == maxN {
			return nil, Errorf(CodeInvalidField, "elements: more than %d", maxN)
		}
		e, err := parseElement(item)
		if err != nil {
			err.Message = "elements[" + strconv.Itoa(len(els)) + "]" + err.Message
			return nil, err
		}
		els = append(els, e)
	}
	if nonEmpty && len(els) == 0 {
		return nil, Errorf(CodeInvalidField, "elements: empty")
	}
	if i, j := duplicateID(els); i >= 0 {
		return nil, Errorf(CodeInvalidField, "elements[%d].id: %q also at elements[%d]", j, els[j].ID, i)
	}
	return els, nil
}

// duplicateID returns the positions i < j of the first repeated id, or -1, -1.
func duplicateID(els []Element) (int, int) {
	if len(els) <= 16 {
		for j := 1; j < len(els); j++ {
			for i := range j {
				if els[i].ID == els[j].ID {
					return i, j
				}
			}
		}
		return -1, -1
	}
	at := make(map[string]int, len(els))
	for j := range els {
		if i, ok := at[els[j].ID]; ok {
			return i, j
		}
		at[els[j].ID] = j
	}
	return -1, -1
}

func parseCoordinate(name string, v []byte) (float64, *Error) {
	if kindOf(v) != kindNumber {
		return 0, Errorf(CodeBadMessage, "%s: want a number, got %s", name, kindOf(v))
	}
	x, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.Abs(x) > MaxCoordinate {
		return 0, Errorf(CodeInvalidField, "%s: %s out of range ±%g", name, truncate(string(v), 32), float64(MaxCoordinate))
	}
	return x, nil
}

func parseTool(v []byte) (Tool, *Error) {
	s, err := parseString("tool", v)
	if err != nil {
		return 0, err
	}
	for i := 1; i < len(toolNames); i++ {
		if s == toolNames[i] {
			return Tool(i), nil
		}
	}
	return 0, Errorf(CodeInvalidField, "tool: unknown value %q", truncate(s, 32))
}

func parseButton(v []byte) (Button, *Error) {
	s, err := parseString("button", v)
	if err != nil {
		return 0, err
	}
	for i := 1; i < len(buttonNames); i++ {
		if s == buttonNames[i] {
			return Button(i), nil
		}
	}
	return 0, Errorf(CodeInvalidField, "button: unknown value %q", truncate(s, 32))
}

func parseParticipantID(name string, v []byte) (ParticipantID, *Error) {
	s, err := parseString(name, v)
	if err != nil {
		return "", err
	}
	if !validParticipantID(s) {
		return "", Errorf(CodeInvalidField, "%s: want 1..%d bytes of [A-Za-z0-9._~:-]", name, MaxParticipantIDBytes)
	}
	return ParticipantID(s), nil
}

// validParticipantID reports whether s is 1..64 bytes of [A-Za-z0-9._~:-], so
// that it never needs escaping in JSON.
func validParticipantID(s string) bool {
	if len(s) == 0 || len(s) > MaxParticipantIDBytes {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !isElementIDByte(c) && c != '.' && c != '~' && c != ':' {
			return false
		}
	}
	return true
}

// checkMessageID checks a client message id: 1..64 bytes of printable ASCII.
func checkMessageID(name, s string) *Error {
	if len(s) == 0 || len(s) > MaxMessageIDBytes {
		return Errorf(CodeInvalidField, "%s: %d bytes, want 1..%d", name, len(s), MaxMessageIDBytes)
	}
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return Errorf(CodeInvalidField, "%s: want printable ASCII", name)
		}
	}
	return nil
}

func isCode(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := range len(s) {
		if (s[i] < 'a' || s[i] > 'z') && s[i] != '_' {
			return false
		}
	}
	return true
}
