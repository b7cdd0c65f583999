package graph

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/notify"
)

// loaders batch and cache lookups for the length of one operation, so that a list of
// items asking each for a related object costs one domain call (and a fixed number
// of store reads), not one per item. Every field of a list item that reaches the
// store goes through one of them, or has a cost per item in complexity.go (see
// "Cost of a request" in docs/api.md).
type loaders struct {
	enterprise    *dataloadgen.Loader[string, *directory.Enterprise]
	member        *listLoader[*directory.Member]
	room          *listLoader[*conference.Room]
	deliveries    *listLoader[[]notify.Delivery]
	runInProgress *listLoader[*conference.Run]
}

type loadersKey struct{}

// loaderWait is how long a loader collects keys before it calls the domain.
const loaderWait = time.Millisecond

// withLoaders gives each HTTP request fresh loaders that act as the request's
// caller. A websocket connection lives for hours and its cache would go stale: its
// operations get loaders of their own instead (loadersOf).
func withLoaders(r *Resolver, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, req)
			return
		}
		next.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), loadersKey{}, r.newLoaders())))
	})
}

func (r *Resolver) newLoaders() *loaders {
	return &loaders{
		enterprise: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*directory.Enterprise, error) {
			return r.Directory.EnterprisesByID(ctx, caller(ctx), ids)
		}, dataloadgen.WithWait(loaderWait)),
		member: newListLoader(func(ctx context.Context, ids []string) ([]*directory.Member, []error) {
			out, errOut := make([]*directory.Member, len(ids)), make([]error, len(ids))
			byID, err := r.Directory.MembersByID(ctx, caller(ctx), ids)
			for i, id := range ids {
				if out[i] = byID[id]; err != nil {
					errOut[i] = err
				} else if out[i] == nil {
					errOut[i] = errs.NotFound("member")
				}
			}
			return out, errOut
		}),
		room: newListLoader(func(ctx context.Context, ids []string) ([]*conference.Room, []error) {
			return r.Conference.RoomsOf(ctx, caller(ctx), ids)
		}),
		deliveries: newListLoader(func(ctx context.Context, ids []string) ([][]notify.Delivery, []error) {
			return r.Conference.DeliveriesOf(ctx, caller(ctx), ids)
		}),
		runInProgress: newListLoader(func(ctx context.Context, ids []string) ([]*conference.Run, []error) {
			return r.Conference.RunsInProgressOf(ctx, caller(ctx), ids)
		}),
	}
}

// listedBookings announces the meetings booked in the rooms of st.
func (r *Resolver) listedBookings(ctx context.Context, st *conference.ResourceStatus) {
	for _, u := range st.Rooms {
		for _, b := range u.Bookings {
			r.listed(ctx, b.Meeting)
		}
	}
}

// listed announces the meetings a list resolver returns, so that the first of
// them to ask for its room, host, invitees, invitation status or run in progress loads
// them for all.
func (r *Resolver) listed(ctx context.Context, ms ...*conference.Meeting) {
	l := r.loadersOf(ctx)
	if l == nil {
		return
	}
	var ids, rooms, members []string
	for _, m := range ms {
		ids = append(ids, m.ID)
		rooms = append(rooms, m.RoomID)
		members = append(members, m.HostID)
		members = append(members, m.Invitees.MemberIDs...)
	}
	l.deliveries.expect(ids...)
	l.runInProgress.expect(ids...)
	l.room.expect(rooms...)
	l.member.expect(members...)
}

// loadersOf returns the request's loaders: those withLoaders gave an HTTP request,
// else those of the operation (a websocket operation, which has no request of its
// own). Nil outside an operation.
func (r *Resolver) loadersOf(ctx context.Context) *loaders {
	if l, _ := ctx.Value(loadersKey{}).(*loaders); l != nil {
		return l
	}
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	return r.opLoaders.of(graphql.GetOperationContext(ctx), r.newLoaders, false)
}

// renewLoaders gives the websocket operation of ctx fresh loaders, so that the
// next event of a subscription reads what is current rather than the previous
// event's cache.
func (r *Resolver) renewLoaders(ctx context.Context) {
	if ctx.Value(loadersKey{}) == nil && graphql.HasOperationContext(ctx) {
		r.opLoaders.of(graphql.GetOperationContext(ctx), r.newLoaders, true)
	}
}

// operationLoaders holds the loaders of websocket operations by operation. An
// entry does not keep its operation alive and goes when the operation is
// collected.
type operationLoaders struct {
	m sync.Map // weak.Pointer[graphql.OperationContext] -> *loaders
}

func (o *operationLoaders) of(oc *graphql.OperationContext, fresh func() *loaders, renew bool) *loaders {
	k := weak.Make(oc)
	if !renew {
		if l, ok := o.m.Load(k); ok {
			return l.(*loaders)
		}
	}
	l := fresh()
	var got any = l
	var existed bool
	if renew {
		_, existed = o.m.Swap(k, l)
	} else {
		got, existed = o.m.LoadOrStore(k, l)
	}
	if !existed {
		runtime.AddCleanup(oc, func(k weak.Pointer[graphql.OperationContext]) { o.m.Delete(k) }, k)
	}
	return got.(*loaders)
}

// loadEnterprise returns the enterprise with id through the request's loader.
func (r *Resolver) loadEnterprise(ctx context.Context, id string) (*directory.Enterprise, error) {
	l := r.loadersOf(ctx)
	if l == nil {
		return r.Directory.Enterprise(ctx, caller(ctx), id)
	}
	e, err := l.enterprise.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, errs.NotFound("enterprise")
	}
	return e, err
}

// loadMembers returns the members of the caller's enterprise among ids, in the
// order of ids, leaving out IDs of no such member.
func (r *Resolver) loadMembers(ctx context.Context, ids []string) ([]*directory.Member, error) {
	out := make([]*directory.Member, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var byID map[string]*directory.Member
	if l := r.loadersOf(ctx); l != nil {
		l.member.expect(ids...)
		byID = make(map[string]*directory.Member, len(ids))
		for _, id := range ids {
			m, err := l.member.load(ctx, id)
			if err != nil && errs.KindOf(err) != errs.KindNotFound {
				return nil, err
			}
			if m != nil {
				byID[id] = m
			}
		}
	} else {
		var err error
		if byID, err = r.Directory.MembersByID(ctx, caller(ctx), ids); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		if m := byID[id]; m != nil {
			out = append(out, m)
		}
	}
	return out, nil
}

// loadRoom returns the room with id through the request's loader.
func (r *Resolver) loadRoom(ctx context.Context, id string) (*conference.Room, error) {
	if l := r.loadersOf(ctx); l != nil {
		return l.room.load(ctx, id)
	}
	return r.Conference.Room(ctx, caller(ctx), id)
}

// loadDeliveries returns a meeting's invitation deliveries through the request's
// loader.
func (r *Resolver) loadDeliveries(ctx context.Context, meetingID string) ([]notify.Delivery, error) {
	if l := r.loadersOf(ctx); l != nil {
		return l.deliveries.load(ctx, meetingID)
	}
	return r.Conference.Deliveries(ctx, caller(ctx), meetingID)
}

// loadRunInProgress returns a meeting's run in progress, nil when none is, through the
// request's loader.
func (r *Resolver) loadRunInProgress(ctx context.Context, meetingID string) (*conference.Run, error) {
	var run *conference.Run
	var err error
	if l := r.loadersOf(ctx); l != nil {
		run, err = l.runInProgress.load(ctx, meetingID)
	} else {
		run, err = r.Conference.RunInProgress(ctx, caller(ctx), meetingID)
	}
	if errs.KindOf(err) == errs.KindNotFound {
		return nil, nil
	}
	return run, err
}
