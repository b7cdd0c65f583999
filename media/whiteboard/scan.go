package whiteboard

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// The decoder walks JSON that json.Valid has already accepted, so the scanner
// below only finds boundaries; it never has to report syntax errors. Walking by
// hand rather than with encoding/json gives the semantics a browser's
// JSON.parse has: member names match exactly (encoding/json matches them
// case-insensitively, so "Version" would shadow "version" for the server but
// not for the clients) and escaped names ("\u0069d") are compared after
// unescaping, which lets us refuse duplicates of the fields we interpret.

// member is one name/value pair of a JSON object.
type member struct {
	name []byte // unescaped; may alias the input
	val  []byte // the raw value
}

// objectIter iterates over the members of a valid JSON object.
type objectIter struct {
	b []byte
	i int
}

// newObjectIter returns an iterator over b, which must be a valid JSON object.
func newObjectIter(b []byte) objectIter {
	i := skipWS(b, 0)
	return objectIter{b: b, i: i + 1} // past '{'
}

// next returns the next member, or false at the end of the object.
func (it *objectIter) next() (member, bool) {
	b := it.b
	i := skipWS(b, it.i)
	if b[i] == ',' {
		i = skipWS(b, i+1)
	}
	if b[i] == '}' {
		it.i = i + 1
		return member{}, false
	}
	end := skipString(b, i)
	name := unquote(b[i:end])
	i = skipWS(b, end)
	i = skipWS(b, i+1) // past ':'
	vend := skipValue(b, i)
	it.i = vend
	return member{name: name, val: b[i:vend]}, true
}

// arrayIter iterates over the items of a valid JSON array.
type arrayIter struct {
	b []byte
	i int
}

func newArrayIter(b []byte) arrayIter {
	i := skipWS(b, 0)
	return arrayIter{b: b, i: i + 1}
}

// next returns the next item, or false at the end of the array.
func (it *arrayIter) next() ([]byte, bool) {
	b := it.b
	i := skipWS(b, it.i)
	if b[i] == ',' {
		i = skipWS(b, i+1)
	}
	if b[i] == ']' {
		it.i = i + 1
		return nil, false
	}
	end := skipValue(b, i)
	it.i = end
	return b[i:end], true
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; ; i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
	default: // number, true, false, null
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// unquote returns the content of the valid JSON string s (quotes included),
// unescaped. Without escapes it aliases s.
func unquote(s []byte) []byte {
	inner := s[1 : len(s)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	var out string
	if err := json.Unmarshal(s, &out); err != nil {
		return inner // unreachable for valid JSON
	}
	return []byte(out)
}

// jsonKind classifies a raw JSON value by its first byte.
type jsonKind uint8

const (
	kindNull jsonKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k jsonKind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

func kindOf(v []byte) jsonKind {
	switch v[0] {
	case 'n':
		return kindNull
	case 't', 'f':
		return kindBool
	case '"':
		return kindString
	case '[':
		return kindArray
	case '{':
		return kindObject
	default:
		return kindNumber
	}
}

// isIntLiteral reports whether the raw JSON number has no fraction and no exponent.
func isIntLiteral(v []byte) bool {
	return bytes.IndexAny(v, ".eE") < 0
}

// parseInt parses a raw JSON value as an integer in [lo, hi]. The error is
// bad_message for a value that is not an integer and invalid_field for one
// out of range.
func parseInt(field string, v []byte, lo, hi int64) (int64, *Error) {
	if kindOf(v) != kindNumber {
		return 0, Errorf(CodeBadMessage, "%s: want an integer, got %s", field, kindOf(v))
	}
	if !isIntLiteral(v) {
		return 0, Errorf(CodeBadMessage, "%s: want an integer, got %s", field, truncate(string(v), 32))
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, Errorf(CodeInvalidField, "%s: %s out of range %d..%d", field, truncate(string(v), 32), lo, hi)
	}
	return n, nil
}

// parseString returns the raw JSON value as an unescaped string.
func parseString(field string, v []byte) (string, *Error) {
	if kindOf(v) != kindString {
		return "", Errorf(CodeBadMessage, "%s: want a string, got %s", field, kindOf(v))
	}
	return string(unquote(v)), nil
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
