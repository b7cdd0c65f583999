package e2e

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
	"github.com/jishitong/jishitong/internal/xtest"
)

type savedBoard struct {
	Scene     string
	SavedAt   time.Time
	SizeBytes int
	Elements  int
}

const boardDoc = `query($id:ID!){meetingRun(id:$id){whiteboard{scene savedAt sizeBytes elements} log{kind detail value}}}`

type boardRun struct {
	MeetingRun struct {
		Whiteboard *savedBoard
		Log        []struct{ Kind, Detail, Value string }
	}
}

func (r boardRun) saves() int {
	n := 0
	for _, e := range r.MeetingRun.Log {
		if e.Kind == "whiteboard_saved" {
			n++
		}
	}
	return n
}

// TestWhiteboardPersistence: the media plane saves a run's whiteboard with
// SaveWhiteboard; those who see the run's history read it on MeetingRun.whiteboard,
// others (another enterprise, an uninvited colleague) get NOT_FOUND like for a run
// that does not exist. Saves overwrite, are idempotent, logged and bounded.
func TestWhiteboardPersistence(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx := context.Background()
	conf := srv.Conference()
	liID := isoCreateMember(t, f.admin, map[string]any{"name": "李四", "email": "li@acme.example", "password": "li-password-1"})
	isoCreateMember(t, f.admin, map[string]any{"name": "王五", "email": "wang@acme.example", "password": "wang-password-1"})
	liC := srv.Login(t, "li@acme.example", "li-password-1")
	wangC := srv.Login(t, "wang@acme.example", "wang-password-1")
	var e struct{ CreateEnterprise struct{ ID string } }
	f.root.Do(t, `mutation{createEnterprise(input:{name:"Other 乙",code:"other",quota:10}){id}}`, nil).Decode(t, &e)
	f.root.Do(t, `mutation($id:ID!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"Other Admin",email:"admin@other.example",password:"other-password-1"}){member{id}}}`,
		map[string]any{"id": e.CreateEnterprise.ID}).Decode(t, &struct{}{})
	otherC := srv.Login(t, "admin@other.example", "other-password-1")

	var inst struct {
		StartInstantMeeting struct {
			Meeting struct{ ID string }
			Run     struct{ ID string }
		}
	}
	f.member.Do(t, `mutation($m:[ID!]){startInstantMeeting(input:{name:"白板会",participants:3,memberIds:$m}){meeting{id} run{id}}}`,
		map[string]any{"m": []string{liID}}).Decode(t, &inst)
	runID := inst.StartInstantMeeting.Run.ID
	read := func(c *xtest.Client) boardRun {
		t.Helper()
		var out boardRun
		c.Do(t, boardDoc, map[string]any{"id": runID}).Decode(t, &out)
		return out
	}
	if r := read(f.member); r.MeetingRun.Whiteboard != nil || r.saves() != 0 {
		t.Fatalf("a run without a whiteboard: %+v", r)
	}

	// Saved while the meeting runs (at its end, by the media plane) and read after.
	scene1 := `{"type":"excalidraw","version":2,"source":"jishitong","elements":[{"id":"a","type":"rectangle"},{"id":"b","type":"text","text":"议程"}],"appState":{},"files":{}}`
	before := time.Now().Add(-time.Second)
	if err := conf.SaveWhiteboard(ctx, runID, []byte(scene1)); err != nil {
		t.Fatal(err)
	}
	f.member.Do(t, `mutation($id:ID!){endMeeting(id:$id){id}}`, map[string]any{"id": inst.StartInstantMeeting.Meeting.ID}).Decode(t, &struct{}{})
	for who, c := range map[string]*xtest.Client{"host": f.member, "invitee": liC, "admin": f.admin} {
		r := read(c)
		wb := r.MeetingRun.Whiteboard
		if wb == nil || wb.Scene != scene1 || wb.SizeBytes != len(scene1) || wb.Elements != 2 || wb.SavedAt.Before(before) || wb.SavedAt.After(time.Now()) {
			t.Fatalf("whiteboard as %s: %+v", who, wb)
		}
		if r.saves() != 1 || !slices.ContainsFunc(r.MeetingRun.Log, func(e struct{ Kind, Detail, Value string }) bool {
			// A code the reader's language words, not English prose.
			return e.Kind == "whiteboard_saved" && e.Detail == "" && e.Value == "2"
		}) {
			t.Errorf("log as %s: %+v", who, r.MeetingRun.Log)
		}
	}
	// The history lists it without the scene when the scene is not asked for.
	var h struct {
		MeetingHistory struct {
			Edges []struct {
				Node struct {
					ID         string
					Whiteboard *struct{ SizeBytes int }
				}
			}
		}
	}
	liC.Do(t, `{meetingHistory{edges{node{id whiteboard{sizeBytes}}}}}`, nil).Decode(t, &h)
	if len(h.MeetingHistory.Edges) != 1 || h.MeetingHistory.Edges[0].Node.Whiteboard == nil || h.MeetingHistory.Edges[0].Node.Whiteboard.SizeBytes != len(scene1) {
		t.Errorf("history: %+v", h)
	}
	first := read(f.member).MeetingRun.Whiteboard

	// The same scene again changes nothing; another one replaces it (deleted
	// elements are not counted).
	if err := conf.SaveWhiteboard(ctx, runID, []byte(scene1)); err != nil {
		t.Fatal(err)
	}
	if r := read(f.member); r.saves() != 1 || !r.MeetingRun.Whiteboard.SavedAt.Equal(first.SavedAt) {
		t.Errorf("saving the same scene again: %d saves, saved at %v then %v", r.saves(), first.SavedAt, r.MeetingRun.Whiteboard.SavedAt)
	}
	scene2 := `{"type":"excalidraw","elements":[{"id":"a","isDeleted":true},{"id":"c"},{"id":"d"},{"id":"e"}]}`
	if err := conf.SaveWhiteboard(ctx, runID, []byte(scene2)); err != nil {
		t.Fatal(err)
	}
	r := read(liC)
	if wb := r.MeetingRun.Whiteboard; wb == nil || wb.Scene != scene2 || wb.Elements != 3 || wb.SizeBytes != len(scene2) || wb.SavedAt.Before(first.SavedAt) || r.saves() != 2 {
		t.Fatalf("overwritten whiteboard: %+v, %d saves", wb, r.saves())
	}

	// Sizes: 8 MiB is stored and read back whole; one byte more is refused and
	// changes nothing.
	big := bigScene(conference.MaxWhiteboardBytes)
	if err := conf.SaveWhiteboard(ctx, runID, big); err != nil {
		t.Fatalf("an 8 MiB scene: %v", err)
	}
	if wb := read(f.member).MeetingRun.Whiteboard; wb == nil || wb.SizeBytes != len(big) || wb.Scene != string(big) || wb.Elements != 1 {
		t.Fatalf("the 8 MiB scene read back: size %d", wb.SizeBytes)
	}
	tooBig := bigScene(conference.MaxWhiteboardBytes + 1)
	if err := conf.SaveWhiteboard(ctx, runID, tooBig); !errors.Is(err, errs.ErrTooLarge) {
		t.Fatalf("a scene of 8 MiB + 1: %v", err)
	}
	for what, scene := range map[string]string{"empty": "", "not JSON": "{elements", "an array": `[{"id":"a"}]`,
		"elements not a list": `{"elements":"x"}`, "not UTF-8": "{\"a\":\"\xff\"}"} {
		if err := conf.SaveWhiteboard(ctx, runID, []byte(scene)); errs.KindOf(err) != errs.KindInvalid {
			t.Errorf("a scene that is %s: %v", what, err)
		}
	}
	if r := read(f.member); r.MeetingRun.Whiteboard.SizeBytes != len(big) || r.saves() != 3 {
		t.Errorf("refused saves changed the whiteboard: size %d, %d saves", r.MeetingRun.Whiteboard.SizeBytes, r.saves())
	}
	if err := conf.SaveWhiteboard(ctx, store.NewID()+"|2026-01-01T00:00:00Z", []byte(scene1)); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("an unknown run: %v", err)
	}

	// Another enterprise's admin and an uninvited colleague: exactly like an unknown run.
	unknown := store.NewID() + "|" + time.Now().UTC().Format(time.RFC3339)
	for who, c := range map[string]*xtest.Client{"another enterprise's admin": otherC, "an uninvited colleague": wangC} {
		ra := c.Do(t, boardDoc, map[string]any{"id": runID})
		ru := c.Do(t, boardDoc, map[string]any{"id": unknown})
		if ra.Code() != "NOT_FOUND" || isoSig(ra, runID) != isoSig(ru, unknown) {
			t.Errorf("%s reading the whiteboard: %q %s %+v; unknown run %+v", who, ra.Code(), ra.Data, ra.Errors, ru.Errors)
		}
		if strings.Contains(string(ra.Data), "excalidraw") {
			t.Errorf("%s sees the scene", who)
		}
	}
}

// bigScene returns a valid scene of exactly n bytes with one element.
func bigScene(n int) []byte {
	head, tail := `{"type":"excalidraw","elements":[{"id":"img","type":"image","fileId":"f"}],"files":{"f":{"dataURL":"`, `"}}}`
	var b bytes.Buffer
	b.WriteString(head)
	b.WriteString(strings.Repeat("A", n-len(head)-len(tail)))
	b.WriteString(tail)
	return b.Bytes()
}
