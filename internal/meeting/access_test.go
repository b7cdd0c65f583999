package meeting

import (
	"context"
	"slices"
	"testing"

	"github.com/jishitong/jishitong/internal/errs"
)

// TestRevokeAccess: the system takes a member's participants (all their connections)
// out of every running meeting with one access_revoked event each; guests and other
// members stay; the removed participants may not rejoin under their IDs.
func TestRevokeAccess(t *testing.T) {
	ctx := context.Background()
	r := NewRegistry(nil)
	defer r.Close()
	m1, _ := r.Ensure("run1")
	m2, _ := r.Ensure("run2")
	join := func(m *Owner, id ParticipantID, user string) {
		t.Helper()
		if err := m.Join(ctx, System, Participant{ID: id, Name: "N", UserID: user, Client: ClientBrowser}); err != nil {
			t.Fatal(err)
		}
	}
	join(m1, "a1", "u-a") // u-a is in both meetings, twice in run1
	join(m1, "a2", "u-a")
	join(m1, "g", "") // a guest
	join(m1, "b", "u-b")
	join(m2, "a3", "u-a")
	sub := subscribe(t, m1, 0)
	sub.until(t, 4)

	if _, err := m1.RevokeAccess(ctx, host, map[string]struct{}{"u-a": {}}, AccessDisabled); errs.KindOf(err) != errs.KindForbidden {
		t.Fatalf("a moderator revokes access: %v", err)
	}
	if n := r.RevokeAccess(ctx, []string{"u-a", "u-gone", ""}, AccessDisabled, nil); n != 3 {
		t.Fatalf("removed %d participants, want 3", n)
	}
	sub.until(t, 6)
	var got []ParticipantID
	for _, e := range sub.deltas[len(sub.deltas)-2:] {
		d, _ := e.Delta.(RemovedDelta)
		if e.Kind != KindAccessRevoked || d.Access != AccessDisabled || !e.Actor.System || e.Subject != d.ID {
			t.Fatalf("event %+v", e)
		}
		got = append(got, d.ID)
	}
	if !slices.Equal(got, []ParticipantID{"a1", "a2"}) {
		t.Fatalf("removed %v", got)
	}
	ids := func(m *Owner) []ParticipantID {
		st, err := m.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []ParticipantID
		for _, p := range st.Participants {
			out = append(out, p.ID)
		}
		return out
	}
	if got := ids(m1); !slices.Equal(got, []ParticipantID{"g", "b"}) {
		t.Fatalf("run1 has %v", got)
	}
	if got := ids(m2); len(got) != 0 {
		t.Fatalf("run2 has %v", got)
	}
	if err := m1.Join(ctx, System, Participant{ID: "a1", Name: "N", UserID: "u-a", Client: ClientBrowser}); errs.KindOf(err) != errs.KindForbidden {
		t.Fatalf("rejoin under a revoked ID: %v", err)
	}
	join(m1, "a4", "u-a") // with a new join, under a new ID
	if d, ok, err := m1.Removed(ctx, "a2"); err != nil || !ok || d.Access != AccessDisabled || !d.HungUp {
		t.Fatalf("Removed(a2) = %+v %v %v", d, ok, err)
	}
	if _, ok, err := m1.Removed(ctx, "b"); err != nil || ok {
		t.Fatalf("Removed(b) = %v %v", ok, err)
	}
	// A role change is told apart from a disabled account.
	if n := r.RevokeAccess(ctx, []string{"u-b"}, AccessRoleChanged, nil); n != 1 {
		t.Fatalf("removed %d, want 1", n)
	}
	if d, ok, _ := m1.Removed(ctx, "b"); !ok || d.Access != AccessRoleChanged {
		t.Fatalf("Removed(b) = %+v %v", d, ok)
	}
}
