package whiteboard

import (
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"
)

// MaxSceneBytes bounds a scene given to Load: a full board plus room for the
// scene's own fields.
const MaxSceneBytes = MaxBoardBytes + 1<<20

// sceneJSON renders the live elements of s as an Excalidraw scene file
// (https://docs.excalidraw.com/docs/codebase/json-schema).
func sceneJSON(s *snapshot) []byte {
	els := s.sorted()
	n := 128
	for _, e := range els {
		if !e.el.IsDeleted {
			n += len(e.el.Raw) + 1
		}
	}
	b := make([]byte, 0, n)
	b = append(b, `{"type":"excalidraw","version":2,"source":"jishitong","elements":[`...)
	first := true
	for _, e := range els {
		if e.el.IsDeleted {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, e.el.Raw...)
	}
	return append(b, `],"appState":{}}`...)
}

// parseScene reads an Excalidraw scene: "type" must be "excalidraw",
// "version" 2, and "elements" an array of valid elements with distinct ids.
// Other members ("source", "appState", "files") are ignored.
func parseScene(b []byte) ([]Element, *Error) {
	if len(b) > MaxSceneBytes {
		return nil, Errorf(CodeTooLarge, "scene of %d bytes, limit %d", len(b), MaxSceneBytes)
	}
	if !utf8.Valid(b) {
		return nil, Errorf(CodeBadMessage, "not UTF-8")
	}
	if !json.Valid(b) {
		if err := json.Unmarshal(b, new(json.RawMessage)); err != nil {
			return nil, Errorf(CodeBadMessage, "%s", truncate(err.Error(), 200))
		}
		return nil, Errorf(CodeBadMessage, "not JSON")
	}
	if kindOf(b[skipWS(b, 0):]) != kindObject {
		return nil, Errorf(CodeBadMessage, "want an object")
	}
	var typ, version, elements []byte
	it := newObjectIter(b)
	for {
		m, ok := it.next()
		if !ok {
			break
		}
		var dst *[]byte
		switch string(m.name) {
		case "type":
			dst = &typ
		case "version":
			dst = &version
		case "elements":
			dst = &elements
		default:
			continue
		}
		if *dst != nil {
			return nil, Errorf(CodeBadMessage, "duplicate field %q", m.name)
		}
		*dst = m.val
	}
	if typ == nil || string(typ) != `"excalidraw"` {
		return nil, Errorf(CodeInvalidField, `type: want "excalidraw"`)
	}
	if version == nil {
		return nil, Errorf(CodeInvalidField, "version: required")
	}
	if _, err := parseInt("version", version, 2, 2); err != nil {
		return nil, err
	}
	if elements == nil {
		return nil, Errorf(CodeInvalidField, "elements: required")
	}
	return parseElements(elements, false, math.MaxInt)
}

func sceneError(err *Error) error {
	return fmt.Errorf("%w: %w", ErrInvalidScene, err)
}
