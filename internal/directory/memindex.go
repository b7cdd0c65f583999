package directory

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/errs"
)

// memberIndex keeps each enterprise's member list in memory for listing, search and
// membership checks. The embedded store reads a whole collection for any filter but
// _id (measured: 1-2 s per search with 10,000 members), so lists are served from
// memory instead, on every backend alike.
//
// Coherence rests on the store, not on this process: every directory write bumps
// the enterprise's dirVersion after writing, and a reader reads dirVersion before
// using or loading a snapshot. A snapshot is reused only while the version is
// unchanged, so a write by another process is seen by the next read here.
type memberIndex struct {
	mu    sync.Mutex
	snaps map[string]*memberSnapshot // by enterprise ID
	order []string                   // least recently loaded first, for eviction
	max   int
}

// memberSnapshot is one enterprise's members (not deleted) sorted by (sortKey, ID):
// by name as nameSortKey orders names. The keys are computed when a snapshot is
// loaded, so a page read is a binary search as before.
type memberSnapshot struct {
	version int64
	members []*Member
}

const maxSnapshots = 256

// touch records that enterpriseID's directory changed. Called by every write, after
// the write.
func (s *Service) touch(ctx context.Context, enterpriseID string) error {
	if enterpriseID == "" {
		return nil
	}
	if _, err := s.st.W.Collection(enterprisesColl).UpdateByID(ctx, enterpriseID, bson.M{"$inc": bson.M{"dirVersion": 1}}); err != nil {
		return dbErr("mark directory changed", err)
	}
	return nil
}

// snapshot returns the current members of enterpriseID, loading them when the stored
// version differs from the cached one. The returned slice must not be modified.
func (s *Service) snapshot(ctx context.Context, enterpriseID string) ([]*Member, error) {
	var e struct {
		Version int64 `bson:"dirVersion"`
	}
	err := s.st.R.Collection(enterprisesColl).FindOne(ctx, bson.M{"_id": enterpriseID},
		options.FindOne().SetProjection(bson.M{"dirVersion": 1})).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.NotFound("enterprise")
	}
	if err != nil {
		return nil, dbErr("read directory version", err)
	}
	ix := &s.members
	ix.mu.Lock()
	snap := ix.snaps[enterpriseID]
	ix.mu.Unlock()
	if snap != nil && snap.version == e.Version {
		return snap.members, nil
	}
	var ms []*Member
	err = s.forEachUser(ctx, bson.M{"enterpriseId": enterpriseID}, func(m *Member) {
		if m.Status == StatusActive || m.Status == StatusFrozen {
			m.PasswordHash = ""
			m.sortKey = nameSortKey(m.Name)
			ms = append(ms, m)
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ms, compareMembers)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.snaps == nil {
		ix.snaps = map[string]*memberSnapshot{}
	}
	if old := ix.snaps[enterpriseID]; old == nil || old.version <= e.Version {
		if old == nil {
			ix.order = append(ix.order, enterpriseID)
			if len(ix.order) > maxSnapshots {
				delete(ix.snaps, ix.order[0])
				ix.order = ix.order[1:]
			}
		}
		ix.snaps[enterpriseID] = &memberSnapshot{version: e.Version, members: ms}
	}
	return ms, nil
}

func compareMembers(a, b *Member) int {
	if c := strings.Compare(a.sortKey, b.sortKey); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// pageOf returns one page of members already filtered and sorted.
func pageOf(ms []*Member, page PageArgs) (*Page[*Member], error) {
	limit, err := page.limit()
	if err != nil {
		return nil, err
	}
	start := 0
	if page.After != "" {
		c, err := decodeCursor(page.After)
		if err != nil {
			return nil, err
		}
		start, _ = slices.BinarySearchFunc(ms, c, func(m *Member, c cursor) int {
			if r := strings.Compare(m.sortKey, c.K); r != 0 {
				return r
			}
			return strings.Compare(m.ID, c.ID)
		})
		if start < len(ms) && ms[start].sortKey == c.K && ms[start].ID == c.ID {
			start++
		}
	}
	end := min(start+limit, len(ms))
	out := &Page[*Member]{TotalCount: len(ms), HasNextPage: end < len(ms), Items: ms[start:end]}
	out.Cursors = make([]string, len(out.Items))
	for i, m := range out.Items {
		out.Cursors[i] = encodeCursor(m.sortKey, m.ID)
	}
	return out, nil
}
