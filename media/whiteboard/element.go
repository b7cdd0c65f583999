package whiteboard

import (
	"encoding/json"
	"fmt"
)

// Element limits (docs/whiteboard.md §5).
const (
	MaxElementBytes   = 32 << 10  // one element object, as sent
	MaxElementIDBytes = 64        // id: 1..64 bytes of [A-Za-z0-9_-]
	MaxSafeInteger    = 1<<53 - 1 // largest integer a JavaScript number holds exactly
)

// ElementType is an element's "type". Only types that need nothing but the
// element itself are allowed: image needs a file store, embeddable and iframe
// would make every participant's browser load a URL chosen by one of them, and
// selection is local UI state that Excalidraw never puts in a scene.
type ElementType uint8

// Element types the server accepts.
const (
	ElementUnknown ElementType = iota
	ElementRectangle
	ElementEllipse
	ElementDiamond
	ElementArrow
	ElementLine
	ElementFreedraw
	ElementText
	ElementFrame
)

var elementTypeNames = [...]string{"unknown", "rectangle", "ellipse", "diamond", "arrow", "line", "freedraw", "text", "frame"}

// String returns the type's wire name.
func (t ElementType) String() string {
	if int(t) < len(elementTypeNames) {
		return elementTypeNames[t]
	}
	return elementTypeNames[0]
}

func elementTypeOf(s []byte) ElementType {
	for i := 1; i < len(elementTypeNames); i++ {
		if string(s) == elementTypeNames[i] {
			return ElementType(i)
		}
	}
	return ElementUnknown
}

// Element is one whiteboard element: the fields the server reconciles and
// orders by, and the element's JSON object exactly as the client sent it. The
// server never interprets drawing properties; it keeps and relays Raw verbatim.
// An Element is immutable once decoded. A field's wire tag names the member it
// is read from ("optional": it may be absent or null; "*": every other member
// rides along); internal/contracts reads the tags to generate the TypeScript
// type of an element.
type Element struct {
	ID           string      `wire:"id"`
	Version      int64       `wire:"version"`
	VersionNonce int64       `wire:"versionNonce"`
	IsDeleted    bool        `wire:"isDeleted"`
	Type         ElementType `wire:"type"`
	// Index is Excalidraw's fractional z-index ("" when absent or null). The
	// snapshot and the exported scene list elements in index order.
	Index string `wire:"index,optional"`
	// Raw is the whole element object, including the fields above.
	Raw json.RawMessage `wire:"*"`
}

// Newer reports whether e replaces cur under Excalidraw's rule: a higher
// version wins, and an equal version with a lower versionNonce wins. Anything
// else, including an identical version and nonce, is stale.
func (e *Element) Newer(cur *Element) bool {
	return e.Version > cur.Version || e.Version == cur.Version && e.VersionNonce < cur.VersionNonce
}

// elementField is a bit per interpreted element field, to find missing and
// duplicate ones.
type elementField uint8

const (
	fieldID elementField = 1 << iota
	fieldVersion
	fieldVersionNonce
	fieldIsDeleted
	fieldType
	fieldIndex

	requiredElementFields = fieldID | fieldVersion | fieldVersionNonce | fieldIsDeleted | fieldType
)

// parseElement validates one raw element (valid JSON) and returns it with Raw
// pointing at a private copy of v. Error messages start with the path below
// the element (".id: required", ": want an object"), for the caller to prefix
// with the element's position.
func parseElement(v []byte) (Element, *Error) {
	var e Element
	if kindOf(v) != kindObject {
		return e, Errorf(CodeBadMessage, ": want an object, got %s", kindOf(v))
	}
	if len(v) > MaxElementBytes {
		return e, Errorf(CodeTooLarge, ": %d bytes, limit %d", len(v), MaxElementBytes)
	}
	var seen elementField
	var typ []byte
	it := newObjectIter(v)
	for {
		m, ok := it.next()
		if !ok {
			break
		}
		var f elementField
		var err *Error
		switch string(m.name) {
		case "id":
			f = fieldID
			err = parseElementID(m.val, &e.ID)
		case "version":
			f = fieldVersion
			e.Version, err = parseInt(".version", m.val, 1, MaxSafeInteger)
		case "versionNonce":
			f = fieldVersionNonce
			e.VersionNonce, err = parseInt(".versionNonce", m.val, -MaxSafeInteger, MaxSafeInteger)
		case "isDeleted":
			f = fieldIsDeleted
			switch string(m.val) {
			case "true":
				e.IsDeleted = true
			case "false":
			default:
				err = Errorf(CodeBadMessage, ".isDeleted: want a boolean, got %s", kindOf(m.val))
			}
		case "type":
			f = fieldType
			if kindOf(m.val) != kindString {
				err = Errorf(CodeBadMessage, ".type: want a string, got %s", kindOf(m.val))
			} else {
				typ = unquote(m.val)
			}
		case "index":
			f = fieldIndex
			switch kindOf(m.val) {
			case kindNull:
			case kindString:
				e.Index = string(unquote(m.val))
			default:
				err = Errorf(CodeBadMessage, ".index: want a string or null, got %s", kindOf(m.val))
			}
		default:
			continue // a drawing property: kept verbatim in Raw
		}
		if err != nil {
			return Element{}, err
		}
		if seen&f != 0 {
			return Element{}, Errorf(CodeBadMessage, ": duplicate field %q", m.name)
		}
		seen |= f
	}
	if missing := requiredElementFields &^ seen; missing != 0 {
		return Element{}, Errorf(CodeInvalidField, ".%s: required", missingFieldName(missing))
	}
	if e.Type = elementTypeOf(typ); e.Type == ElementUnknown {
		return Element{}, Errorf(CodeInvalidField, ".type: %q is not allowed (allowed: rectangle, ellipse, diamond, arrow, line, freedraw, text, frame)", truncate(string(typ), 32))
	}
	e.Raw = append(json.RawMessage(nil), v...)
	return e, nil
}

func missingFieldName(missing elementField) string {
	switch {
	case missing&fieldID != 0:
		return "id"
	case missing&fieldVersion != 0:
		return "version"
	case missing&fieldVersionNonce != 0:
		return "versionNonce"
	case missing&fieldIsDeleted != 0:
		return "isDeleted"
	default:
		return "type"
	}
}

func parseElementID(v []byte, dst *string) *Error {
	if kindOf(v) != kindString {
		return Errorf(CodeBadMessage, ".id: want a string, got %s", kindOf(v))
	}
	id := unquote(v)
	if len(id) == 0 || len(id) > MaxElementIDBytes {
		return Errorf(CodeInvalidField, ".id: %d bytes, want 1..%d", len(id), MaxElementIDBytes)
	}
	for _, c := range id {
		if !isElementIDByte(c) {
			return Errorf(CodeInvalidField, ".id: %q has characters outside [A-Za-z0-9_-]", truncate(string(id), 64))
		}
	}
	*dst = string(id)
	return nil
}

func isElementIDByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// String describes the element for logs and test failures.
func (e *Element) String() string {
	del := ""
	if e.IsDeleted {
		del = " deleted"
	}
	return fmt.Sprintf("%s %s v%d/%d%s", e.Type, e.ID, e.Version, e.VersionNonce, del)
}
