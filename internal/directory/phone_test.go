package directory

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

func TestMemberNeedsEmailOrPhone(t *testing.T) {
	for _, in := range []MemberInput{{Name: "a"}, {Name: "a", Email: " \u3000", Phone: "\u200b"}} {
		_, err := in.normalized()
		if e, _ := errs.As(err); e == nil || e.Kind != errs.KindInvalid || e.Field != "email" ||
			!strings.Contains(e.Message, "an email address or a phone number is required") {
			t.Errorf("%+v: %v", in, err)
		}
	}
	got, err := MemberInput{Name: "a", Phone: "+86 (138) 0013-8000"}.normalized()
	if err != nil || got.Email != "" || got.Phone != "13800138000" {
		t.Errorf("phone only: %+v %v", got, err)
	}
	for _, spelling := range []string{"138 0013 8000", "+8613800138000", "13800138000", "138-0013-8000"} {
		if p, ok := auth.NormalizePhone(spelling); !ok || p != "13800138000" {
			t.Errorf("NormalizePhone(%q) = %q %v", spelling, p, ok)
		}
	}
	if maskPhone("13800138000") != "138******00" || strings.Contains(maskPhone("+442079460958"), "2079460") {
		t.Errorf("masks %q %q", maskPhone("13800138000"), maskPhone("+442079460958"))
	}
}

// TestMigratePhoneKeys starts the directory over accounts stored before phone
// numbers were sign-in names (no phoneKey) in a real embedded store: each gets its
// key before the unique index is built, the later of two live accounts sharing a
// number gives it up with a warning that does not spell the number, and the
// holder signs in by phone.
func TestMigratePhoneKeys(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())

	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	old := func(id, email, phone, status string, at time.Time) bson.M {
		d := bson.M{"_id": id, "enterpriseId": "e1", "role": "member", "name": id, "email": email, "status": status,
			"emailKey": email, "empKey": "none:" + id, "nameKey": id, "search": id, "createdAt": at, "updatedAt": at}
		if phone != "" {
			d["phone"] = phone
		}
		if status == StatusDeleted {
			d["emailKey"], d["empKey"] = "deleted:"+id, "deleted:"+id
		}
		return d
	}
	docs := []any{
		old("6b0000000000000000000002", "later@x.cn", "13800138000", StatusActive, t0.Add(time.Hour)),
		old("6b0000000000000000000001", "first@x.cn", "13800138000", StatusActive, t0),
		old("6b0000000000000000000003", "nophone@x.cn", "", StatusActive, t0),
		old("6b0000000000000000000004", "gone@x.cn", "13800138000", StatusDeleted, t0.Add(-time.Hour)),
		old("6b0000000000000000000005", "intl@x.cn", "+442079460958", StatusFrozen, t0),
	}
	if _, err := st.W.Collection(usersColl).InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s, err := New(ctx, Config{DataDir: t.TempDir()}, st, bus.New(log), log)
	if err != nil {
		t.Fatalf("start over old accounts: %v", err)
	}
	want := map[string]string{
		"6b0000000000000000000001": "13800138000",
		"6b0000000000000000000002": "none:6b0000000000000000000002",
		"6b0000000000000000000003": "none:6b0000000000000000000003",
		"6b0000000000000000000004": "deleted:6b0000000000000000000004",
		"6b0000000000000000000005": "+442079460958",
	}
	for id, key := range want {
		m, err := s.user(ctx, id)
		if err != nil || m.PhoneKey != key {
			t.Errorf("%s: phoneKey %q (%v), want %q", id, m.PhoneKey, err, key)
		}
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "6b0000000000000000000002") ||
		!strings.Contains(logs.String(), "138******00") {
		t.Errorf("no warning naming the later account:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "13800138000") {
		t.Errorf("the log spells the shared number:\n%s", logs.String())
	}

	// The holder signs in by phone; the one that gave it up does not.
	// (reconcileLogins wrote the lookups the old data lacked.)
	for login, id := range map[string]string{"13800138000": "6b0000000000000000000001", "+442079460958": "6b0000000000000000000005",
		"later@x.cn": "6b0000000000000000000002"} {
		if m, err := s.userByLogin(ctx, login); err != nil || m.ID != id {
			t.Errorf("sign-in as %s: %v, want %s", login, err, id)
		}
	}

	// The unique index now holds.
	dup := old("6b0000000000000000000006", "dup@x.cn", "13800138000", StatusActive, t0)
	dup["phoneKey"] = "13800138000"
	if _, err := st.W.Collection(usersColl).InsertOne(ctx, dup); !store.IsDuplicateKey(err) {
		t.Errorf("a second account with the phone key: %v, want a duplicate key error", err)
	}

	// A second start has nothing to do.
	logs.Reset()
	if _, err := New(ctx, Config{DataDir: t.TempDir()}, st, bus.New(log), log); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "phone") {
		t.Errorf("second start migrated again:\n%s", logs.String())
	}
}
