package turn

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	pionturn "github.com/pion/turn/v5"
)

const testSecret = "0123456789abcdef-test"

func TestSharedSecretMintAndCheck(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s, err := NewSharedSecret(testSecret, 12*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return now }
	user, cred := s.Mint("PA_7")
	if want := strconv.FormatInt(now.Add(12*time.Hour).Unix(), 10) + ":PA_7"; user != want {
		t.Fatalf("username %q, want %q", user, want)
	}
	key, password, err := s.Check(user)
	if err != nil || key != "PA_7" || password != cred {
		t.Fatalf("check: %q %q %v", key, password, err)
	}

	// The credential is the one pion's (and coturn's) TURN REST API handler expects.
	ra := &pionturn.RequestAttributes{Username: user, Realm: "r"}
	if _, want, ok := pionturn.LongTermTURNRESTAuthHandler(testSecret, nil)(ra); !ok || string(want) != string(pionturn.GenerateAuthKey(user, "r", cred)) {
		t.Fatal("pion's TURN REST handler disagrees with the minted credential")
	}

	s.now = func() time.Time { return now.Add(12 * time.Hour) }
	if _, _, err := s.Check(user); !errors.Is(err, ErrExpired) {
		t.Fatalf("at expiry: %v, want ErrExpired", err)
	}
	for _, bad := range []string{"", "PA_7", "123", "abc:PA_7", "1900000000:", ":PA_7"} {
		if _, _, err := s.Check(bad); !errors.Is(err, ErrBadUsername) {
			t.Errorf("Check(%q) = %v, want ErrBadUsername", bad, err)
		}
	}
	if u, _ := s.Mint(""); !strings.HasSuffix(u, ":anonymous") {
		t.Errorf("empty key: %q", u)
	}
}

func TestNewSharedSecretRefuses(t *testing.T) {
	if _, err := NewSharedSecret("", time.Hour); !errors.Is(err, ErrNoSecret) {
		t.Errorf("empty secret: %v", err)
	}
	if _, err := NewSharedSecret("short", time.Hour); err == nil {
		t.Error("short secret accepted")
	}
	if _, err := NewSharedSecret(testSecret, 0); err == nil {
		t.Error("zero TTL accepted")
	}
	if a, b := GenerateSecret(), GenerateSecret(); a == b || len(a) < MinSecretLen {
		t.Errorf("generated secrets %q %q", a, b)
	}
}
