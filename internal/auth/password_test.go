package auth

import (
	"context"
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	ctx := context.Background()
	h, err := HashPassword(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("hash %q is not argon2id", h)
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct horsE": false, "": false, strings.Repeat("x", 1000): false} {
		ok, err := VerifyPassword(ctx, pw, h)
		if err != nil || ok != want {
			t.Errorf("verify %.10q: %v %v", pw, ok, err)
		}
	}
	for _, bad := range []string{"", "$argon2id$garbage", "plain"} {
		if ok, err := VerifyPassword(ctx, "x", bad); ok || err != nil {
			t.Errorf("hash %q: %v %v", bad, ok, err)
		}
	}
	if p := GeneratePassword(20); len(p) != 20 || strings.ContainsAny(p, "0O1lI") {
		t.Errorf("generated %q", p)
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	ctx := context.Background()
	h, _ := HashPassword(ctx, "correct horse")
	for b.Loop() {
		VerifyPassword(ctx, "correct horse", h)
	}
}
