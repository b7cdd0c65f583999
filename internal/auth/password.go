package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"

	"github.com/alexedwards/argon2id"
)

// argonParams follow the OWASP password storage recommendation for argon2id
// (19 MiB, 2 passes, 1 lane): strong, and cheap enough that a login flood cannot
// exhaust memory while hashes are limited by hashSlots.
var argonParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// hashSlots bounds concurrent hash computations (each holds Memory KiB).
var hashSlots = &slots{free: 4}

// HashPassword returns the argon2id hash of pw in PHC string form.
func HashPassword(ctx context.Context, pw string) (string, error) {
	if err := acquire(ctx); err != nil {
		return "", err
	}
	defer release()
	h, err := argon2id.CreateHash(pw, argonParams)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return h, nil
}

// VerifyPassword reports whether pw matches hash. An empty or malformed hash never
// matches.
func VerifyPassword(ctx context.Context, pw, hash string) (bool, error) {
	if len(pw) > MaxPasswordLength {
		return false, nil
	}
	if err := acquire(ctx); err != nil {
		return false, err
	}
	defer release()
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(pw, dummyHash)
		return false, nil
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	if err != nil {
		if errors.Is(err, argon2id.ErrInvalidHash) || errors.Is(err, argon2id.ErrIncompatibleVersion) || errors.Is(err, argon2id.ErrIncompatibleVariant) {
			return false, nil
		}
		return false, err
	}
	return ok, nil
}

func acquire(ctx context.Context) error {
	_, high := ctx.Value(hashPriorityKey{}).(bool)
	return hashSlots.acquire(ctx, high)
}

func release() { hashSlots.release() }

type hashPriorityKey struct{}

// withHashPriority marks ctx so that its password checks take the next free hash
// slot ahead of unmarked ones.
func withHashPriority(ctx context.Context) context.Context {
	return context.WithValue(ctx, hashPriorityKey{}, true)
}

// slots is a counting semaphore with two queues: a freed slot goes to the longest
// waiting high-priority caller first.
type slots struct {
	mu        sync.Mutex
	free      int
	high, low []chan struct{}
}

func (s *slots) acquire(ctx context.Context, high bool) error {
	s.mu.Lock()
	if s.free > 0 {
		s.free--
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if high {
		s.high = append(s.high, ch)
	} else {
		s.low = append(s.low, ch)
	}
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		q := &s.low
		if high {
			q = &s.high
		}
		if i := slices.Index(*q, ch); i >= 0 {
			*q = slices.Delete(*q, i, i+1)
			s.mu.Unlock()
			return ctx.Err()
		}
		s.mu.Unlock()
		// The slot was handed over as ctx ended: pass it on.
		s.release()
		return ctx.Err()
	}
}

func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range []*[]chan struct{}{&s.high, &s.low} {
		if len(*q) > 0 {
			close((*q)[0])
			*q = (*q)[1:]
			return
		}
	}
	s.free++
}

// dummyHash is compared against when an account does not exist or has no password,
// so that such logins take as long as a wrong password.
var dummyHash = func() string {
	h, err := argon2id.CreateHash(GeneratePassword(24), argonParams)
	if err != nil {
		panic(err) // only fails when crypto/rand does, at program start
	}
	return h
}()

const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

// GeneratePassword returns a random password of n characters from an alphabet without
// look-alike characters.
func GeneratePassword(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(passwordAlphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		b[i] = passwordAlphabet[v.Int64()]
	}
	return string(b)
}
