package signal

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode never panics, that every error is a typed
// protocol error and that an accepted message re-encodes to a frame that
// decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, frame := range validExamples {
		f.Add([]byte(frame))
	}
	f.Add([]byte(`{"v":2,"type":"ping","data":{"x":[[[[[]]]]]}}`))
	f.Add([]byte(`{"v":2,"type":"joined","data":{"participantId":"p","resumeToken":"r","protocol":2,"stateToken":"jms_<&>"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Code == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out, err := Encode(m)
		if err != nil {
			var pe *Error
			if errors.As(err, &pe) && pe.Code == CodeTooLarge {
				return // escaping grew the frame past its limit
			}
			t.Fatalf("Encode of accepted message: %v", err)
		}
		m2, err := Decode(out)
		if err != nil {
			t.Fatalf("Decode(Encode): %v\n%s", err, out)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip differs:\n%#v\n%#v", m.Data, m2.Data)
		}
	})
}
