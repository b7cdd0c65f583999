package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/meeting"
)

// RunningMeetings takes members out of every running meeting; *meeting.Registry
// implements it.
type RunningMeetings interface {
	RevokeAccess(ctx context.Context, userIDs []string, why meeting.AccessReason, log *slog.Logger) int
}

// JoinTokens voids members' unused join tokens; *conference.Service implements it.
type JoinTokens interface {
	VoidJoinTokens(ctx context.Context, userIDs []string) (int64, error)
}

// accessWatcher applies the directory's AccessRevoked events to the running meetings
// (the members' participants are removed and their /rtc sessions end with bye
// accountDisabled or roleChanged) and to the join tokens (unused ones are voided), on
// its own goroutine as the events come.
type accessWatcher struct {
	meetings RunningMeetings
	tokens   JoinTokens
	log      *slog.Logger
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// accessBuffer is how many events may wait for the watcher before the bus drops
// them (a dropped event still leaves the accounts refused at /rtc: Confirm).
const accessBuffer = 256

// accessTimeout bounds the work on one event.
const accessTimeout = 10 * time.Second

// startAccessWatcher subscribes to the directory's AccessRevoked events and applies
// them until Close.
func startAccessWatcher(b *bus.Bus, meetings RunningMeetings, tokens JoinTokens, log *slog.Logger) *accessWatcher {
	ctx, cancel := context.WithCancel(context.Background())
	w := &accessWatcher{meetings: meetings, tokens: tokens, log: log, cancel: cancel}
	events := b.Subscribe(ctx, directory.TopicAccessRevoked, accessBuffer)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for ev := range events {
			if e, ok := ev.Payload.(directory.AccessRevoked); ok {
				w.apply(e)
			}
		}
	}()
	return w
}

// apply removes the accounts' participants first, the part people see, then voids
// their tokens. Watcher goroutine.
func (w *accessWatcher) apply(e directory.AccessRevoked) {
	ctx, cancel := context.WithTimeout(context.Background(), accessTimeout)
	defer cancel()
	why := meeting.AccessRoleChanged
	if e.Reason.Disabled() {
		why = meeting.AccessDisabled
	}
	removed := w.meetings.RevokeAccess(ctx, e.UserIDs, why, w.log)
	voided, err := w.tokens.VoidJoinTokens(ctx, e.UserIDs)
	if err != nil {
		w.log.Error("voiding the join tokens of revoked accounts", "reason", e.Reason, "accounts", len(e.UserIDs), "err", err)
	}
	w.log.Info("access revoked", "reason", e.Reason, "accounts", len(e.UserIDs), "enterprise", e.EnterpriseID,
		"participants_removed", removed, "tokens_voided", voided)
}

// Close stops the watcher and returns when its goroutine has exited.
func (w *accessWatcher) Close() {
	w.cancel()
	w.wg.Wait()
}
