package graph

import (
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jishitong/jishitong/graph/generated"
	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/directory"
)

// Complexity scores an operation by the work it asks of the server, so that
// MaxComplexity bounds what one request may cost (see "Cost of a request" in
// docs/api.md). A field costs 1 plus its selection, as gqlgen scores by default; a
// list costs its selection once per item it may hold: its page size (first) for a
// paginated list, an estimate for the others; a field that reads the store costs
// what its read costs. Every list field whose items reach the store is batched
// (loaders.go) or paginated, and scored here.
const (
	// listEstimate is the items scored for a list without a page size whose
	// length the data decides (a schedule window, a room's bookings). Its items'
	// store reads are batched, so a longer answer costs memory and bytes, not reads.
	listEstimate = 50
	// smallListEstimate is the items scored for short lists (rooms of a status,
	// invitees of a meeting, deliveries of a meeting, bookings of a room).
	smallListEstimate = 10
	// batchedRead is what a field served by a per-request loader adds: its read
	// is shared with the list's other items.
	batchedRead = 2
	// singleRead is what a field costs that reads the store on its own for each
	// item (a run's log or whiteboard: the run, its meeting and the log or board,
	// each by _id).
	singleRead = 20
	// logEstimate is the entries scored for a meeting log.
	logEstimate = 50
	// blobRead is what a field costs that answers megabytes (a saved whiteboard's
	// scene): a handful per request.
	blobRead = 200
	// maxScore keeps sums far from overflow.
	maxScore = 1 << 30
)

// complexityRoot returns the per-field scores of the schema.
func complexityRoot() generated.ComplexityRoot {
	var c generated.ComplexityRoot

	// Paginated lists: the selection once per item of the page.
	c.Query.Members = func(child int, _ *model.MemberFilter, first *int, _ *string) int { return page(first, child) }
	c.Query.Groups = func(child int, _ *string, first *int, _ *string) int { return page(first, child) }
	c.Query.Enterprises = func(child int, _ *string, first *int, _ *string) int { return page(first, child) }
	c.Group.Members = func(child int, first *int, _ *string) int { return add(batchedRead, page(first, child)) }
	c.Enterprise.Members = func(child int, _ *model.MemberFilter, first *int, _ *string) int {
		return add(batchedRead, page(first, child))
	}
	c.Query.MeetingHistory = func(child int, _, _ *time.Time, _ *string, first *int, _ *string) int {
		return page(first, child)
	}

	// Lists from memory whose items' store reads are batched.
	c.Query.MyMeetings = func(child int, _, _ time.Time) int { return times(listEstimate, child) }
	c.Query.Rooms = func(child int) int { return times(smallListEstimate, child) }
	c.Query.ResourceStatus = func(child int, _, _ time.Time) int { return add(1, child) }
	c.Subscription.ResourceStatusChanged = func(child int, _, _ time.Time) int { return add(1, child) }
	c.ResourceStatus.Rooms = func(child int) int { return times(smallListEstimate, child) }
	c.RoomUsage.Bookings = func(child int) int { return times(smallListEstimate, child) }

	// Fields of a meeting that read the store, batched per request.
	c.Room.Owner = func(child int) int { return add(batchedRead, child) }
	c.Meeting.Host = func(child int) int { return add(batchedRead, child) }
	c.Meeting.Room = func(child int) int { return add(batchedRead, child) }
	c.Meeting.RunInProgress = func(child int) int { return add(batchedRead, child) }
	c.Meeting.Invitees = func(child int) int { return add(batchedRead, child) }
	c.Invitees.Members = func(child int) int { return times(smallListEstimate, child) }
	c.Meeting.Deliveries = func(child int) int { return add(batchedRead, times(smallListEstimate, child)) }
	c.User.Enterprise = func(child int) int { return add(batchedRead, child) }

	// Fields of a run that read the store for each run (by _id): a page of
	// history may carry them up to the page size the score allows.
	c.MeetingRun.Log = func(child int) int { return add(singleRead, times(logEstimate, child)) }
	c.MeetingRun.Whiteboard = func(child int) int { return add(singleRead, child) }
	c.Whiteboard.Scene = func(child int) int { return add(blobRead, child) }
	// A run's chat is one range read of the store; a running meeting's, from memory.
	c.MeetingRun.Chat = func(child int, first, _ *int) int { return add(singleRead, chatScore(first, child)) }
	c.Query.MeetingChat = func(child int, _ string, first, _ *int) int { return chatScore(first, child) }
	return c
}

// complexityOptions are the scoring options besides the per-field functions:
// __typename is free on every type. It costs the server nothing, and the web app's
// GraphQL client adds it to every selection set for its cache (a page of 200 groups
// would otherwise score 400 more than the same page without it).
func complexityOptions(schema *ast.Schema) []complexity.Option {
	free := make(map[string]struct{}, len(schema.Types))
	for name := range schema.Types {
		free[name+".__typename"] = struct{}{}
	}
	return []complexity.Option{complexity.WithIgnoreFields(free)}
}

// page scores a paginated list: its selection once per item of the page asked for
// (the default page when first is missing, the largest when it is out of range:
// the resolver refuses it anyway).
func page(first *int, child int) int {
	n := directory.DefaultPageSize
	if first != nil {
		n = *first
		if n < 1 || n > directory.MaxPageSize {
			n = directory.MaxPageSize
		}
	}
	return add(1, times(n, child))
}

func times(n, child int) int {
	if child > 0 && n > maxScore/child {
		return maxScore
	}
	return n * child
}

func add(a, b int) int { return min(a+b, maxScore) }
