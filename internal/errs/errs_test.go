package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestKinds(t *testing.T) {
	e := fmt.Errorf("wrapped: %w", NotFound("member"))
	if !errors.Is(e, ErrNotFound) || errors.Is(e, ErrForbidden) {
		t.Fatal("errors.Is by kind")
	}
	if KindOf(e) != KindNotFound || KindOf(errors.New("x")) != KindUnknown {
		t.Fatal("KindOf")
	}
	if KindOf(Wrap(KindInvalid, errors.New("cause"), "msg")) != KindInvalid {
		t.Fatal("Wrap")
	}
	for k, code := range map[Kind]string{KindNotFound: "NOT_FOUND", KindForbidden: "FORBIDDEN", KindUnauthenticated: "UNAUTHENTICATED",
		KindInvalid: "BAD_USER_INPUT", KindTooLarge: "BAD_USER_INPUT", KindConflict: "CONFLICT", KindRateLimited: "RATE_LIMITED", KindUnknown: "INTERNAL"} {
		if k.String() != code {
			t.Errorf("%d: %s", k, k.String())
		}
	}
}
