package conference

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/store"
)

// commandLog records the commands a client sends to the store, as
// "<command> <collection>".
type commandLog struct {
	mu   sync.Mutex
	cmds []string
}

func (l *commandLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.cmds
	l.cmds = nil
	return out
}

// TestJoinRefusalsDoTheSameWork: an unknown meeting number and a wrong password run
// the same store commands, so that their time does not tell them apart.
func TestJoinRefusalsDoTheSameWork(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	real, err := store.Open(ctx, store.Config{DataDir: t.TempDir()}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { real.Close(context.Background()) })
	// The service talks to the real store through a client that logs its commands.
	cl := &commandLog{}
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
		cl.mu.Lock()
		cl.cmds = append(cl.cmds, e.CommandName+" "+coll)
		cl.mu.Unlock()
	}}
	c, err := mongo.Connect(options.Client().ApplyURI(real.URI).SetDirect(true).SetRetryWrites(false).SetMonitor(mon))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(context.Background()) })
	db := c.Database("jishitong")
	st := &store.Store{R: db, W: db, Embedded: true, URI: real.URI}
	b := bus.New(log)
	s, err := New(ctx, Config{}, st, nil, nil, b, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)

	m := Meeting{ID: store.NewID(), Number: "123456789", EnterpriseID: "e1", HostID: "h1", Name: "周会", Password: "654321",
		Start: time.Now().Add(time.Hour).UTC(), DurationSec: 3600, TimeZone: "Asia/Shanghai", Participants: 5, Status: StatusActive}
	if _, err := db.Collection(meetingsColl).InsertOne(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection(numbersColl).InsertOne(ctx, bson.M{"_id": m.Number, "kind": "meeting", "refId": m.ID}); err != nil {
		t.Fatal(err)
	}
	cl.take()

	join := func(number, source string) []string {
		t.Helper()
		_, err := s.Join(ctx, nil, JoinInput{Number: number, Password: "000000", DisplayName: "x", Source: source})
		if err == nil || err.Error() != errWrongNumberOrPassword().Error() {
			t.Fatalf("join %s: %v", number, err)
		}
		return cl.take()
	}
	wrong := join(m.Number, "192.0.2.1")
	unknown := join("987654321", "192.0.2.2")
	t.Logf("wrong password: %q; unknown number: %q", wrong, unknown)
	if len(wrong) == 0 || !slices.Equal(wrong, unknown) {
		t.Fatalf("wrong password ran %q, unknown number %q", wrong, unknown)
	}
}
