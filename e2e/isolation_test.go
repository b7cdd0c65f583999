package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/store"
	"github.com/jishitong/jishitong/internal/xtest"
)

// The tenant-isolation walk: every root field of the schema, read by introspection,
// is called as enterprise B's admin and B's member against enterprise A's objects.
// Objects of another enterprise must answer exactly like missing ones, and nothing
// of A may change or leak. A root field missing from isoOps fails the test.

// isoClass says how an operation is scoped, and so what the walk expects of it.
type isoClass int

const (
	isoUnknown isoClass = iota
	// isoAnonymous operations need no session (login, branding by host).
	isoAnonymous
	// isoSelf operations act only on the caller's own account or enterprise.
	isoSelf
	// isoPlatformOnly operations answer FORBIDDEN to enterprise accounts, whatever the IDs.
	isoPlatformOnly
	// isoByID operations take the ID of an enterprise object: B's callers get
	// NOT_FOUND for A's IDs exactly as for unknown ones (FORBIDDEN for a member
	// calling an admin-only operation, also exactly alike).
	isoByID
	// isoOwnScope operations work on the caller's enterprise without a root ID
	// (lists, creations, branding, imports, subscriptions): they must show none of A
	// and change nothing of A.
	isoOwnScope
)

func (c isoClass) String() string {
	return [...]string{"unknown", "anonymous", "self", "platformOnly", "byID", "ownScope"}[c]
}

// isoTargets are the IDs an operation is aimed at: A's, unknown ones or garbage.
// Room is A's member's dedicated room, Meeting A's booked series (about to start),
// Running a running meeting of A, Ended an ended one and Run its run.
type isoTargets struct {
	Enterprise, Member, Member2, Group string
	Room, Meeting, Running, Ended, Run string
}

// all lists the IDs, runs first: a run ID contains its meeting's ID.
func (x isoTargets) all() []string {
	return []string{x.Run, x.Enterprise, x.Member, x.Member2, x.Group, x.Room, x.Meeting, x.Running, x.Ended}
}

// isoCaller is one of B's accounts.
type isoCaller struct {
	name     string
	c        *xtest.Client
	admin    bool
	id       string
	email    string
	password string
}

// isoOp classifies one root field and says how to call it.
type isoOp struct {
	class isoClass
	// adminOnly: B's member gets FORBIDDEN (isoByID).
	adminOnly bool
	// doc and vars are sent by the generic isoByID / isoPlatformOnly walk.
	doc  string
	vars func(w *isoWorld, x isoTargets) map[string]any
	// run checks isoAnonymous, isoSelf and isoOwnScope operations, and extra
	// cases of the others.
	run func(t *testing.T, w *isoWorld, c isoCaller)
	// subscription operations are walked over websockets after the HTTP walk:
	// directoryChanged by the walk itself, the others by subWalk.
	subscription bool
	subWalk      func(ctx context.Context, t *testing.T, w *isoWorld)
}

// isoWorld holds enterprises A and B and their accounts.
type isoWorld struct {
	srv  *xtest.Server
	root *xtest.Client

	entA, adminAID, memberA1, memberA2, groupA string
	adminA, memberA                            *xtest.Client
	cursorA                                    string // a cursor of A's member list

	entB, groupB    string
	adminB, memberB isoCaller

	// Conference objects (isoConferenceSetup): a shared room that A's series fills,
	// A's dedicated and enterprise rooms, A's series starting at startA (its 2nd
	// meeting at occA2), A's running meeting, A's ended meeting and its run; B's own
	// booked meeting and ended run. winFrom and winTo frame them; far is a time clear
	// of all of them for B's own bookings.
	roomShared, roomDedA, roomEntA     string
	meetingA, runningA, endedA, runA   string
	meetingB, runB                     string
	startA, occA2, winFrom, winTo, far time.Time

	// secretsA must never appear in an answer to B.
	secretsA []string
}

const (
	isoEntAName   = "Iso Alpha 甲"
	isoAdminAMail = "admin@alpha.iso.test"
	isoAdminAPass = "alpha-admin-pw-1"
	isoMemA1Name  = "Alpha One"
	isoMemA1Mail  = "one@alpha.iso.test"
	isoMemA1Pass  = "alpha-one-pw-1"
	isoMemA2Name  = "Alpha Two"
	isoMemA2Mail  = "two@alpha.iso.test"
	isoGroupAName = "Alpha Team"
	isoDomainA    = "alpha.iso.test"
	isoSloganA    = "Alpha slogan 甲"
)

func isoSetup(t *testing.T) *isoWorld {
	t.Helper()
	w := &isoWorld{srv: xtest.StartServer(t, xtest.Options{})}
	w.root = w.srv.Admin(t)

	var ea, eb struct{ CreateEnterprise struct{ ID string } }
	w.root.Do(t, `mutation{createEnterprise(input:{name:"`+isoEntAName+`",code:"iso-alpha",quota:100}){id}}`, nil).Decode(t, &ea)
	w.root.Do(t, `mutation{createEnterprise(input:{name:"Iso Beta 乙",code:"iso-beta",quota:100}){id}}`, nil).Decode(t, &eb)
	w.entA, w.entB = ea.CreateEnterprise.ID, eb.CreateEnterprise.ID

	const adminDoc = `mutation($e:ID!,$in:NewMemberInput!){createEnterpriseAdmin(enterpriseId:$e,input:$in){member{id}}}`
	var aa, ab struct {
		CreateEnterpriseAdmin struct{ Member struct{ ID string } }
	}
	w.root.Do(t, adminDoc, map[string]any{"e": w.entA, "in": map[string]any{"name": "Alpha Admin", "email": isoAdminAMail, "password": isoAdminAPass}}).Decode(t, &aa)
	w.root.Do(t, adminDoc, map[string]any{"e": w.entB, "in": map[string]any{"name": "Beta Admin", "email": "admin@beta.iso.test", "password": "beta-admin-pw-1"}}).Decode(t, &ab)
	w.adminAID = aa.CreateEnterpriseAdmin.Member.ID
	w.adminA = w.srv.Login(t, isoAdminAMail, isoAdminAPass)
	w.adminB = isoCaller{name: "B's admin", c: w.srv.Login(t, "admin@beta.iso.test", "beta-admin-pw-1"), admin: true,
		id: ab.CreateEnterpriseAdmin.Member.ID, email: "admin@beta.iso.test", password: "beta-admin-pw-1"}

	w.memberA1 = isoCreateMember(t, w.adminA, map[string]any{"name": isoMemA1Name, "email": isoMemA1Mail, "password": isoMemA1Pass,
		"employeeNo": "E001", "department": "Alpha R&D", "phone": "13800000001"})
	w.memberA2 = isoCreateMember(t, w.adminA, map[string]any{"name": isoMemA2Name, "email": isoMemA2Mail, "employeeNo": "E002"})
	w.memberA = w.srv.Login(t, isoMemA1Mail, isoMemA1Pass)
	var g struct{ CreateGroup struct{ ID string } }
	w.adminA.Do(t, `mutation($m:[ID!]){createGroup(name:"`+isoGroupAName+`",memberIds:$m){id}}`, map[string]any{"m": []string{w.memberA1, w.memberA2}}).Decode(t, &g)
	w.groupA = g.CreateGroup.ID
	w.adminA.Do(t, `mutation($d:[String!]){updateBranding(input:{primaryColor:"#123456",mode:DARK,slogan:"`+isoSloganA+`",domains:$d}){id}}`,
		map[string]any{"d": []string{isoDomainA}}).Decode(t, &struct{}{})
	w.adminA.Upload(t, `mutation($f:Upload!){uploadLogo(file:$f){id}}`, nil, "f", "alpha.png", isoPNG(t, 3)).Decode(t, &struct{}{})
	var page struct {
		Members struct{ Edges []struct{ Cursor string } }
	}
	w.adminA.Do(t, `{members(first:1){edges{cursor}}}`, nil).Decode(t, &page)
	w.cursorA = page.Members.Edges[0].Cursor

	bm := isoCreateMember(t, w.adminB.c, map[string]any{"name": "Beta One", "email": "one@beta.iso.test", "password": "beta-one-pw-1"})
	w.memberB = isoCaller{name: "B's member", c: w.srv.Login(t, "one@beta.iso.test", "beta-one-pw-1"), id: bm,
		email: "one@beta.iso.test", password: "beta-one-pw-1"}
	w.adminB.c.Do(t, `mutation($m:[ID!]){createGroup(name:"Beta Team",memberIds:$m){id}}`, map[string]any{"m": []string{bm}}).Decode(t, &g)
	w.groupB = g.CreateGroup.ID

	w.secretsA = []string{w.entA, w.adminAID, w.memberA1, w.memberA2, w.groupA, isoEntAName, isoAdminAMail, isoMemA1Name, isoMemA1Mail,
		isoMemA2Name, isoMemA2Mail, isoGroupAName, isoDomainA, isoSloganA, "Alpha R&D", "13800000001", "#123456"}
	isoConferenceSetup(t, w)
	return w
}

const (
	isoRoomSharedNo = "70019999"
	isoRoomDedANo   = "70011111"
	isoRoomDedAName = "Alpha Den 甲"
	isoRoomDedAPass = "86420975"
	isoRoomEntANo   = "70012222"
	isoRoomEntAName = "Alpha Hall 甲"
	isoMeetAName    = "Alpha Planning 甲"
	isoMeetAPass    = "97531086"
	isoMeetADesc    = "Alpha agenda 甲"
	isoMeetAGuest   = "guest@alpha.iso.test"
)

// isoConferenceSetup gives A rooms, a booked series about to start (startable
// now), a running meeting and an ended one; and B a booked meeting and an ended one.
func isoConferenceSetup(t *testing.T, w *isoWorld) {
	t.Helper()
	room := func(in map[string]any) string {
		var out struct{ CreateRoom struct{ ID string } }
		w.root.Do(t, `mutation($in:RoomInput!){createRoom(input:$in){id}}`, map[string]any{"in": in}).Decode(t, &out)
		return out.CreateRoom.ID
	}
	// A's series fills the small shared room: B's bookings there clash with it.
	w.roomShared = room(map[string]any{"number": isoRoomSharedNo, "name": "Iso Shared Small", "capacity": 4, "scope": "SHARED"})
	w.roomDedA = room(map[string]any{"number": isoRoomDedANo, "name": isoRoomDedAName, "password": isoRoomDedAPass, "capacity": 10,
		"scope": "DEDICATED", "ownerId": w.memberA1})
	w.roomEntA = room(map[string]any{"number": isoRoomEntANo, "name": isoRoomEntAName, "capacity": 20, "scope": "ENTERPRISE", "enterpriseId": w.entA})

	w.startA = time.Now().Add(10 * time.Minute).Truncate(time.Minute)
	w.occA2 = w.startA.AddDate(0, 0, 7)
	w.winFrom, w.winTo = w.startA.Add(-24*time.Hour), w.startA.AddDate(0, 0, 40)
	w.far = w.startA.AddDate(0, 0, 60)
	book := func(c *xtest.Client, in map[string]any) (id, number string) {
		var out struct{ BookMeeting struct{ ID, Number string } }
		c.Do(t, `mutation($in:BookMeetingInput!){bookMeeting(input:$in){id number}}`, map[string]any{"in": in}).Decode(t, &out)
		return out.BookMeeting.ID, out.BookMeeting.Number
	}
	instant := func(c *xtest.Client, in map[string]any) (id, number, runID string) {
		var out struct {
			StartInstantMeeting struct {
				Meeting struct{ ID, Number string }
				Run     struct{ ID string }
			}
		}
		c.Do(t, `mutation($in:InstantMeetingInput!){startInstantMeeting(input:$in){meeting{id number} run{id}}}`, map[string]any{"in": in}).Decode(t, &out)
		x := out.StartInstantMeeting
		return x.Meeting.ID, x.Meeting.Number, x.Run.ID
	}
	end := func(c *xtest.Client, id string) {
		c.Do(t, `mutation($id:ID!){endMeeting(id:$id){id}}`, map[string]any{"id": id}).Decode(t, &struct{}{})
	}
	var numA, numLive, numEnded string
	w.meetingA, numA = book(w.memberA, map[string]any{"start": w.startA, "name": isoMeetAName, "password": isoMeetAPass, "description": isoMeetADesc,
		"participants": 4, "roomId": w.roomShared, "memberIds": []string{w.memberA2}, "emails": []string{isoMeetAGuest},
		"recurrence": map[string]any{"frequency": "WEEKLY", "count": 4}})
	w.runningA, numLive, _ = instant(w.adminA, map[string]any{"name": "Alpha Live 甲", "participants": 2, "memberIds": []string{w.memberA1}})
	w.endedA, numEnded, w.runA = instant(w.memberA, map[string]any{"name": "Alpha Standup 甲", "participants": 2})
	end(w.memberA, w.endedA)

	w.meetingB, _ = book(w.adminB.c, map[string]any{"start": w.startA.Add(2 * time.Hour), "name": "Beta Sync", "participants": 2,
		"memberIds": []string{w.memberB.id}})
	var endedB string
	endedB, _, w.runB = instant(w.adminB.c, map[string]any{"name": "Beta Standup", "participants": 2, "memberIds": []string{w.memberB.id}})
	end(w.adminB.c, endedB)
	// Both ended runs have a whiteboard, as the media plane saves it.
	for run, scene := range map[string]string{w.runA: isoBoardA, w.runB: isoBoardB} {
		if err := w.srv.Conference().SaveWhiteboard(context.Background(), run, []byte(scene)); err != nil {
			t.Fatal(err)
		}
	}

	w.secretsA = append(w.secretsA, w.roomDedA, w.roomEntA, isoRoomDedANo, isoRoomDedAName, isoRoomDedAPass, isoRoomEntANo, isoRoomEntAName,
		w.meetingA, numA, isoMeetAName, isoMeetAPass, isoMeetADesc, isoMeetAGuest, w.runningA, numLive, "Alpha Live 甲",
		w.endedA, numEnded, "Alpha Standup 甲", w.runA, "Alpha board 甲")
}

// The whiteboards of A's and B's ended runs.
const (
	isoBoardA = `{"type":"excalidraw","version":2,"elements":[{"id":"a1","type":"text","text":"Alpha board 甲"}]}`
	isoBoardB = `{"type":"excalidraw","version":2,"elements":[{"id":"b1","type":"text","text":"Beta board"}]}`
)

func isoCreateMember(t *testing.T, c *xtest.Client, in map[string]any) string {
	t.Helper()
	var out struct {
		CreateMember struct{ Member struct{ ID string } }
	}
	c.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}`, map[string]any{"in": in}).Decode(t, &out)
	return out.CreateMember.Member.ID
}

// isoPNG returns a small valid PNG whose colour depends on shade.
func isoPNG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		img.Set(i%4, i/4, color.RGBA{shade, 0x40, 0x80, 0xff})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// isoSnapshot is everything A's admin can see of A, including update times, so any
// write by the walk changes it.
func isoSnapshot(t *testing.T, w *isoWorld) string {
	t.Helper()
	// In several requests, each within the complexity limit (lists score per item).
	var data strings.Builder
	part := func(c *xtest.Client, doc string, vars map[string]any) {
		t.Helper()
		r := c.Do(t, doc, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("snapshot of A: %+v", r.Errors)
		}
		data.Write(r.Data)
	}
	part(w.adminA, `{
		myEnterprise{id name code quota frozen createdAt updatedAt branding{primaryColor mode slogan logoUrl domains}}
		members(first:100){totalCount edges{cursor node{id name email phone department title employeeNo role status createdAt updatedAt}}}
	}`, nil)
	part(w.adminA, `query($g:ID!,$m1:ID!,$m2:ID!){
		groups(first:5){totalCount edges{node{id name memberCount updatedAt members(first:50){totalCount edges{node{id}}}}}}
		group(id:$g){id name memberCount updatedAt}
		m1:member(id:$m1){id name status updatedAt}
		m2:member(id:$m2){id name status updatedAt}
	}`, map[string]any{"g": w.groupA, "m1": w.memberA1, "m2": w.memberA2})
	// A's conference: rooms, meetings, live state, runs and logs, schedules and what
	// A's enterprise has booked and in use (not the platform's or shared rooms'
	// totals, which B's bookings legitimately change).
	vars := map[string]any{"ma": w.meetingA, "ml": w.runningA, "me": w.endedA, "f": w.winFrom, "t": w.winTo}
	part(w.adminA, `query($ma:ID!,$ml:ID!,$me:ID!,$f:Time!,$t:Time!){
		rooms{id number name password capacity scope enterpriseId ownerId}
		ma:meeting(id:$ma){id number name password description hostName start durationMinutes timeZone participants cancelled instant
			recurrence{rrule} room{id} options{muteOnEntry live record guestsMayStart} presenterId invitees{members{id} groupIds emails}
			occurrences(from:$f,to:$t){key start end moved} runInProgress{id}}
		ml:meeting(id:$ml){id name participants cancelled runInProgress{id inProgress startedAt endedAt}}
		me:meeting(id:$me){id name cancelled runInProgress{id}}
	}`, vars)
	part(w.adminA, `query($run:ID!){run:meetingRun(id:$run){id name startedAt endedAt endReason inProgress log{at kind actorId actorName detail}
		whiteboard{scene savedAt sizeBytes elements}}}`, map[string]any{"run": w.runA})
	part(w.adminA, `{meetingHistory(first:200){edges{cursor node{id name}}}}`, nil)
	part(w.adminA, `query($f:Time!,$t:Time!){
		myMeetings(from:$f,to:$t){meeting{id} occurrence{key start end moved}}
		resourceStatus(from:$f,to:$t){enterprise{capacity booked free} rooms{room{id} bookings{meeting{id} occurrence{key start end}}}
			now{participants meetings roomsInUse}}
	}`, map[string]any{"f": w.winFrom, "t": w.winTo})
	part(w.memberA, `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id name} occurrence{key start end moved}}
		meetingHistory{edges{node{id}}} rooms{id}}`, map[string]any{"f": w.winFrom, "t": w.winTo})
	return data.String()
}

// isoSig is an answer with the given IDs masked: two answers with equal
// signatures cannot be told apart.
func isoSig(r *xtest.Response, ids ...string) string {
	b, _ := json.Marshal(struct {
		Status int
		Data   json.RawMessage
		Errors []xtest.GQLError
	}{r.Status, r.Data, r.Errors})
	s := string(b)
	for _, id := range ids {
		if id != "" {
			s = strings.ReplaceAll(s, id, "<id>")
		}
	}
	return s
}

func isoDataNull(r *xtest.Response) bool {
	d := strings.TrimSpace(string(r.Data))
	return d == "" || d == "null"
}

// isoNoLeak fails when an answer to B mentions anything of A.
func isoNoLeak(t *testing.T, w *isoWorld, what string, r *xtest.Response) {
	t.Helper()
	b, _ := json.Marshal(r)
	raw := string(r.Data) + string(b)
	for _, s := range w.secretsA {
		if strings.Contains(raw, s) {
			t.Errorf("%s: the answer mentions A's %q: %.400s", what, s, raw)
		}
	}
}

// isoNoLeakRaw fails when a raw answer to B (a subscription event) mentions
// anything of A.
func isoNoLeakRaw(t *testing.T, w *isoWorld, what string, raw []byte) {
	t.Helper()
	for _, s := range w.secretsA {
		if strings.Contains(string(raw), s) {
			t.Errorf("%s: the answer mentions A's %q: %.400s", what, s, raw)
		}
	}
}

// isoIDAlike checks that an operation naming one of A's IDs (aID) answers wantCode
// exactly as with an unknown ID.
func isoIDAlike(t *testing.T, w *isoWorld, c isoCaller, what, doc string, vars func(id string) map[string]any, aID, wantCode string) {
	t.Helper()
	ra := c.c.Do(t, doc, vars(aID))
	rnd := store.NewID()
	rr := c.c.Do(t, doc, vars(rnd))
	isoWantCode(t, what+" with A's ID as "+c.name, ra, wantCode)
	isoNoLeak(t, w, what+" as "+c.name, ra)
	if a, b := isoSig(ra, aID), isoSig(rr, rnd); a != b {
		t.Errorf("%s as %s: A's ID answers\n  %s\nan unknown ID answers\n  %s", what, c.name, a, b)
	}
}

func isoWantCode(t *testing.T, what string, r *xtest.Response, code string) {
	t.Helper()
	if r.Code() != code || len(r.Errors) != 1 {
		t.Errorf("%s: want exactly one %s error, got code %q: %+v (data %s)", what, code, r.Code(), r.Errors, r.Data)
	}
}

func isoWantOK(t *testing.T, what string, r *xtest.Response) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Errorf("%s: unexpected errors %+v", what, r.Errors)
	}
}

// isoMemberOnly checks that B's member is refused an admin-only operation with the
// same FORBIDDEN as always, and returns whether c is the admin (who should go on).
func isoMemberOnly(t *testing.T, c isoCaller, what string, r *xtest.Response) bool {
	t.Helper()
	if c.admin {
		return true
	}
	isoWantCode(t, what+" as "+c.name, r, "FORBIDDEN")
	if !isoDataNull(r) {
		t.Errorf("%s as %s: refused but data = %s", what, c.name, r.Data)
	}
	return false
}

// isoRefsAlike checks that an operation aimed at own objects but naming A's member
// IDs answers exactly as with unknown IDs.
func isoRefsAlike(t *testing.T, w *isoWorld, c isoCaller, what, doc string, vars func(ids []string) map[string]any, wantCode string) {
	t.Helper()
	ra := c.c.Do(t, doc, vars([]string{w.memberA1}))
	rnd := store.NewID()
	rr := c.c.Do(t, doc, vars([]string{rnd}))
	isoWantCode(t, what+" with A's member as "+c.name, ra, wantCode)
	if a, b := isoSig(ra, w.memberA1), isoSig(rr, rnd); a != b {
		t.Errorf("%s as %s: A's member answers\n  %s\nan unknown ID answers\n  %s", what, c.name, a, b)
	}
}

// isoOps classifies every root field of the schema.
var isoOps = map[string]isoOp{
	// ---- Query ----
	"Query.me": {class: isoSelf, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		var out struct {
			Me struct {
				ID         string
				Enterprise struct{ ID string }
			}
		}
		c.c.Do(t, `{me{id name email enterprise{id name}}}`, nil).Decode(t, &out)
		if out.Me.ID != c.id || out.Me.Enterprise.ID != w.entB {
			t.Errorf("me as %s = %+v", c.name, out.Me)
		}
	}},
	"Query.myEnterprise": {class: isoSelf, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Do(t, `{myEnterprise{id name code branding{domains slogan logoUrl}}}`, nil)
		var out struct{ MyEnterprise struct{ ID string } }
		r.Decode(t, &out)
		if out.MyEnterprise.ID != w.entB {
			t.Errorf("myEnterprise as %s = %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "myEnterprise as "+c.name, r)
	}},
	"Query.branding": {class: isoAnonymous, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Do(t, `{branding{enterpriseName primaryColor mode slogan logoUrl}}`, nil)
		isoWantOK(t, "branding as "+c.name, r)
		isoNoLeak(t, w, "branding as "+c.name, r)
	}},
	"Query.enterprises": {class: isoPlatformOnly,
		doc: `{enterprises(first:200){totalCount edges{node{id name}}}}`},
	"Query.enterprise": {class: isoByID,
		doc:  `query($id:ID!){enterprise(id:$id){id name code quota branding{domains slogan}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Enterprise} }},
	"Query.member": {class: isoByID,
		doc:  `query($id:ID!){member(id:$id){id name email phone employeeNo status enterprise{id}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Member} }},
	"Query.group": {class: isoByID,
		doc:  `query($id:ID!){group(id:$id){id name memberCount members{totalCount edges{node{id name}}}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Group} }},
	"Query.members": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Do(t, `query($after:String,$s:String){
			all:members(first:50){totalCount edges{cursor node{id name email enterprise{id}}}}
			search:members(filter:{search:$s}){totalCount edges{node{id}}}
			dept:members(filter:{department:"Alpha R&D"}){totalCount edges{node{id}}}
			paged:members(first:50,after:$after){edges{node{id name}}}
		}`, map[string]any{"after": w.cursorA, "s": isoMemA1Name})
		var out struct {
			All struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
			Search, Dept struct{ TotalCount int }
		}
		r.Decode(t, &out)
		if !slices.ContainsFunc(out.All.Edges, func(e struct{ Node struct{ ID string } }) bool { return e.Node.ID == w.memberB.id }) {
			t.Errorf("members as %s misses B's own member: %s", c.name, r.Data)
		}
		if out.Search.TotalCount != 0 || out.Dept.TotalCount != 0 {
			t.Errorf("members as %s finds A's members: %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "members as "+c.name, r)
	}},
	"Query.groups": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Do(t, `{all:groups(first:10){totalCount edges{node{id name members(first:20){edges{node{id}}}}}} search:groups(search:"`+isoGroupAName+`"){totalCount edges{node{id name}}}}`, nil)
		isoWantOK(t, "groups as "+c.name, r)
		if !strings.Contains(string(r.Data), w.groupB) {
			t.Errorf("groups as %s misses B's own group: %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "groups as "+c.name, r)
	}},

	// ---- Mutation ----
	"Mutation.login": {class: isoAnonymous, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		// A's admin with a wrong password answers exactly like an unknown account.
		const doc = `mutation($e:String!,$p:String!){login(email:$e,password:$p){token user{id}}}`
		ra := c.c.Do(t, doc, map[string]any{"e": isoAdminAMail, "p": "wrong-password-1"})
		unknown := "nobody-" + c.id + "@alpha.iso.test"
		ru := c.c.Do(t, doc, map[string]any{"e": unknown, "p": "wrong-password-1"})
		isoWantCode(t, "login to A's admin as "+c.name, ra, "UNAUTHENTICATED")
		if a, b := isoSig(ra, isoAdminAMail), isoSig(ru, unknown); a != b {
			t.Errorf("login: A's admin answers\n  %s\nan unknown account answers\n  %s", a, b)
		}
	}},
	"Mutation.joinMeeting": {class: isoAnonymous, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		// Anyone may join with number and password (outside guests do); without the
		// password, A's running meeting answers exactly like a number that does not exist.
		var m struct{ Meeting struct{ Number string } }
		w.adminA.Do(t, `query($id:ID!){meeting(id:$id){number}}`, map[string]any{"id": w.runningA}).Decode(t, &m)
		const doc = `mutation($n:String!,$p:String){joinMeeting(number:$n,password:$p,displayName:"x"){token runId}}`
		ra := c.c.Do(t, doc, map[string]any{"n": m.Meeting.Number, "p": "000000"})
		ru := c.c.Do(t, doc, map[string]any{"n": "1000000001", "p": "000000"})
		isoWantCode(t, "joinMeeting A's meeting with a wrong password as "+c.name, ra, "NOT_FOUND")
		if a, b := isoSig(ra, m.Meeting.Number), isoSig(ru, "1000000001"); a != b {
			t.Errorf("joinMeeting: A's meeting answers\n  %s\nan unknown number answers\n  %s", a, b)
		}
	}},
	"Mutation.logout": {class: isoSelf, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		// A second session of the caller's own: logging it out must end only it.
		fresh := w.srv.Login(t, c.email, c.password)
		var out struct{ Logout bool }
		fresh.Do(t, `mutation{logout}`, nil).Decode(t, &out)
		if !out.Logout {
			t.Errorf("logout as %s = false", c.name)
		}
		if r := fresh.Do(t, `{me{id}}`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("session still valid after logout as %s: %q", c.name, r.Code())
		}
		isoWantOK(t, "other session after logout as "+c.name, c.c.Do(t, `{me{id}}`, nil))
	}},
	"Mutation.changePassword": {class: isoSelf, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		// The current password checked is the caller's own, never anyone else's.
		const doc = `mutation($c:String!,$n:String!){changePassword(currentPassword:$c,newPassword:$n)}`
		for _, cur := range []string{isoAdminAPass, isoMemA1Pass} {
			r := c.c.Do(t, doc, map[string]any{"c": cur, "n": "hijacked-pw-1"})
			isoWantCode(t, "changePassword with A's password as "+c.name, r, "BAD_USER_INPUT")
		}
		// A real change ends the caller's other sessions, only those: the caller's
		// current one lives on, and A's sessions are checked after the walk.
		other := w.srv.Login(t, c.email, c.password)
		c.c.Do(t, doc, map[string]any{"c": c.password, "n": "changed-pw-1"}).Decode(t, &struct{}{})
		if r := other.Do(t, `{me{id}}`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("changePassword as %s left another session of theirs open: %q", c.name, r.Code())
		}
		isoWantOK(t, "own session after changePassword as "+c.name, c.c.Do(t, `{me{id}}`, nil))
		c.c.Do(t, doc, map[string]any{"c": "changed-pw-1", "n": c.password}).Decode(t, &struct{}{})
	}},
	"Mutation.createEnterprise": {class: isoPlatformOnly,
		doc: `mutation{createEnterprise(input:{name:"Evil Corp",code:"iso-evil",quota:5}){id}}`},
	"Mutation.updateEnterprise": {class: isoPlatformOnly,
		doc:  `mutation($id:ID!){updateEnterprise(id:$id,input:{name:"pwned",frozen:true,quota:0}){id name frozen}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Enterprise} }},
	"Mutation.createEnterpriseAdmin": {class: isoPlatformOnly,
		doc:  `mutation($id:ID!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"Mole",email:"mole@evil.iso.test",password:"mole-password-1"}){member{id}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Enterprise} }},
	"Mutation.updateMember": {class: isoByID, adminOnly: true,
		doc:  `mutation($id:ID!){updateMember(id:$id,input:{name:"pwned",email:"pwned@evil.iso.test",role:ENTERPRISE_ADMIN}){id name}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Member} }},
	"Mutation.freezeMember": {class: isoByID, adminOnly: true,
		doc:  `mutation($id:ID!){freezeMember(id:$id){id status}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Member} }},
	"Mutation.unfreezeMember": {class: isoByID, adminOnly: true,
		doc:  `mutation($id:ID!){unfreezeMember(id:$id){id status}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Member2} }},
	"Mutation.deleteMember": {class: isoByID, adminOnly: true,
		doc:  `mutation($id:ID!){deleteMember(id:$id)}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Member2} }},
	"Mutation.setLanguage": {class: isoByID, adminOnly: true,
		doc:  `mutation($id:ID!){setLanguage(memberId:$id,language:"en"){id language}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Member} }},
	"Mutation.resetMemberPassword": {class: isoByID, adminOnly: true,
		doc:  `mutation($id:ID!){resetMemberPassword(id:$id)}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Member} }},
	"Mutation.renameGroup": {class: isoByID, adminOnly: true,
		doc:  `mutation($id:ID!){renameGroup(id:$id,name:"pwned"){id name}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Group} }},
	"Mutation.addGroupMembers": {class: isoByID, adminOnly: true,
		// B's own member into A's group: a breach would be visible in A's snapshot.
		doc: `mutation($id:ID!,$m:[ID!]!){addGroupMembers(id:$id,memberIds:$m){id memberCount}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any {
			return map[string]any{"id": x.Group, "m": []string{w.memberB.id}}
		},
		run: func(t *testing.T, w *isoWorld, c isoCaller) {
			// A's members into B's own group answer like unknown members.
			want := "NOT_FOUND"
			if !c.admin {
				want = "FORBIDDEN"
			}
			isoRefsAlike(t, w, c, "addGroupMembers to B's group", `mutation($id:ID!,$m:[ID!]!){addGroupMembers(id:$id,memberIds:$m){id memberCount members{edges{node{id name}}}}}`,
				func(ids []string) map[string]any { return map[string]any{"id": w.groupB, "m": ids} }, want)
		}},
	"Mutation.removeGroupMembers": {class: isoByID, adminOnly: true,
		doc: `mutation($id:ID!,$m:[ID!]!){removeGroupMembers(id:$id,memberIds:$m){id memberCount}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any {
			return map[string]any{"id": x.Group, "m": []string{x.Member, x.Member2}}
		}},
	"Mutation.deleteGroup": {class: isoByID, adminOnly: true,
		doc:  `mutation($id:ID!){deleteGroup(id:$id)}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Group} }},
	"Mutation.createMember": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		const doc = `mutation($in:NewMemberInput!){createMember(input:$in){member{id name employeeNo enterprise{id}} generatedPassword}}`
		email := "new-" + map[bool]string{true: "admin", false: "member"}[c.admin] + "@beta.iso.test"
		// A's employee number is free in B: numbers are unique per enterprise.
		r := c.c.Do(t, doc, map[string]any{"in": map[string]any{"name": "Beta New", "email": email, "employeeNo": "E001"}})
		if !isoMemberOnly(t, c, "createMember", r) {
			return
		}
		var out struct {
			CreateMember struct {
				Member struct{ Enterprise struct{ ID string } }
			}
		}
		r.Decode(t, &out)
		if out.CreateMember.Member.Enterprise.ID != w.entB {
			t.Errorf("createMember as %s landed in %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "createMember as "+c.name, r)
		// Emails are unique on the whole platform (they sign in): A's is a conflict,
		// and A's member stays as it is (checked by the snapshot).
		rc := c.c.Do(t, doc, map[string]any{"in": map[string]any{"name": "Beta Clash", "email": isoMemA1Mail}})
		isoWantCode(t, "createMember with A's email as "+c.name, rc, "CONFLICT")
	}},
	"Mutation.createGroup": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		const doc = `mutation($n:String!,$m:[ID!]){createGroup(name:$n,memberIds:$m){id name memberCount members{edges{node{id name}}}}}`
		r := c.c.Do(t, doc, map[string]any{"n": "Beta Crew"})
		if !isoMemberOnly(t, c, "createGroup", r) {
			return
		}
		isoWantOK(t, "createGroup as "+c.name, r)
		// A's group name is free in B: names are unique per enterprise. (Deleted
		// again so that B's lists show nothing named like A's.)
		var same struct{ CreateGroup struct{ ID string } }
		c.c.Do(t, doc, map[string]any{"n": isoGroupAName}).Decode(t, &same)
		isoWantOK(t, "deleteGroup of B's own", c.c.Do(t, `mutation($id:ID!){deleteGroup(id:$id)}`, map[string]any{"id": same.CreateGroup.ID}))
		isoRefsAlike(t, w, c, "createGroup", doc, func(ids []string) map[string]any {
			return map[string]any{"n": "Beta Squad " + ids[0], "m": ids}
		}, "NOT_FOUND")
	}},
	"Mutation.updateBranding": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		const doc = `mutation($in:BrandingInput!){updateBranding(input:$in){id name branding{primaryColor mode slogan logoUrl domains}}}`
		r := c.c.Do(t, doc, map[string]any{"in": map[string]any{"slogan": "Beta slogan", "primaryColor": "#654321", "mode": "LIGHT", "domains": []string{"beta.iso.test"}}})
		if !isoMemberOnly(t, c, "updateBranding", r) {
			return
		}
		var out struct{ UpdateBranding struct{ ID string } }
		r.Decode(t, &out)
		if out.UpdateBranding.ID != w.entB {
			t.Errorf("updateBranding as %s changed %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "updateBranding as "+c.name, r)
		// Domains are unique on the platform: A's is a conflict and stays A's.
		rc := c.c.Do(t, doc, map[string]any{"in": map[string]any{"domains": []string{"beta.iso.test", isoDomainA}}})
		isoWantCode(t, "updateBranding with A's domain as "+c.name, rc, "CONFLICT")
	}},
	"Mutation.importMembers": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		const doc = `mutation($f:Upload!){importMembers(file:$f){applied total created updated unchanged errors{row column field code message}}}`
		// A row with A's member's email is refused, as for any registered email.
		r := c.c.Upload(t, doc, nil, "f", "clash.csv", []byte("Name,Email,Employee No\nImposter,"+isoMemA1Mail+",\n"))
		if !isoMemberOnly(t, c, "importMembers", r) {
			return
		}
		var out struct {
			ImportMembers struct {
				Applied          bool
				Created, Updated int
				Errors           []struct{ Code string }
			}
		}
		r.Decode(t, &out)
		if out.ImportMembers.Applied || len(out.ImportMembers.Errors) != 1 || out.ImportMembers.Errors[0].Code != "email_taken" {
			t.Errorf("import of A's email as %s: %s", c.name, r.Data)
		}
		// A's employee number matches nobody in B: a new member, A's untouched.
		r = c.c.Upload(t, doc, nil, "f", "new.csv", []byte("Name,Email,Employee No\nBeta Import,import@beta.iso.test,E002\n"))
		out.ImportMembers.Errors = nil
		r.Decode(t, &out)
		if !out.ImportMembers.Applied || out.ImportMembers.Created != 1 || out.ImportMembers.Updated != 0 {
			t.Errorf("import with A's employee number as %s: %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "importMembers as "+c.name, r)
	}},
	"Mutation.uploadLogo": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Upload(t, `mutation($f:Upload!){uploadLogo(file:$f){id branding{logoUrl}}}`, nil, "f", "beta.png", isoPNG(t, 200))
		if !isoMemberOnly(t, c, "uploadLogo", r) {
			return
		}
		var out struct {
			UploadLogo struct {
				ID       string
				Branding struct{ LogoURL *string }
			}
		}
		r.Decode(t, &out)
		if out.UploadLogo.ID != w.entB || out.UploadLogo.Branding.LogoURL == nil || !strings.Contains(*out.UploadLogo.Branding.LogoURL, w.entB) {
			t.Errorf("uploadLogo as %s: %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "uploadLogo as "+c.name, r)
	}},
	"Mutation.removeLogo": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Do(t, `mutation{removeLogo{id branding{logoUrl}}}`, nil)
		if !isoMemberOnly(t, c, "removeLogo", r) {
			return
		}
		var out struct{ RemoveLogo struct{ ID string } }
		r.Decode(t, &out)
		if out.RemoveLogo.ID != w.entB {
			t.Errorf("removeLogo as %s: %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "removeLogo as "+c.name, r)
	}},

	// ---- Conference: Query ----
	"Query.rooms": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Do(t, `{rooms{id number name password capacity scope enterpriseId ownerId}}`, nil)
		var out struct{ Rooms []struct{ ID, Number string } }
		r.Decode(t, &out)
		var nums []string
		for _, x := range out.Rooms {
			nums = append(nums, x.Number)
		}
		if !slices.Equal(nums, []string{"8000", isoRoomSharedNo}) {
			t.Errorf("rooms as %s = %v, want only the shared ones", c.name, nums)
		}
		isoNoLeak(t, w, "rooms as "+c.name, r)
	}},
	"Query.room": {class: isoByID,
		doc:  `query($id:ID!){room(id:$id){id number name password capacity scope enterpriseId ownerId}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Room} },
		run: func(t *testing.T, w *isoWorld, c isoCaller) {
			isoIDAlike(t, w, c, "room (A's enterprise room)", `query($id:ID!){room(id:$id){id name}}`,
				func(id string) map[string]any { return map[string]any{"id": id} }, w.roomEntA, "NOT_FOUND")
		}},
	"Query.meeting": {class: isoByID,
		doc: `query($id:ID!){meeting(id:$id){id number name password description host{id} hostName start participants room{id number name}
			invitees{members{id name} groupIds emails} occurrences(from:"2020-01-01T00:00:00Z",to:"2020-06-01T00:00:00Z"){key} runInProgress{id}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Meeting} },
		run: func(t *testing.T, w *isoWorld, c isoCaller) {
			for what, id := range map[string]string{"live": w.runningA, "ended": w.endedA} {
				isoIDAlike(t, w, c, "meeting (A's "+what+" meeting)", `query($id:ID!){meeting(id:$id){id name runInProgress{id}}}`,
					func(id string) map[string]any { return map[string]any{"id": id} }, id, "NOT_FOUND")
			}
		}},
	"Query.myMeetings": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Do(t, `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id number name hostName room{id name} invitees{members{id}}} occurrence{start}}}`,
			map[string]any{"f": w.winFrom, "t": w.winTo})
		if !strings.Contains(string(r.Data), w.meetingB) {
			t.Errorf("myMeetings as %s misses B's own meeting: %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "myMeetings as "+c.name, r)
	}},
	"Query.bookingDefaults": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		var out struct{ BookingDefaults struct{ Participants int } }
		c.c.Do(t, `{bookingDefaults{participants participantsFrom}}`, nil).Decode(t, &out)
		if p := out.BookingDefaults.Participants; p < 2 || p > 100 {
			t.Errorf("bookingDefaults as %s: %d participants, not within B's quota", c.name, p)
		}
		// Another enterprise's room answers like a missing one: its capacity stays hidden.
		isoIDAlike(t, w, c, "bookingDefaults (A's enterprise room)", `query($r:ID){bookingDefaults(roomId:$r){participants participantsFrom}}`,
			func(id string) map[string]any { return map[string]any{"r": id} }, w.roomEntA, "NOT_FOUND")
	}},
	"Query.resourceStatus": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Do(t, `query($f:Time!,$t:Time!){resourceStatus(from:$f,to:$t){enterprise{capacity booked free} platform{capacity booked free}
			rooms{room{id number name password} usage{capacity booked free} bookings{meeting{id number name} occurrence{start end}}}
			now{participants meetings roomsInUse platformParticipants}}}`, map[string]any{"f": time.Now().Add(-time.Hour), "t": w.startA.Add(24 * time.Hour)})
		var out struct {
			ResourceStatus struct {
				Enterprise struct{ Capacity int }
				Rooms      []struct {
					Room     struct{ Number string }
					Usage    struct{ Booked int }
					Bookings []struct{ Meeting struct{ ID string } }
				}
			}
		}
		r.Decode(t, &out)
		if out.ResourceStatus.Enterprise.Capacity != 100 {
			t.Errorf("resourceStatus as %s: not B's quota: %s", c.name, r.Data)
		}
		// A's series fills the small shared room: counted, not shown.
		found := false
		for _, ru := range out.ResourceStatus.Rooms {
			if ru.Room.Number != isoRoomSharedNo {
				continue
			}
			found = true
			if ru.Usage.Booked != 4 || len(ru.Bookings) != 1 || ru.Bookings[0].Meeting.ID != w.meetingB {
				t.Errorf("resourceStatus as %s: the shared room %+v", c.name, ru)
			}
		}
		if !found {
			t.Errorf("resourceStatus as %s lacks the shared room: %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "resourceStatus as "+c.name, r)
	}},
	"Query.meetingHistory": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		r := c.c.Do(t, `{all:meetingHistory(first:3){edges{cursor node{id name number hostName log{kind actorId actorName detail}
			whiteboard{scene sizeBytes elements}}}}
			alpha:meetingHistory(search:"Alpha"){edges{node{id}}}}`, nil)
		var out struct {
			All, Alpha struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		r.Decode(t, &out)
		if !strings.Contains(string(r.Data), w.runB) || len(out.Alpha.Edges) != 0 {
			t.Errorf("meetingHistory as %s: %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "meetingHistory as "+c.name, r)
		// A's run as a cursor answers like an unknown one.
		isoIDAlike(t, w, c, "meetingHistory after A's run", `query($a:String){meetingHistory(after:$a){edges{cursor}}}`,
			func(id string) map[string]any { return map[string]any{"a": id} }, w.runA, "BAD_USER_INPUT")
	}},
	"Query.meetingRun": {class: isoByID,
		doc: `query($id:ID!){meetingRun(id:$id){id meetingId number name hostName startedAt endedAt log{kind actorId actorName} logCsvUrl
			whiteboard{scene savedAt sizeBytes elements} chat{messages{seq fromName text} hasMore}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Run} },
		run: func(t *testing.T, w *isoWorld, c isoCaller) {
			// B's own run's whiteboard is B's to read.
			var out struct {
				MeetingRun struct{ Whiteboard *struct{ Scene string } }
			}
			r := c.c.Do(t, `query($id:ID!){meetingRun(id:$id){whiteboard{scene}}}`, map[string]any{"id": w.runB})
			r.Decode(t, &out)
			if wb := out.MeetingRun.Whiteboard; wb == nil || wb.Scene != isoBoardB {
				t.Errorf("B's own whiteboard as %s: %s", c.name, r.Data)
			}
			isoNoLeak(t, w, "meetingRun whiteboard as "+c.name, r)
			// The CSV log of A's run answers like an unknown run's.
			ra, ba := c.c.Get(t, "/api/meetings/runs/"+w.runA+"/log.csv")
			rnd := store.NewID() + "|" + w.startA.UTC().Format(time.RFC3339)
			rr, br := c.c.Get(t, "/api/meetings/runs/"+rnd+"/log.csv")
			if ra.StatusCode != 404 || rr.StatusCode != 404 || !bytes.Equal(ba, br) {
				t.Errorf("log.csv of A's run as %s: %d %q; of an unknown run: %d %q", c.name, ra.StatusCode, ba, rr.StatusCode, br)
			}
		}},

	// ---- Conference: Mutation ----
	"Mutation.createRoom": {class: isoPlatformOnly,
		doc:  `mutation($o:ID!){createRoom(input:{number:"70013333",name:"Evil Room",capacity:5,scope:DEDICATED,ownerId:$o}){id}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"o": x.Member} }},
	"Mutation.updateRoom": {class: isoPlatformOnly,
		doc:  `mutation($id:ID!,$e:ID!){updateRoom(id:$id,input:{number:"70013334",name:"pwned",capacity:1,scope:ENTERPRISE,enterpriseId:$e}){id}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Room, "e": x.Enterprise} }},
	"Mutation.deleteRoom": {class: isoPlatformOnly,
		doc:  `mutation($id:ID!){deleteRoom(id:$id)}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Room} }},
	"Mutation.bookMeeting": {class: isoByID,
		// A's member's dedicated room.
		doc:  `mutation($s:Time!,$r:ID!){bookMeeting(input:{start:$s,participants:2,roomId:$r}){id room{id}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"s": w.far, "r": x.Room} },
		run: func(t *testing.T, w *isoWorld, c isoCaller) {
			const doc = `mutation($in:BookMeetingInput!){bookMeeting(input:$in){id number name room{id number name} invitees{members{id name} groupIds emails}}}`
			in := func(k string, v any) map[string]any {
				m := map[string]any{"start": w.far, "participants": 2}
				if k != "" {
					m[k] = v
				}
				return map[string]any{"in": m}
			}
			isoIDAlike(t, w, c, "bookMeeting in A's enterprise room", doc, func(id string) map[string]any { return in("roomId", id) }, w.roomEntA, "NOT_FOUND")
			isoRefsAlike(t, w, c, "bookMeeting inviting", doc, func(ids []string) map[string]any { return in("memberIds", ids) }, "NOT_FOUND")
			isoIDAlike(t, w, c, "bookMeeting inviting A's group", doc, func(id string) map[string]any { return in("groupIds", []string{id}) }, w.groupA, "NOT_FOUND")
			isoIDAlike(t, w, c, "bookMeeting presented by A's member", doc, func(id string) map[string]any { return in("presenterId", id) }, w.memberA1, "BAD_USER_INPUT")
			// A's series fills the shared room: refused without naming it.
			r := c.c.Do(t, doc, map[string]any{"in": map[string]any{"start": w.startA, "participants": 2, "roomId": w.roomShared}})
			isoWantCode(t, "bookMeeting against A's meeting as "+c.name, r, "CONFLICT")
			if len(r.Errors) == 1 {
				if _, named := r.Errors[0].Extensions["conflictMeetingId"]; named {
					t.Errorf("bookMeeting as %s: the conflict names A's meeting: %+v", c.name, r.Errors[0])
				}
			}
			isoNoLeak(t, w, "bookMeeting against A's meeting as "+c.name, r)
			// B's own booking works.
			r = c.c.Do(t, doc, in("", nil))
			isoWantOK(t, "bookMeeting as "+c.name, r)
			isoNoLeak(t, w, "bookMeeting as "+c.name, r)
		}},
	"Mutation.updateMeeting": {class: isoByID,
		doc: `mutation($id:ID!,$s:Time!,$m:[ID!]){updateMeeting(id:$id,input:{start:$s,name:"pwned",participants:2,memberIds:$m}){id name}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any {
			return map[string]any{"id": x.Meeting, "s": w.startA, "m": []string{w.memberB.id}}
		}},
	"Mutation.updateMeetingFrom": {class: isoByID,
		doc: `mutation($id:ID!,$o:Time!){updateMeetingFrom(id:$id,occurrence:$o,input:{start:$o,name:"pwned",participants:2,
			recurrence:{frequency:WEEKLY,count:2}}){id name}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Meeting, "o": w.occA2} }},
	"Mutation.moveOccurrence": {class: isoByID,
		doc: `mutation($id:ID!,$o:Time!,$s:Time!){moveOccurrence(id:$id,occurrence:$o,start:$s,durationMinutes:30){id}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any {
			return map[string]any{"id": x.Meeting, "o": w.occA2, "s": w.occA2.Add(time.Hour)}
		}},
	"Mutation.cancelOccurrence": {class: isoByID,
		doc:  `mutation($id:ID!,$o:Time!){cancelOccurrence(id:$id,occurrence:$o){id}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Meeting, "o": w.occA2} }},
	"Mutation.inviteToMeeting": {class: isoByID,
		doc:  `mutation($id:ID!){inviteToMeeting(id:$id,emails:["spy@evil.example"]){id invitees{emails}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Meeting} }},
	"Mutation.cancelMeeting": {class: isoByID,
		doc:  `mutation($id:ID!){cancelMeeting(id:$id)}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Meeting} }},
	"Mutation.startMeeting": {class: isoByID,
		// A's host could start A's series (at any time: --early-start any).
		doc:  `mutation($id:ID!){startMeeting(id:$id){id inProgress log{kind}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Meeting} }},
	"Mutation.endMeeting": {class: isoByID,
		doc:  `mutation($id:ID!){endMeeting(id:$id){id inProgress}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.relaunchMeeting": {class: isoByID,
		doc:  `mutation($id:ID!){relaunchMeeting(id:$id){id name}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Ended} }},
	"Mutation.startInstantMeeting": {class: isoOwnScope, run: func(t *testing.T, w *isoWorld, c isoCaller) {
		const doc = `mutation($in:InstantMeetingInput!){startInstantMeeting(input:$in){meeting{id name room{id number name} invitees{members{id}}} run{id inProgress}}}`
		isoRefsAlike(t, w, c, "startInstantMeeting inviting", doc, func(ids []string) map[string]any {
			return map[string]any{"in": map[string]any{"participants": 2, "memberIds": ids}}
		}, "NOT_FOUND")
		isoIDAlike(t, w, c, "startInstantMeeting inviting A's group", doc, func(id string) map[string]any {
			return map[string]any{"in": map[string]any{"participants": 2, "groupIds": []string{id}}}
		}, w.groupA, "NOT_FOUND")
		r := c.c.Do(t, doc, map[string]any{"in": map[string]any{"participants": 2}})
		var out struct {
			StartInstantMeeting struct {
				Meeting struct{ ID string }
				Run     struct{ InProgress bool }
			}
		}
		r.Decode(t, &out)
		if !out.StartInstantMeeting.Run.InProgress {
			t.Errorf("startInstantMeeting as %s: %s", c.name, r.Data)
		}
		isoNoLeak(t, w, "startInstantMeeting as "+c.name, r)
		isoWantOK(t, "endMeeting of B's own", c.c.Do(t, `mutation($id:ID!){endMeeting(id:$id){id}}`, map[string]any{"id": out.StartInstantMeeting.Meeting.ID}))
	}},

	// ---- Running meeting controls: A's running meeting is NOT_FOUND to B, like unknown IDs ----
	"Mutation.muteParticipant": {class: isoByID,
		doc:  `mutation($id:ID!,$p:ID!){muteParticipant(meetingId:$id,participantId:$p){seq}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Mutation.unmuteParticipant": {class: isoByID,
		doc:  `mutation($id:ID!,$p:ID!){unmuteParticipant(meetingId:$id,participantId:$p){seq}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Mutation.muteAll": {class: isoByID,
		doc:  `mutation($id:ID!){muteAll(meetingId:$id,allowSelfUnmute:false){seq participants{id name}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.setAllowSelfUnmute": {class: isoByID,
		doc:  `mutation($id:ID!){setAllowSelfUnmute(meetingId:$id,on:true){seq allowSelfUnmute}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.raiseHand": {class: isoByID,
		doc:  `mutation($id:ID!,$p:ID!){raiseHand(meetingId:$id,participantId:$p){seq participants{id handRaised}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Mutation.lowerHand": {class: isoByID,
		doc:  `mutation($id:ID!,$p:ID!){lowerHand(meetingId:$id,participantId:$p){seq participants{id handRaised}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Mutation.lowerAllHands": {class: isoByID,
		doc:  `mutation($id:ID!){lowerAllHands(meetingId:$id){seq participants{id handRaised}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.sendChatMessage": {class: isoByID,
		doc:  `mutation($id:ID!,$p:ID!){sendChatMessage(meetingId:$id,participantId:$p,text:"from B"){seq text fromName}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Query.meetingChat": {class: isoByID,
		doc:  `query($id:ID!){meetingChat(meetingId:$id){messages{seq fromName text privateWithName} hasMore}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.lockMeeting": {class: isoByID,
		doc:  `mutation($id:ID!){lockMeeting(meetingId:$id){seq locked}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.unlockMeeting": {class: isoByID,
		doc:  `mutation($id:ID!){unlockMeeting(meetingId:$id){seq locked}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.setLayout": {class: isoByID,
		doc:  `mutation($id:ID!){setLayout(meetingId:$id,mode:SINGLE){seq mode}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.pinParticipant": {class: isoByID,
		doc:  `mutation($id:ID!,$p:ID!){pinParticipant(meetingId:$id,pane:0,participantId:$p){seq}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Mutation.hangupParticipant": {class: isoByID,
		doc:  `mutation($id:ID!,$p:ID!){hangupParticipant(meetingId:$id,participantId:$p){seq}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Mutation.setPresenter": {class: isoByID,
		doc:  `mutation($id:ID!,$p:ID!){setPresenter(meetingId:$id,participantId:$p){seq}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Mutation.setParticipantRole": {class: isoByID,
		doc:  `mutation($id:ID!,$p:ID!){setParticipantRole(meetingId:$id,participantId:$p,role:PRESENTER){seq participants{id role}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Mutation.setWhiteboard": {class: isoByID,
		doc:  `mutation($id:ID!){setWhiteboard(meetingId:$id,on:true){seq whiteboard panes{pane source}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.unpinParticipant": {class: isoByID,
		doc:  `mutation($id:ID!){unpinParticipant(meetingId:$id,pane:0){seq pins{pane participantId}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.setPolling": {class: isoByID,
		doc: `mutation($id:ID!,$p:ID!){setPolling(meetingId:$id,input:{enabled:true,intervalSeconds:10,panes:[1],participantIds:[$p]}){seq
			polling{enabled intervalSeconds panes participantIds epoch} panes{pane polled}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running, "p": x.Member} }},
	"Mutation.setMuteOnEntry": {class: isoByID,
		doc:  `mutation($id:ID!){setMuteOnEntry(meetingId:$id,on:true){seq muteOnEntry}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} }},
	"Mutation.callAbsentInvitees": {class: isoByID,
		doc:  `mutation($id:ID!){callAbsentInvitees(meetingId:$id){called{id name email} skipped{id name}}}`,
		vars: func(w *isoWorld, x isoTargets) map[string]any { return map[string]any{"id": x.Running} },
		run: func(t *testing.T, w *isoWorld, c isoCaller) {
			if c.admin {
				return // checked after B's member, the last caller, has tried too
			}
			// Neither of B's callers called anyone into A's meeting: A's host calling
			// now reaches A's absent invitee, who would otherwise be in the cooldown.
			var out struct {
				CallAbsentInvitees struct{ Called, Skipped []struct{ ID string } }
			}
			w.adminA.Do(t, `mutation($id:ID!){callAbsentInvitees(meetingId:$id){called{id} skipped{id}}}`, map[string]any{"id": w.runningA}).Decode(t, &out)
			if x := out.CallAbsentInvitees; len(x.Called) != 1 || x.Called[0].ID != w.memberA1 || len(x.Skipped) != 0 {
				t.Errorf("A's own call of the absent after B's tries: %+v", x)
			}
		}},

	// ---- Subscription ----
	"Subscription.directoryChanged":      {class: isoOwnScope, subscription: true},
	"Subscription.resourceStatusChanged": {class: isoOwnScope, subscription: true, subWalk: isoWalkResourceSubs},
	"Subscription.notifications":         {class: isoOwnScope, subscription: true, subWalk: isoWalkNotificationSubs},
	"Subscription.meetingState":          {class: isoByID, subscription: true, subWalk: isoWalkMeetingStateSubs},
}

// isoRootFields reads the root fields of the schema by introspection.
func isoRootFields(t *testing.T, root *xtest.Client) []string {
	t.Helper()
	type fields struct {
		Name   string
		Fields []struct{ Name string }
	}
	var out struct {
		Schema struct{ QueryType, MutationType, SubscriptionType *fields } `json:"__schema"`
	}
	root.Do(t, `{__schema{queryType{name fields{name}} mutationType{name fields{name}} subscriptionType{name fields{name}}}}`, nil).Decode(t, &out)
	var names []string
	for _, ty := range []*fields{out.Schema.QueryType, out.Schema.MutationType, out.Schema.SubscriptionType} {
		if ty == nil {
			continue
		}
		for _, f := range ty.Fields {
			names = append(names, ty.Name+"."+f.Name)
		}
	}
	if len(names) < 10 {
		t.Fatalf("introspection found only %v", names)
	}
	return names
}

func TestIsoTenantWalk(t *testing.T) {
	w := isoSetup(t)

	// Every root field is classified, and the table names no field that is gone.
	fields := isoRootFields(t, w.root)
	for _, f := range fields {
		if op, ok := isoOps[f]; !ok || op.class == isoUnknown {
			t.Errorf("operation %s is not classified in the tenant-isolation walk", f)
		}
	}
	for name := range isoOps {
		if !slices.Contains(fields, name) {
			t.Errorf("the tenant-isolation walk classifies %s, which the schema no longer has", name)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// A's admin listens to A's directory through the whole walk.
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	subA := isoSubscribe(ctx, t, w.adminA, "A's admin")
	isoWarm(t, func(n int) string {
		return isoCreateMember(t, w.adminA, map[string]any{"name": "Alpha Warmup", "email": fmt.Sprintf("warmup%d@alpha.iso.test", n)})
	}, subA)
	w.secretsA = append(w.secretsA, "Alpha Warmup", "@alpha.iso.test")

	before := isoSnapshot(t, w)
	aTargets := isoTargets{Enterprise: w.entA, Member: w.memberA1, Member2: w.memberA2, Group: w.groupA,
		Room: w.roomDedA, Meeting: w.meetingA, Running: w.runningA, Ended: w.endedA, Run: w.runA}
	names := slices.Sorted(maps.Keys(isoOps))
	for _, name := range names {
		op := isoOps[name]
		if op.subscription {
			continue
		}
		t.Run(name, func(t *testing.T) {
			for _, c := range []isoCaller{w.adminB, w.memberB} {
				switch op.class {
				case isoPlatformOnly, isoByID:
					isoWalkTargeted(t, w, name, op, c, aTargets)
				}
				if op.run != nil {
					op.run(t, w, c)
				}
			}
		})
	}

	// Nothing of A changed, its sessions and passwords still work, and the walk
	// sent nothing to A's subscribers.
	if after := isoSnapshot(t, w); after != before {
		t.Errorf("A changed during the walk:\nbefore %s\nafter  %s", before, after)
	}
	isoWantOK(t, "A's member's session after the walk", w.memberA.Do(t, `{me{id}}`, nil))
	w.srv.Login(t, isoMemA1Mail, isoMemA1Pass)
	w.srv.Login(t, isoAdminAMail, isoAdminAPass)

	// Subscriptions: B subscribes, A changes its directory; only A hears of it.
	subs := map[string]<-chan *xtest.WSMessage{}
	for _, name := range names {
		op := isoOps[name]
		if !op.subscription {
			continue
		}
		field := strings.TrimPrefix(name, "Subscription.")
		if field != "directoryChanged" {
			if op.subWalk == nil {
				t.Fatalf("no websocket walk for subscription %s", name)
			}
			continue // walked below
		}
		for _, c := range []isoCaller{w.adminB, w.memberB} {
			subs[c.name] = isoSubscribe(ctx, t, c.c, c.name)
		}
	}
	// Live before A changes anything: each has heard a change of B's.
	isoWarm(t, func(n int) string {
		return isoCreateMember(t, w.adminB.c, map[string]any{"name": "Beta Warmup", "email": fmt.Sprintf("warmup%d@beta.iso.test", n)})
	}, slices.Collect(maps.Values(subs))...)
	newA := isoCreateMember(t, w.adminA, map[string]any{"name": "Alpha Three", "email": "three@alpha.iso.test"})
	if ev := isoNext(t, subA, 5*time.Second, "A's admin"); ev == nil || ev.ID != newA {
		t.Errorf("A's subscriber: first event after the walk is %+v, want the change A made (%s): the walk published to A", ev, newA)
	}
	quiet := time.Now().Add(time.Second) // one second for all of B's subscribers
	for who, ch := range subs {
		if ev := isoNext(t, ch, time.Until(quiet), who); ev != nil {
			t.Errorf("%s received A's directory event %+v", who, ev)
		}
	}
	// B's subscribers do work: they hear B's own change, and only that.
	newB := isoCreateMember(t, w.adminB.c, map[string]any{"name": "Beta Sub", "email": "sub@beta.iso.test"})
	for who, ch := range subs {
		if ev := isoNext(t, ch, 5*time.Second, who); ev == nil || ev.ID != newB {
			t.Errorf("%s: event %+v, want B's own change %s", who, ev, newB)
		}
	}

	// The other subscriptions, each with its own walk.
	for _, name := range names {
		if op := isoOps[name]; op.subWalk != nil {
			t.Run(name, func(t *testing.T) { op.subWalk(ctx, t, w) })
		}
	}
}

// isoWalkTargeted calls a platform-only or by-ID operation with A's IDs, unknown
// IDs and garbage, and checks the answers are the expected refusal and identical.
func isoWalkTargeted(t *testing.T, w *isoWorld, name string, op isoOp, c isoCaller, a isoTargets) {
	t.Helper()
	want := "NOT_FOUND"
	if op.class == isoPlatformOnly || (op.adminOnly && !c.admin) {
		want = "FORBIDDEN"
	}
	vars := func(x isoTargets) map[string]any {
		if op.vars == nil {
			return nil
		}
		return op.vars(w, x)
	}
	rnd := isoTargets{Enterprise: store.NewID(), Member: store.NewID(), Member2: store.NewID(), Group: store.NewID(),
		Room: store.NewID(), Meeting: store.NewID(), Running: store.NewID(), Ended: store.NewID(),
		Run: store.NewID() + "|" + w.startA.UTC().Format(time.RFC3339)}
	bad := isoTargets{Enterprise: "not-an-id", Member: "0123", Member2: "zz" + strings.Repeat("f", 22), Group: "../" + w.groupA,
		Room: "room-8000", Meeting: "00000", Running: "../" + w.runningA, Ended: w.endedA + "x", Run: `{"$ne":null}`}
	ra := c.c.Do(t, op.doc, vars(a))
	isoWantCode(t, name+" on A's objects as "+c.name, ra, want)
	if !isoDataNull(ra) {
		t.Errorf("%s as %s: refused but data = %s", name, c.name, ra.Data)
	}
	isoNoLeak(t, w, name+" as "+c.name, ra)
	sa := isoSig(ra, a.all()...)
	for _, x := range []isoTargets{rnd, bad} {
		r := c.c.Do(t, op.doc, vars(x))
		if s := isoSig(r, x.all()...); s != sa {
			t.Errorf("%s as %s: A's objects answer\n  %s\nbut IDs %v answer\n  %s", name, c.name, sa, x.all(), s)
		}
	}
}

// isoEvent is one directoryChanged event.
type isoEvent struct{ Kind, ID string }

// isoSubscribe subscribes c to directoryChanged and pumps its events into a channel
// until ctx ends; protocol errors fail the test.
func isoSubscribe(ctx context.Context, t *testing.T, c *xtest.Client, who string) <-chan *xtest.WSMessage {
	t.Helper()
	return isoSubscribeDoc(ctx, t, c, who, `subscription{directoryChanged{kind id}}`, nil)
}

// isoSubscribeDoc subscribes c to the subscription doc and pumps its messages into
// a channel until ctx ends.
func isoSubscribeDoc(ctx context.Context, t *testing.T, c *xtest.Client, who, doc string, vars map[string]any) <-chan *xtest.WSMessage {
	t.Helper()
	ws, err := c.DialWS(ctx, t)
	if err != nil {
		t.Fatalf("websocket as %s: %v", who, err)
	}
	if err := ws.Subscribe(ctx, "1", doc, vars); err != nil {
		t.Fatalf("subscribe as %s: %v", who, err)
	}
	ch := make(chan *xtest.WSMessage, 16)
	go func() {
		defer close(ch)
		for {
			m, err := ws.Read(ctx)
			if err != nil {
				return
			}
			select {
			case ch <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// isoWarm makes a directory change with trigger, which returns the changed ID, until
// every subscriber has heard of it: the subscriptions are then live. A subscription
// starts asynchronously, so the first changes may come before it listens.
func isoWarm(t *testing.T, trigger func(n int) string, subs ...<-chan *xtest.WSMessage) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	n := 0
	for i, ch := range subs {
		for {
			n++
			id := trigger(n)
			ev := isoNext(t, ch, 200*time.Millisecond, "warm-up")
			for ev != nil && ev.ID != id { // events of earlier tries
				ev = isoNext(t, ch, 200*time.Millisecond, "warm-up")
			}
			if ev != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("subscriber %d never heard a change", i)
			}
		}
	}
	// Forget what the others heard of later tries (already sent: the last
	// subscriber has heard the last one).
	for _, ch := range subs {
		for isoNext(t, ch, 100*time.Millisecond, "warm-up") != nil {
		}
	}
}

// isoNext returns the next directory event within d, or nil when none came.
func isoNext(t *testing.T, ch <-chan *xtest.WSMessage, d time.Duration, who string) *isoEvent {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Errorf("%s: websocket closed", who)
			return nil
		}
		if m.Type != "next" {
			t.Errorf("%s: %s %s", who, m.Type, m.Payload)
			return nil
		}
		var p struct {
			Data   struct{ DirectoryChanged isoEvent }
			Errors []xtest.GQLError
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
			t.Errorf("%s: bad event %s", who, m.Payload)
			return nil
		}
		return &p.Data.DirectoryChanged
	case <-time.After(d):
		return nil
	}
}

// isoNextMsg returns the next subscription event within d, or nil when none came.
func isoNextMsg(t *testing.T, ch <-chan *xtest.WSMessage, d time.Duration, who string) *xtest.WSMessage {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Errorf("%s: websocket closed", who)
			return nil
		}
		if m.Type != "next" {
			t.Errorf("%s: %s %s", who, m.Type, m.Payload)
			return nil
		}
		return m
	case <-time.After(d):
		return nil
	}
}

// isoDecode decodes an event's data into v.
func isoDecode(t *testing.T, m *xtest.WSMessage, v any) bool {
	t.Helper()
	var p struct {
		Data   json.RawMessage
		Errors []xtest.GQLError
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 || json.Unmarshal(p.Data, v) != nil {
		t.Errorf("bad event %s", m.Payload)
		return false
	}
	return true
}

// isoWalkResourceSubs: B's resource status subscriptions show nothing of A and
// do not fire on A's changes; A's does.
func isoWalkResourceSubs(ctx context.Context, t *testing.T, w *isoWorld) {
	const doc = `subscription($f:Time!,$t:Time!){resourceStatusChanged(from:$f,to:$t){enterprise{capacity booked free}
		rooms{room{id number name password} usage{booked} bookings{meeting{id number name} occurrence{start}}} now{participants meetings roomsInUse}}}`
	vars := map[string]any{"f": time.Now().Add(-time.Hour), "t": w.startA.Add(24 * time.Hour)}
	var st struct {
		ResourceStatusChanged struct{ Now struct{ Meetings int } }
	}
	subA := isoSubscribeDoc(ctx, t, w.adminA, "A's admin", doc, vars)
	subsB := map[string]<-chan *xtest.WSMessage{}
	for _, c := range []isoCaller{w.adminB, w.memberB} {
		subsB[c.name] = isoSubscribeDoc(ctx, t, c.c, c.name, doc, vars)
	}
	// Each answers the current status at once: it listens from then on.
	if m := isoNextMsg(t, subA, 5*time.Second, "A's admin"); m == nil || !isoDecode(t, m, &st) || st.ResourceStatusChanged.Now.Meetings < 1 {
		t.Fatalf("A's first status: %+v", st)
	}
	liveNow := st.ResourceStatusChanged.Now.Meetings
	for who, ch := range subsB {
		m := isoNextMsg(t, ch, 5*time.Second, who)
		if m == nil {
			t.Fatalf("%s: no first status", who)
		}
		isoNoLeakRaw(t, w, "resourceStatusChanged as "+who, m.Payload)
	}
	// A ends its running meeting: A hears of it, B does not.
	w.adminA.Do(t, `mutation($id:ID!){endMeeting(id:$id){id}}`, map[string]any{"id": w.runningA}).Decode(t, &struct{}{})
	deadline := time.Now().Add(5 * time.Second)
	for st.ResourceStatusChanged.Now.Meetings != liveNow-1 {
		m := isoNextMsg(t, subA, time.Until(deadline), "A's admin")
		if m == nil {
			t.Fatalf("A's subscriber never heard its meeting end")
		}
		isoDecode(t, m, &st)
	}
	quiet := time.Now().Add(time.Second)
	for who, ch := range subsB {
		if m := isoNextMsg(t, ch, time.Until(quiet), who); m != nil {
			t.Errorf("%s heard A's change: %s", who, m.Payload)
		}
	}
	// B's own change reaches both of B's subscribers.
	w.adminB.c.Do(t, `mutation($s:Time!){bookMeeting(input:{start:$s,participants:2}){id}}`, map[string]any{"s": w.startA.Add(3 * time.Hour)}).Decode(t, &struct{}{})
	for who, ch := range subsB {
		if m := isoNextMsg(t, ch, 5*time.Second, who); m == nil {
			t.Errorf("%s did not hear B's own booking", who)
		} else {
			isoNoLeakRaw(t, w, "resourceStatusChanged as "+who, m.Payload)
		}
	}
}

// isoWalkNotificationSubs: A calling its member into a meeting reaches that member
// and none of B's; B's own notifications reach B.
func isoWalkNotificationSubs(ctx context.Context, t *testing.T, w *isoWorld) {
	const doc = `subscription{notifications{kind meetingId number name hostName start}}`
	const updateDoc = `mutation($id:ID!,$in:BookMeetingInput!){updateMeeting(id:$id,input:$in){id}}`
	type party struct {
		who       string
		c, host   *xtest.Client
		invitee   string
		sub       <-chan *xtest.WSMessage
		meetingID string
		in        map[string]any
	}
	parties := []*party{
		{who: "A's member", c: w.memberA, host: w.adminA, invitee: w.memberA1},
		{who: w.adminB.name, c: w.adminB.c, host: w.memberB.c, invitee: w.adminB.id},
		{who: w.memberB.name, c: w.memberB.c, host: w.adminB.c, invitee: w.memberB.id},
	}
	// Each has a meeting they are invited to, which its host edits to reach them.
	for i, p := range parties {
		p.sub = isoSubscribeDoc(ctx, t, p.c, p.who, doc, nil)
		p.in = map[string]any{"start": w.far.AddDate(0, 0, i+1), "participants": 2, "memberIds": []string{p.invitee}}
		var out struct{ BookMeeting struct{ ID string } }
		p.host.Do(t, `mutation($in:BookMeetingInput!){bookMeeting(input:$in){id}}`, map[string]any{"in": p.in}).Decode(t, &out)
		p.meetingID = out.BookMeeting.ID
	}
	// Subscriptions start asynchronously: edit until each has heard.
	for _, p := range parties {
		deadline := time.Now().Add(10 * time.Second)
		for isoNextMsg(t, p.sub, 300*time.Millisecond, p.who) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("%s never heard a notification", p.who)
			}
			p.host.Do(t, updateDoc, map[string]any{"id": p.meetingID, "in": p.in}).Decode(t, &struct{}{})
		}
	}
	for _, p := range parties {
		for isoNextMsg(t, p.sub, 200*time.Millisecond, p.who) != nil {
		}
	}
	var n struct {
		Notifications struct{ Kind, MeetingID string }
	}
	// A calls its member into a meeting now: only A's member hears.
	var inst struct {
		StartInstantMeeting struct{ Meeting struct{ ID, Number string } }
	}
	w.adminA.Do(t, `mutation($m:[ID!]){startInstantMeeting(input:{name:"Alpha Call 甲",participants:2,memberIds:$m}){meeting{id number}}}`,
		map[string]any{"m": []string{w.memberA1}}).Decode(t, &inst)
	w.secretsA = append(w.secretsA, inst.StartInstantMeeting.Meeting.ID, inst.StartInstantMeeting.Meeting.Number, "Alpha Call 甲")
	if m := isoNextMsg(t, parties[0].sub, 5*time.Second, parties[0].who); m == nil || !isoDecode(t, m, &n) ||
		n.Notifications.Kind != "STARTED_NOW" || n.Notifications.MeetingID != inst.StartInstantMeeting.Meeting.ID {
		t.Errorf("A's member: notification %+v", n)
	}
	quiet := time.Now().Add(time.Second)
	for _, p := range parties[1:] {
		if m := isoNextMsg(t, p.sub, time.Until(quiet), p.who); m != nil {
			t.Errorf("%s heard A's notification: %s", p.who, m.Payload)
		}
	}
	// B's own notifications reach B, with nothing of A.
	for _, p := range parties[1:] {
		p.host.Do(t, updateDoc, map[string]any{"id": p.meetingID, "in": p.in}).Decode(t, &struct{}{})
		m := isoNextMsg(t, p.sub, 5*time.Second, p.who)
		if m == nil || !isoDecode(t, m, &n) || n.Notifications.Kind != "UPDATED" || n.Notifications.MeetingID != p.meetingID {
			t.Errorf("%s: notification %+v", p.who, n)
			continue
		}
		isoNoLeakRaw(t, w, "notifications as "+p.who, m.Payload)
	}
}

// A member of B looking up A's member, an unknown ObjectID and garbage gets the same
// NOT_FOUND, down to the message.
func TestIsoMemberLookupIndistinguishable(t *testing.T) {
	w := isoSetup(t)
	const doc = `query($id:ID!){member(id:$id){id name}}`
	for _, c := range []isoCaller{w.memberB, w.adminB} {
		var first string
		for _, id := range []string{w.memberA1, w.adminAID, store.NewID(), "garbage", "", strings.Repeat("x", 300)} {
			r := c.c.Do(t, doc, map[string]any{"id": id})
			isoWantCode(t, "member("+id+") as "+c.name, r, "NOT_FOUND")
			s := isoSig(r, id)
			if first == "" {
				first = s
			} else if s != first {
				t.Errorf("member(%.40q) as %s answers\n  %s\nwhile A's member answers\n  %s", id, c.name, s, first)
			}
		}
	}
}

// isoWalkMeetingStateSubs: B's subscriptions to A's running meeting fail with NOT_FOUND
// exactly like those to unknown or garbage IDs, and carry nothing of A.
func isoWalkMeetingStateSubs(ctx context.Context, t *testing.T, w *isoWorld) {
	const doc = `subscription($id:ID!){meetingState(meetingId:$id){seq full{participants{id name} locked}}}`
	for _, c := range []isoCaller{w.adminB, w.memberB} {
		sigs := map[string]string{}
		for _, id := range []string{w.runningA, store.NewID(), "../" + w.runningA} {
			ch := isoSubscribeDoc(ctx, t, c.c, c.name, doc, map[string]any{"id": id})
			var m *xtest.WSMessage
			select {
			case m = <-ch:
			case <-time.After(5 * time.Second):
			}
			if m == nil {
				t.Fatalf("meetingState(%s) as %s: no answer", id, c.name)
			}
			isoNoLeakRaw(t, w, "meetingState as "+c.name, m.Payload)
			var errs []xtest.GQLError
			if m.Type == "error" {
				_ = json.Unmarshal(m.Payload, &errs)
			} else {
				var p struct{ Errors []xtest.GQLError }
				_ = json.Unmarshal(m.Payload, &p)
				errs = p.Errors
			}
			if len(errs) != 1 || errs[0].Extensions["code"] != "NOT_FOUND" {
				t.Errorf("meetingState(%s) as %s: %s %s", id, c.name, m.Type, m.Payload)
				continue
			}
			sigs[m.Type+" "+errs[0].Message] = id
		}
		if len(sigs) != 1 {
			t.Errorf("meetingState as %s: A's meeting and unknown IDs answer differently: %v", c.name, sigs)
		}
	}
}
