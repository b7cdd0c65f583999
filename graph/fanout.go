package graph

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sort"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/meeting"
)

// The meetingState subscription is what every participant's room follows, so one
// meeting may have a thousand of them. Executed the ordinary way, each costs a
// forwarding goroutine, its own copy of every update and its own execution of the
// selection (measured: 51 µs of server CPU per delivered event, 6 goroutines per
// subscription, with 1,000 subscribers). The fan-out below serves them instead:
//
//   - one hub per running meeting holds the meeting's only subscription to its owner
//     and applies its updates to a state of its own (for late subscribers);
//   - subscriptions with the same document and variables (sinceSeq aside) form a
//     group, and a group executes its selection once per update: one gqlgen
//     execution per group, fed by the hub, whose response every member gets;
//   - the hub hands each member that response (its variant without a private chat
//     message's text when the member may not read it) on a bounded queue, which the
//     websocket transport's own goroutine for the subscription drains. A member whose
//     queue is full gets a full state instead of what it missed, as the owner's
//     subscribers do, so no one delays the meeting.
//
// Everything else about the operation is the ordinary path's: the document is parsed,
// validated and limited by the executor, and a subscription the caller may not make
// (an unknown meeting, another tenant's, a bad sinceSeq) goes down the ordinary path
// and gets its error there.

// fanQueue bounds the responses waiting for one member.
const fanQueue = 64

// fanHistory is how many recent events a hub keeps for members resuming with
// sinceSeq.
const fanHistory = 256

// feedKey carries a group's feed to the meetingState resolver.
type feedKey struct{}

// stateFanout serves the meetingState subscriptions of the websocket transport.
type stateFanout struct {
	r   *Resolver
	log *slog.Logger

	mu   sync.Mutex
	hubs map[*meeting.Owner]*stateHub
}

func newStateFanout(r *Resolver, log *slog.Logger) *stateFanout {
	return &stateFanout{r: r, log: log, hubs: map[*meeting.Owner]*stateHub{}}
}

// fanoutWebsocket is the websocket transport with meetingState served by the fan-out.
type fanoutWebsocket struct {
	transport.Websocket
	fan *stateFanout
}

// Do implements graphql.Transport.
func (t fanoutWebsocket) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	t.Websocket.Do(w, r, fanoutExecutor{GraphExecutor: exec, fan: t.fan})
}

// fanoutExecutor dispatches meetingState subscriptions to the fan-out and everything
// else to the executor.
type fanoutExecutor struct {
	graphql.GraphExecutor
	fan *stateFanout
}

// DispatchOperation implements graphql.GraphExecutor.
func (e fanoutExecutor) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	if h := e.fan.dispatch(ctx, rc, e.GraphExecutor); h != nil {
		return h, ctx
	}
	return e.GraphExecutor.DispatchOperation(ctx, rc)
}

// dispatch serves rc when it is a meetingState subscription the caller may make, and
// returns nil otherwise.
func (f *stateFanout) dispatch(ctx context.Context, rc *graphql.OperationContext, exec graphql.GraphExecutor) graphql.ResponseHandler {
	if f.r.Meetings == nil || rc.Operation == nil || rc.Operation.Operation != ast.Subscription || len(rc.Operation.SelectionSet) != 1 {
		return nil
	}
	field, ok := rc.Operation.SelectionSet[0].(*ast.Field)
	if !ok || field.Name != "meetingState" || len(field.Directives) > 0 {
		return nil
	}
	args := field.ArgumentMap(rc.Variables)
	meetingID, ok := args["meetingId"].(string)
	if !ok {
		return nil
	}
	var since uint64
	switch v := args["sinceSeq"].(type) {
	case nil:
	case int64:
		if v < 0 {
			return nil
		}
		since = uint64(v)
	case int:
		if v < 0 {
			return nil
		}
		since = uint64(v)
	case json.Number:
		n, err := v.Int64()
		if err != nil || n < 0 {
			return nil
		}
		since = uint64(n)
	default:
		return nil
	}
	owner, actor, err := f.r.attachMeeting(ctx, meetingID)
	if err != nil {
		return nil
	}
	m := &fanMember{ch: make(chan *graphql.Response, fanQueue), viewer: actor}
	key, err := groupKey(rc)
	if err != nil {
		return nil
	}
	for range 2 { // a hub that ended just now is replaced once
		h := f.hub(owner)
		if h == nil {
			return nil
		}
		if h.join(m, key, rc, since, exec) {
			context.AfterFunc(ctx, func() { h.leave(m) })
			return func(ctx context.Context) *graphql.Response {
				select {
				case r, ok := <-m.ch:
					if !ok {
						return nil
					}
					return r
				case <-ctx.Done():
					return nil
				}
			}
		}
	}
	return nil
}

// groupKey identifies the members that get the same response: the same document,
// operation and variables but sinceSeq.
func groupKey(rc *graphql.OperationContext) (string, error) {
	vars := make([]string, 0, len(rc.Variables))
	for k := range rc.Variables {
		vars = append(vars, k)
	}
	sort.Strings(vars)
	kv := make([]any, 0, 2*len(vars))
	for _, k := range vars {
		if k == "sinceSeq" {
			continue
		}
		kv = append(kv, k, rc.Variables[k])
	}
	b, err := json.Marshal(kv)
	if err != nil {
		return "", err
	}
	return rc.OperationName + "\x00" + rc.RawQuery + "\x00" + string(b), nil
}

// hub returns the running hub of a meeting's owner, starting it; nil when the
// meeting has ended.
func (f *stateFanout) hub(owner *meeting.Owner) *stateHub {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h := f.hubs[owner]; h != nil {
		return h
	}
	ctx, cancel := context.WithCancel(context.Background())
	updates, err := owner.Subscribe(ctx, 0)
	if err != nil {
		cancel()
		return nil
	}
	h := &stateHub{f: f, owner: owner, cancel: cancel, reqs: make(chan func()), done: make(chan struct{}),
		groups: map[string]*fanGroup{}, members: map[*fanMember]struct{}{}}
	// The owner queued a full state before Subscribe returned: the hub starts from it,
	// before anyone joins.
	first, ok := <-updates
	if !ok {
		cancel()
		return nil
	}
	h.apply(first)
	f.hubs[owner] = h
	go h.run(ctx, updates)
	return h
}

// fanMember is one subscription served by a hub.
type fanMember struct {
	ch     chan *graphql.Response
	viewer meeting.Actor
	group  *fanGroup
}

// fanGroup is the members sharing one selection, and its execution.
type fanGroup struct {
	feed    chan *model.MeetingStateUpdate
	next    graphql.ResponseHandler
	ctx     context.Context
	cancel  context.CancelFunc
	members int
}

// encode executes the group's selection on u. The response is the group's own copy:
// the executor reuses its buffer for the next one, while members may still hold this.
func (g *fanGroup) encode(u meeting.Update) *graphql.Response {
	g.feed <- meetingStateUpdate(u)
	r := g.next(g.ctx)
	if r == nil {
		return &graphql.Response{Data: json.RawMessage("null")}
	}
	c := *r
	c.Data = append(json.RawMessage(nil), r.Data...)
	return &c
}

// stateHub fans one meeting's updates out to its meetingState subscribers. Its
// fields below reqs belong to the hub goroutine.
type stateHub struct {
	f      *stateFanout
	owner  *meeting.Owner
	cancel context.CancelFunc
	reqs   chan func()
	done   chan struct{}

	state   meeting.State
	recent  []meeting.Event // the last events, oldest first, at most fanHistory
	groups  map[string]*fanGroup
	members map[*fanMember]struct{}
}

// do runs f on the hub goroutine; false when the hub has ended.
func (h *stateHub) do(f func()) bool {
	ran := make(chan struct{})
	select {
	case h.reqs <- func() { f(); close(ran) }:
		<-ran
		return true
	case <-h.done:
		return false
	}
}

// join adds m with its group, and queues its first updates: the events after since
// when the hub still holds them, else a full state.
func (h *stateHub) join(m *fanMember, key string, rc *graphql.OperationContext, since uint64, exec graphql.GraphExecutor) bool {
	return h.do(func() {
		g := h.groups[key]
		if g == nil {
			g = &fanGroup{feed: make(chan *model.MeetingStateUpdate, 1)}
			var ctx context.Context
			ctx, g.cancel = context.WithCancel(context.WithValue(context.Background(), feedKey{}, (<-chan *model.MeetingStateUpdate)(g.feed)))
			g.next, g.ctx = exec.DispatchOperation(ctx, rc)
			h.groups[key] = g
		}
		g.members++
		m.group = g
		h.members[m] = struct{}{}
		if evs, ok := h.since(since); ok && len(evs) < fanQueue {
			for i := range evs {
				m.ch <- h.response(m, meeting.Update{Event: &evs[i]}, nil)
			}
			return
		}
		full := h.state.Clone()
		m.ch <- g.encode(meeting.Update{Full: &full})
	})
}

// leave removes m; its group goes with its last member.
func (h *stateHub) leave(m *fanMember) {
	h.do(func() { h.remove(m) })
}

// remove takes m out. Hub goroutine.
func (h *stateHub) remove(m *fanMember) {
	if _, ok := h.members[m]; !ok {
		return
	}
	delete(h.members, m)
	if m.group.members--; m.group.members == 0 {
		m.group.cancel()
		for k, g := range h.groups {
			if g == m.group {
				delete(h.groups, k)
			}
		}
	}
}

// drop empties a member's queue. Hub goroutine (the only sender).
func drop(ch chan *graphql.Response) {
	for len(ch) > 0 {
		select {
		case <-ch:
		default:
		}
	}
}

// removes reports whether u takes viewer, a guest, off the roster.
func removes(u meeting.Update, viewer meeting.Actor) bool {
	if u.Event == nil || viewer.UserID != "" || viewer.ParticipantID == "" {
		return false
	}
	d, ok := u.Event.Delta.(meeting.RemovedDelta)
	return ok && d.ID == viewer.ParticipantID
}

// since returns the events after seq when the hub holds all of them (none when seq
// is the hub's own); ok is false for seq 0 and for gaps.
func (h *stateHub) since(seq uint64) ([]meeting.Event, bool) {
	switch {
	case seq == 0 || seq > h.state.Seq:
		return nil, false
	case seq == h.state.Seq:
		return nil, true
	case len(h.recent) == 0 || h.recent[0].Seq > seq+1:
		return nil, false
	}
	return h.recent[seq+1-h.recent[0].Seq:], true
}

// response is u as m's group encodes it for m: a private chat message m may not read
// comes without its text. cache holds the round's encodings per group and variant.
func (h *stateHub) response(m *fanMember, u meeting.Update, cache map[fanVariant]*graphql.Response) *graphql.Response {
	v := fanVariant{g: m.group}
	if e := u.Event; e != nil {
		if d, ok := e.Delta.(meeting.ChatDelta); ok && !visibleTo(m.viewer, d.Message) {
			v.hidden = true
			u = meeting.Update{Event: e.Hidden()}
		}
	}
	if r := cache[v]; r != nil {
		return r
	}
	r := m.group.encode(u)
	if cache != nil {
		cache[v] = r
	}
	return r
}

// fanVariant is one encoding of an update: a group's, hidden or not.
type fanVariant struct {
	g      *fanGroup
	hidden bool
}

// run applies the owner's updates and fans them out until the meeting ends.
func (h *stateHub) run(ctx context.Context, updates <-chan meeting.Update) {
	defer func() {
		h.f.mu.Lock()
		if h.f.hubs[h.owner] == h {
			delete(h.f.hubs, h.owner)
		}
		h.f.mu.Unlock()
		close(h.done)
		for m := range h.members {
			close(m.ch)
		}
		for _, g := range h.groups {
			g.cancel()
		}
		h.cancel()
	}()
	for {
		select {
		case f := <-h.reqs:
			f()
		case u, ok := <-updates:
			if !ok {
				return
			}
			h.apply(u)
		case <-ctx.Done():
			return
		}
	}
}

// apply brings the hub's state to u and hands u to every member.
func (h *stateHub) apply(u meeting.Update) {
	if u.Full != nil {
		h.state, h.recent = u.Full.Clone(), h.recent[:0]
	} else {
		if err := h.state.Apply(*u.Event); err != nil {
			h.f.log.Error("meetingState fan-out: applying an event", "seq", u.Event.Seq, "err", err)
		}
		if len(h.recent) == fanHistory {
			h.recent = append(h.recent[:0], h.recent[1:]...)
		}
		h.recent = append(h.recent, *u.Event)
	}
	cache := make(map[fanVariant]*graphql.Response, 2*len(h.groups))
	var fulls map[*fanGroup]*graphql.Response
	for m := range h.members { // removing the current key while ranging is allowed
		r := h.response(m, u, cache)
		if removes(u, m.viewer) {
			// A guest follows the meeting only while on its roster: this event is
			// their last.
			drop(m.ch)
			m.ch <- r
			h.remove(m)
			close(m.ch)
			continue
		}
		select {
		case m.ch <- r:
			continue
		default:
		}
		// The member fell behind: what it missed is replaced by a full state.
		drop(m.ch)
		if fulls == nil {
			fulls = map[*fanGroup]*graphql.Response{}
		}
		if fulls[m.group] == nil {
			full := h.state.Clone()
			fulls[m.group] = m.group.encode(meeting.Update{Full: &full})
		}
		m.ch <- fulls[m.group]
	}
}
