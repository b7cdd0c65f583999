package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestTimeInputIsBounded checks that a malformed or absurd time is refused as
// BAD_USER_INPUT naming its field (not INTERNAL), and that a time the server
// accepts comes back as RFC 3339.
func TestTimeInputIsBounded(t *testing.T) {
	w := confSetup(t)
	m := confBook(t, w.member, map[string]any{"start": confSoon(48 * time.Hour)})

	const bookDoc = `mutation($s:Time!){bookMeeting(input:{start:$s}){id start}}`
	const inlineBook = `mutation{bookMeeting(input:{start:%q}){id}}`
	const mineDoc = `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id}}}`
	const moveDoc = `mutation($id:ID!,$o:Time!,$s:Time!){moveOccurrence(id:$id,occurrence:$o,start:$s){id}}`
	const updateDoc = `mutation($id:ID!,$s:Time!){updateMeeting(id:$id,input:{start:$s}){id}}`
	weekly := confBook(t, w.member, map[string]any{"start": confSoon(96 * time.Hour), "recurrence": map[string]any{"frequency": "WEEKLY", "count": 3}})
	later := time.Now().Add(72 * time.Hour).Format(time.RFC3339)

	cases := []struct {
		name, doc, field string
		vars             map[string]any
	}{
		{"garbage start", bookDoc, "start", map[string]any{"s": "next tuesday"}},
		{"date without time", bookDoc, "start", map[string]any{"s": "2027-03-01"}},
		{"month 13", bookDoc, "start", map[string]any{"s": "2027-13-01T09:00:00+08:00"}},
		{"number", bookDoc, "start", map[string]any{"s": 1700000000}},
		{"year 9999", bookDoc, "start", map[string]any{"s": "9999-12-31T09:00:00Z"}},
		{"year 0001", bookDoc, "start", map[string]any{"s": "0001-01-01T00:00:00Z"}},
		{"far future start", bookDoc, "start", map[string]any{"s": time.Now().AddDate(20, 0, 0).Format(time.RFC3339)}},
		{"inline garbage", strings.Replace(inlineBook, "%q", `"soon"`, 1), "start", nil},
		{"range garbage", mineDoc, "from", map[string]any{"f": "yesterday", "t": later}},
		{"range year 10000", mineDoc, "to", map[string]any{"f": later, "t": "10000-01-01T00:00:00Z"}},
		{"update to year 9999", updateDoc, "start", map[string]any{"id": m.ID, "s": "9999-12-31T09:00:00Z"}},
		{"update to 20 years ahead", updateDoc, "start", map[string]any{"id": m.ID, "s": time.Now().AddDate(20, 0, 0).Format(time.RFC3339)}},
		{"move to year 9999", moveDoc, "start", map[string]any{"id": weekly.ID, "o": weekly.Start, "s": "9999-12-31T09:00:00Z"}},
		{"move to 20 years ahead", moveDoc, "start", map[string]any{"id": weekly.ID, "o": weekly.Start, "s": time.Now().AddDate(20, 0, 0).Format(time.RFC3339)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.member.Do(t, tc.doc, tc.vars)
			e := confWantErr(t, tc.name, r, "BAD_USER_INPUT", tc.field)
			if strings.Contains(e.Message, "internal") {
				t.Errorf("message %q", e.Message)
			}
		})
	}
	// Nothing was booked or moved by the refusals.
	if got := confGetMeeting(t, w.member, m.ID); !got.Start.Equal(m.Start) {
		t.Errorf("start moved to %v", got.Start)
	}
	var mine struct {
		MyMeetings []struct{ Meeting struct{ ID string } }
	}
	w.member.Do(t, mineDoc, map[string]any{"f": time.Now().Format(time.RFC3339), "t": time.Now().AddDate(1, 0, 0).Format(time.RFC3339)}).Decode(t, &mine)
	if len(mine.MyMeetings) != 4 {
		t.Errorf("%d meetings after the refusals, want 4 (one and a weekly series of 3)", len(mine.MyMeetings))
	}

	// An accepted start comes back in RFC 3339 with its instant kept.
	start := time.Now().AddDate(1, 0, 0).Truncate(time.Minute).UTC()
	var out struct {
		BookMeeting struct {
			ID    string
			Start string
		}
	}
	w.member.Do(t, bookDoc, map[string]any{"s": start.Format(time.RFC3339)}).Decode(t, &out)
	got, err := time.Parse(time.RFC3339, out.BookMeeting.Start)
	if err != nil || !got.Equal(start) {
		t.Errorf("start %q (%v), want %v", out.BookMeeting.Start, err, start)
	}
}

// TestLangInputIsChecked checks that bookMeeting's lang takes only the languages the
// product speaks.
func TestLangInputIsChecked(t *testing.T) {
	w := confSetup(t)
	const doc = `mutation($s:Time!,$l:String){bookMeeting(input:{start:$s,lang:$l}){id name}}`
	start := confSoon(48 * time.Hour)
	for _, bad := range []string{"klingon", "fr", "EN-US-x", strings.Repeat("z", 4000)} {
		r := w.member.Do(t, doc, map[string]any{"s": start, "l": bad})
		confWantErr(t, "lang "+bad[:min(len(bad), 10)], r, "BAD_USER_INPUT", "lang")
	}
	var out struct{ BookMeeting struct{ Name string } }
	w.member.Do(t, doc, map[string]any{"s": start, "l": "en"}).Decode(t, &out)
	if !strings.Contains(out.BookMeeting.Name, "meeting") {
		t.Errorf("English name %q", out.BookMeeting.Name)
	}
	w.member.Do(t, doc, map[string]any{"s": start.Add(2 * time.Hour), "l": "zh-cn"}).Decode(t, &out)
	if strings.Contains(out.BookMeeting.Name, "meeting") {
		t.Errorf("Chinese name %q", out.BookMeeting.Name)
	}
}
