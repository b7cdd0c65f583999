package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// embedded is the in-process FerretDB with its SQLite backend.
type embedded struct {
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

func startEmbedded(dir string, log *slog.Logger) (*embedded, error) {
	// FerretDB logs every connection at info and every refused command (such as the
	// driver's endSessions, which it lacks) at warn; keep only its errors.
	flog := slog.New(levelFilter{h: log.Handler(), min: slog.LevelError}).With("component", "ferretdb")
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    flog,
	})
	if err != nil {
		return nil, fmt.Errorf("store: embedded ferretdb: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &embedded{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		if err := f.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("embedded store stopped", "err", err)
		}
	}()
	e.uri = f.MongoDBURI()
	return e, nil
}

// stop shuts FerretDB down and waits for it, at most 10 seconds.
func (e *embedded) stop() {
	e.cancel()
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
	}
}

// levelFilter drops records below min.
type levelFilter struct {
	h   slog.Handler
	min slog.Level
}

func (l levelFilter) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.min && l.h.Enabled(ctx, lv)
}
func (l levelFilter) Handle(ctx context.Context, r slog.Record) error { return l.h.Handle(ctx, r) }
func (l levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{h: l.h.WithAttrs(a), min: l.min}
}
func (l levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{h: l.h.WithGroup(n), min: l.min}
}
