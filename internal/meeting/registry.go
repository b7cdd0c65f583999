package meeting

import (
	"context"
	"sync"

	"github.com/jishitong/jishitong/internal/errs"
)

// Registry holds the owner of every run in progress, keyed by run ID: one Owner per run,
// created on first use and closed when the run ends. Safe for concurrent use.
type Registry struct {
	// config returns the configuration of a new meeting of the run; called with the
	// registry's lock released.
	config func(runID string) Config

	mu       sync.Mutex
	closed   bool
	meetings map[string]*Owner
	// ended remembers runs that ended so that a late caller does not revive them.
	ended map[string]struct{}
	// runOf maps a meeting ID to its run in progress, meetingOf the other way (Started).
	runOf     map[string]string
	meetingOf map[string]string
}

// NewRegistry returns an empty registry; config gives each new meeting its
// configuration (RunID is set by the registry).
func NewRegistry(config func(runID string) Config) *Registry {
	return &Registry{config: config, meetings: map[string]*Owner{}, ended: map[string]struct{}{},
		runOf: map[string]string{}, meetingOf: map[string]string{}}
}

// Started records that runID is the run in progress of meetingID (RunOf). Its owner
// still starts on first use (Ensure).
func (r *Registry) Started(meetingID, runID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.ended[runID]; ok || r.closed {
		return
	}
	if old, ok := r.runOf[meetingID]; ok {
		delete(r.meetingOf, old)
	}
	r.runOf[meetingID], r.meetingOf[runID] = runID, meetingID
}

// RunOf returns the run in progress of a meeting, as recorded by Started and End.
func (r *Registry) RunOf(meetingID string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.runOf[meetingID]
	return id, ok
}

// Get returns the owner of a run, or nil when none runs.
func (r *Registry) Get(runID string) *Owner {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.meetings[runID]
}

// Ensure returns the owner of a run in progress, starting it with the registry's
// configuration if needed. A run that ended (or a closed registry) answers ErrEnded.
func (r *Registry) Ensure(runID string) (*Owner, error) { return r.EnsureWith(runID, r.config) }

// EnsureWith is Ensure with config giving a new owner its configuration (nil: the
// zero Config); it is called with the registry's lock released.
func (r *Registry) EnsureWith(runID string, config func(runID string) Config) (*Owner, error) {
	if runID == "" {
		return nil, errs.Invalid("runId", "a run ID is required")
	}
	if m := r.Get(runID); m != nil {
		return m, nil
	}
	cfg := Config{}
	if config != nil {
		cfg = config(runID)
	}
	cfg.RunID = runID
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.ended[runID]; ok || r.closed {
		return nil, ErrEnded
	}
	if m := r.meetings[runID]; m != nil {
		return m, nil
	}
	// The owner lives until End or Close, not until any caller's context.
	m := Start(context.Background(), cfg)
	r.meetings[runID] = m
	return m, nil
}

// End ends a run's meeting for everyone (one ended event reaches its subscribers), and
// closes its owner. A later Ensure of the run answers ErrEnded.
func (r *Registry) End(ctx context.Context, runID string) {
	r.mu.Lock()
	r.ended[runID] = struct{}{}
	m := r.meetings[runID]
	delete(r.meetings, runID)
	if mid, ok := r.meetingOf[runID]; ok {
		delete(r.meetingOf, runID)
		delete(r.runOf, mid)
	}
	r.mu.Unlock()
	if m == nil {
		return
	}
	_ = m.End(ctx, System)
	m.Close()
}

// Close closes every owner and returns when their goroutines have exited.
func (r *Registry) Close() {
	r.mu.Lock()
	r.closed = true
	ms := r.meetings
	r.meetings = map[string]*Owner{}
	r.mu.Unlock()
	for _, m := range ms {
		m.Close()
	}
}
