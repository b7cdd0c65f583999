package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/store"
)

// DeviceCookieName is the cookie that marks a browser which logged in to an account
// before (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a login
// carrying a valid one for its account is throttled only by its own attempts, so
// that guessing by others cannot lock the account's owner out.
const DeviceCookieName = "jst_device"

// DeviceTTL is how long a device cookie stays valid; every successful login renews it.
const DeviceTTL = 365 * 24 * time.Hour

// knownSourceTTL is how long a source an account logged in from stays known.
const knownSourceTTL = 30 * 24 * time.Hour

// keysColl holds the server's secret keys {_id: name, key: bytes}, shared by every
// instance on the store.
const keysColl = "auth_keys"

// deviceKey returns the HMAC key of device cookies, creating it on first use. Of
// instances starting together the first insert wins and all read it.
func deviceKey(ctx context.Context, st *store.Store) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("auth: device key: %w", err)
	}
	c := st.W.Collection(keysColl)
	if _, err := c.UpdateOne(ctx, bson.M{"_id": "device"}, bson.M{"$setOnInsert": bson.M{"key": fresh}}, options.UpdateOne().SetUpsert(true)); err != nil {
		return nil, fmt.Errorf("auth: store device key: %w", err)
	}
	var doc struct {
		Key []byte `bson:"key"`
	}
	if err := c.FindOne(ctx, bson.M{"_id": "device"}).Decode(&doc); err != nil {
		return nil, fmt.Errorf("auth: read device key: %w", err)
	}
	if len(doc.Key) < 32 {
		return nil, fmt.Errorf("auth: device key too short (%d bytes)", len(doc.Key))
	}
	return doc.Key, nil
}

// deviceCookie returns a new device cookie bound to the account with that
// (normalised) email: "d1.<device id>.<issued, unix seconds>.<HMAC>".
func (s *Service) deviceCookie(email string, now time.Time) string {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return ""
	}
	var issued [8]byte
	binary.BigEndian.PutUint64(issued[:], uint64(now.Unix()))
	enc := base64.RawURLEncoding.EncodeToString
	body := "d1." + enc(id) + "." + enc(issued[:])
	return body + "." + enc(s.deviceMAC(email, body))
}

// deviceOf returns the device ID of a device cookie that is valid for the account
// with that email, or "".
func (s *Service) deviceOf(cookie, email string, now time.Time) string {
	if len(cookie) > 200 {
		return ""
	}
	parts := strings.Split(cookie, ".")
	if len(parts) != 4 || parts[0] != "d1" {
		return ""
	}
	mac, err := base64.RawURLEncoding.DecodeString(parts[3])
	if err != nil || !hmac.Equal(mac, s.deviceMAC(email, strings.Join(parts[:3], "."))) {
		return ""
	}
	issued, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(issued) != 8 {
		return ""
	}
	if at := time.Unix(int64(binary.BigEndian.Uint64(issued)), 0); now.Sub(at) > DeviceTTL || at.After(now.Add(time.Minute)) {
		return ""
	}
	return parts[1]
}

func (s *Service) deviceMAC(email, body string) []byte {
	m := hmac.New(sha256.New, s.deviceKey)
	m.Write([]byte(body))
	m.Write([]byte{0})
	m.Write([]byte(email))
	return m.Sum(nil)
}

// knownSources remembers the sources each account logged in from, so that a person
// logging in from where they did before is not held by the account-wide limit.
// Memory is bounded by maxTracked; the set is lost on restart (device cookies are
// not).
type knownSources struct {
	mu sync.Mutex
	at map[string]time.Time // "<email>\x00<source>" -> last successful login
}

func (k *knownSources) has(email, source string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	t, ok := k.at[email+"\x00"+source]
	return ok && now.Sub(t) < knownSourceTTL
}

func (k *knownSources) add(email, source string, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.at == nil {
		k.at = make(map[string]time.Time)
	}
	if len(k.at) >= maxTracked {
		for key, t := range k.at {
			if now.Sub(t) >= knownSourceTTL {
				delete(k.at, key)
			}
		}
		for key := range k.at {
			if len(k.at) < maxTracked {
				break
			}
			delete(k.at, key)
		}
	}
	k.at[email+"\x00"+source] = now
}
