package turn

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // HMAC-SHA1 is what the TURN REST API and every TURN server use
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MinSecretLen is the shortest shared secret accepted: a minted credential is an
// HMAC of a known username, so a short secret could be guessed offline.
const MinSecretLen = 16

// SharedSecret mints and checks time-limited TURN credentials after the TURN REST API
// convention (draft-uberti-behave-turn-rest-00 §2.2, as coturn's use-auth-secret):
// username "<unix expiry>:<user key>", password base64(HMAC-SHA1(secret, username)).
// It is safe for concurrent use.
type SharedSecret struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewSharedSecret returns a SharedSecret minting credentials valid for ttl.
func NewSharedSecret(secret string, ttl time.Duration) (*SharedSecret, error) {
	if secret == "" {
		return nil, ErrNoSecret
	}
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("turn: the shared secret must be at least %d characters", MinSecretLen)
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("turn: credential lifetime %v is not positive", ttl)
	}
	return &SharedSecret{key: []byte(secret), ttl: ttl, now: time.Now}, nil
}

// GenerateSecret returns a random secret for a server that has none configured.
// Credentials signed with it are valid only on this process.
func GenerateSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TTL returns how long minted credentials are valid.
func (s *SharedSecret) TTL() time.Duration { return s.ttl }

// Mint returns a fresh username and credential for key (a participant or user ID),
// valid for the TTL from now.
func (s *SharedSecret) Mint(key string) (username, credential string) {
	if key == "" {
		key = "anonymous"
	}
	username = strconv.FormatInt(s.now().Add(s.ttl).Unix(), 10) + ":" + key
	return username, s.password(username)
}

func (s *SharedSecret) password(username string) string {
	mac := hmac.New(sha1.New, s.key)
	mac.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Check parses a username minted by Mint, refuses it when it has expired, and returns
// its user key and the password it was minted with. Whether the client proves it knows
// that password is the TURN server's MESSAGE-INTEGRITY check (RFC 8489 §9.2).
func (s *SharedSecret) Check(username string) (key, password string, err error) {
	exp, key, ok := strings.Cut(username, ":")
	if !ok || key == "" {
		return "", "", ErrBadUsername
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return "", "", ErrBadUsername
	}
	if !s.now().Before(time.Unix(unix, 0)) {
		return "", "", ErrExpired
	}
	return key, s.password(username), nil
}
