package conference

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
)

// historyColl indexes ended runs per enterprise and month of their start:
// {_id: "<enterpriseID>|2026-11", runs: [summary...]}. History reads the buckets of
// the asked months by _id (the embedded store indexes nothing else) and then only
// the runs of the page, instead of every run ever held.
const historyColl = "history_index"

// runSummary is what history filters on.
type runSummary struct {
	ID        string    `bson:"id"`
	MeetingID string    `bson:"meetingId"`
	HostID    string    `bson:"hostId"`
	StartedAt time.Time `bson:"startedAt"`
	Search    string    `bson:"search"`
}

// maxHistoryMonths bounds how many months one history query reads.
const maxHistoryMonths = 120

func historyBucket(enterpriseID string, t time.Time) string {
	return enterpriseID + "|" + t.UTC().Format("2006-01")
}

// indexEnded adds an ended run to its month's history bucket.
func (s *Service) indexEnded(ctx context.Context, r *Run) error {
	sum := runSummary{ID: r.ID, MeetingID: r.MeetingID, HostID: r.HostID, StartedAt: r.StartedAt, Search: r.Search}
	_, err := s.st.W.Collection(historyColl).UpdateByID(ctx, historyBucket(r.EnterpriseID, r.StartedAt),
		bson.M{"$push": bson.M{"runs": sum}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("conference: index history: %w", err)
	}
	return nil
}

// HistoryQuery filters meetingHistory.
type HistoryQuery struct {
	// From and To bound the start of ended runs, [From, To). Zero From means 24
	// months before To; zero To means now.
	From, To time.Time
	Search   string
}

// History lists the caller's enterprise's ended meetings, newest first: all of them
// for admins, those they hosted or were invited to for members.
func (s *Service) History(ctx context.Context, p *auth.Principal, q HistoryQuery, first int, after string) ([]*Run, string, bool, error) {
	if err := requireMember(p); err != nil {
		return nil, "", false, err
	}
	if first <= 0 || first > 200 {
		first = 50
	}
	search := strings.ToLower(strings.TrimSpace(q.Search))
	if len(search) > 100 {
		return nil, "", false, errs.Invalid("search", "search is at most 100 characters")
	}
	to := q.To
	if to.IsZero() {
		to = time.Now().Add(time.Minute)
	}
	from := q.From
	if from.IsZero() {
		from = to.AddDate(0, -24, 0)
	}
	if !to.After(from) {
		if !q.To.IsZero() {
			return nil, "", false, errs.Invalid("to", "the range must end after it starts")
		}
		return nil, "", false, nil // only meetings of the future were asked for
	}
	var sums []runSummary
	month := time.Date(to.UTC().Year(), to.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < maxHistoryMonths && !month.Before(time.Date(from.UTC().Year(), from.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)); i++ {
		var b struct {
			Runs []runSummary `bson:"runs"`
		}
		err := s.st.R.Collection(historyColl).FindOne(ctx, bson.M{"_id": historyBucket(p.EnterpriseID, month)}).Decode(&b)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, "", false, fmt.Errorf("conference: read history: %w", err)
		}
		for _, r := range b.Runs {
			if !r.StartedAt.Before(from) && r.StartedAt.Before(to) && (search == "" || strings.Contains(r.Search, search)) {
				sums = append(sums, r)
			}
		}
		month = month.AddDate(0, -1, 0)
	}
	visible := map[string]bool{}
	out := sums[:0]
	for _, r := range sums {
		if p.Role != auth.RoleEnterpriseAdmin && r.HostID != p.UserID {
			ok, seen := visible[r.MeetingID]
			if !seen {
				m, err := s.loadMeeting(ctx, r.MeetingID)
				ok = err == nil && canSee(p, m)
				visible[r.MeetingID] = ok
			}
			if !ok {
				continue
			}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b runSummary) int {
		if c := b.StartedAt.Compare(a.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	start := 0
	if after != "" {
		start = slices.IndexFunc(out, func(r runSummary) bool { return r.ID == after }) + 1
		if start == 0 {
			return nil, "", false, errs.Invalid("after", "invalid cursor")
		}
	}
	end := min(start+first, len(out))
	page := make([]*Run, 0, end-start)
	for _, sum := range out[start:end] {
		r, err := s.run(ctx, sum.ID)
		if err != nil {
			return nil, "", false, err
		}
		page = append(page, r)
	}
	next := ""
	if len(page) > 0 {
		next = page[len(page)-1].ID
	}
	return page, next, end < len(out), nil
}
