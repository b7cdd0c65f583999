package graph

import (
	"context"
	"io"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/notify"
)

// The resolvers reach each domain service through the interface below, declared
// here with only the methods they call, so that a resolver can be tested with a
// struct of func fields standing in for the service. internal/app passes the real
// services.

// Conference is what the resolvers call of the bookings (rooms, meetings, runs,
// resources, history); *conference.Service implements it.
type Conference interface {
	Book(ctx context.Context, p *auth.Principal, in conference.BookingInput) (*conference.Meeting, error)
	BookingDefaults(ctx context.Context, p *auth.Principal, roomID string) (*conference.BookingDefaults, error)
	Cancel(ctx context.Context, p *auth.Principal, id string) error
	CancelOccurrence(ctx context.Context, p *auth.Principal, id string, key time.Time) (*conference.Meeting, error)
	CreateRoom(ctx context.Context, p *auth.Principal, in conference.RoomInput) (*conference.Room, error)
	DeleteRoom(ctx context.Context, p *auth.Principal, id string) error
	Deliveries(ctx context.Context, p *auth.Principal, meetingID string) ([]notify.Delivery, error)
	DeliveriesOf(ctx context.Context, p *auth.Principal, meetingIDs []string) ([][]notify.Delivery, []error)
	Run(ctx context.Context, p *auth.Principal, runID string) (*conference.Run, error)
	History(ctx context.Context, p *auth.Principal, q conference.HistoryQuery, first int, after string) ([]*conference.Run, string, bool, error)
	Invite(ctx context.Context, p *auth.Principal, id string, memberIDs, groupIDs, emails []string) (*conference.Meeting, error)
	Join(ctx context.Context, p *auth.Principal, in conference.JoinInput) (*conference.Joined, error)
	Meeting(ctx context.Context, p *auth.Principal, id string) (*conference.Meeting, error)
	MeetingLog(ctx context.Context, p *auth.Principal, runID string) (*conference.Run, []conference.LogEntry, error)
	MoveOccurrence(ctx context.Context, p *auth.Principal, id string, key, start time.Time, duration time.Duration) (*conference.Meeting, error)
	MyMeetings(ctx context.Context, p *auth.Principal, from, to time.Time) ([]conference.Scheduled, error)
	Notifications(ctx context.Context, p *auth.Principal) (<-chan conference.Notification, error)
	Relaunch(ctx context.Context, p *auth.Principal, id string, start time.Time) (*conference.Meeting, error)
	ResourceStatus(ctx context.Context, p *auth.Principal, from, to time.Time) (*conference.ResourceStatus, error)
	Room(ctx context.Context, p *auth.Principal, id string) (*conference.Room, error)
	Rooms(ctx context.Context, p *auth.Principal) ([]*conference.Room, error)
	RoomsOf(ctx context.Context, p *auth.Principal, ids []string) ([]*conference.Room, []error)
	RunChat(ctx context.Context, p *auth.Principal, runID string, first int, after uint64) ([]conference.ChatMessage, bool, error)
	RunInProgress(ctx context.Context, p *auth.Principal, meetingID string) (*conference.Run, error)
	RunsInProgressOf(ctx context.Context, p *auth.Principal, meetingIDs []string) ([]*conference.Run, []error)
	SplitFrom(ctx context.Context, p *auth.Principal, id string, key time.Time, in conference.BookingInput) (*conference.Meeting, error)
	Start(ctx context.Context, p *auth.Principal, id string) (*conference.Run, error)
	StartInstant(ctx context.Context, p *auth.Principal, in conference.InstantInput) (*conference.Meeting, *conference.Run, error)
	StartableFrom(m *conference.Meeting) *time.Time
	SubscribeResources(ctx context.Context, p *auth.Principal) (<-chan struct{}, error)
	Update(ctx context.Context, p *auth.Principal, id string, in conference.BookingInput) (*conference.Meeting, error)
	UpdateRoom(ctx context.Context, p *auth.Principal, id string, in conference.RoomInput) (*conference.Room, error)
	Whiteboard(ctx context.Context, p *auth.Principal, runID string, withScene bool) (*conference.Whiteboard, error)
}

// Directory is what the resolvers call of the directory (enterprises, members,
// groups, branding); *directory.Service implements it.
type Directory interface {
	AddGroupMembers(ctx context.Context, p *auth.Principal, id string, memberIDs []string) (*directory.Group, error)
	BrandingForHost(ctx context.Context, host string) (*directory.PublicBranding, error)
	ChangePassword(ctx context.Context, p *auth.Principal, current, next string) error
	CreateEnterprise(ctx context.Context, p *auth.Principal, in directory.EnterpriseInput) (*directory.Enterprise, error)
	CreateEnterpriseAdmin(ctx context.Context, p *auth.Principal, enterpriseID string, in directory.MemberInput, password string) (*directory.Member, string, error)
	CreateGroup(ctx context.Context, p *auth.Principal, name string, memberIDs []string) (*directory.Group, error)
	CreateMember(ctx context.Context, p *auth.Principal, in directory.MemberInput, password string) (*directory.Member, string, error)
	DeleteGroup(ctx context.Context, p *auth.Principal, id string) error
	DeleteMember(ctx context.Context, p *auth.Principal, id string) error
	Enterprise(ctx context.Context, p *auth.Principal, id string) (*directory.Enterprise, error)
	Enterprises(ctx context.Context, p *auth.Principal, search string, page directory.PageArgs) (*directory.Page[*directory.Enterprise], error)
	EnterprisesByID(ctx context.Context, p *auth.Principal, ids []string) (map[string]*directory.Enterprise, error)
	Group(ctx context.Context, p *auth.Principal, id string) (*directory.Group, error)
	Groups(ctx context.Context, p *auth.Principal, search string, page directory.PageArgs) (*directory.Page[*directory.Group], error)
	Me(ctx context.Context, p *auth.Principal) (*directory.Member, error)
	Member(ctx context.Context, p *auth.Principal, id string) (*directory.Member, error)
	MemberByID(ctx context.Context, id string) (*directory.Member, error)
	Members(ctx context.Context, p *auth.Principal, q directory.MemberQuery, page directory.PageArgs) (*directory.Page[*directory.Member], error)
	MembersByID(ctx context.Context, p *auth.Principal, ids []string) (map[string]*directory.Member, error)
	MembersOf(ctx context.Context, p *auth.Principal, enterpriseID string, q directory.MemberQuery, page directory.PageArgs) (*directory.Page[*directory.Member], error)
	RemoveGroupMembers(ctx context.Context, p *auth.Principal, id string, memberIDs []string) (*directory.Group, error)
	RemoveLogo(ctx context.Context, p *auth.Principal) (*directory.Enterprise, error)
	RenameGroup(ctx context.Context, p *auth.Principal, id, name string) (*directory.Group, error)
	ResetMemberPassword(ctx context.Context, p *auth.Principal, id string) (string, error)
	SetLanguage(ctx context.Context, p *auth.Principal, id, lang string) (*directory.Member, error)
	SetLogo(ctx context.Context, p *auth.Principal, r io.Reader) (*directory.Enterprise, error)
	SetMemberFrozen(ctx context.Context, p *auth.Principal, id string, frozen bool) (*directory.Member, error)
	Subscribe(ctx context.Context, p *auth.Principal) (<-chan directory.Event, error)
	UpdateBranding(ctx context.Context, p *auth.Principal, patch directory.BrandingPatch) (*directory.Enterprise, error)
	UpdateEnterprise(ctx context.Context, p *auth.Principal, id string, in directory.EnterprisePatch) (*directory.Enterprise, error)
	UpdateMember(ctx context.Context, p *auth.Principal, id string, patch directory.MemberPatch) (*directory.Member, error)
}

// Auth is what the resolvers and the websocket edge call of sessions;
// *auth.Service implements it.
type Auth interface {
	Authenticate(ctx context.Context, token string) (*auth.Principal, time.Time, error)
	Watch(ctx context.Context, p *auth.Principal, expiresAt time.Time) context.Context
	Login(ctx context.Context, a auth.Attempt) (*auth.LoginResult, error)
	Logout(ctx context.Context, sessionID string) error
}

// Importer runs a bulk member import; *directory.Importer implements it.
type Importer interface {
	Import(ctx context.Context, p *auth.Principal, filename string, r io.Reader, dryRun bool) (*directory.ImportResult, error)
}

// The real services implement the interfaces.
var (
	_ Conference = (*conference.Service)(nil)
	_ Directory  = (*directory.Service)(nil)
	_ Auth       = (*auth.Service)(nil)
	_ Importer   = (*directory.Importer)(nil)
)
