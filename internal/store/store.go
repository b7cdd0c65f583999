// Package store opens the MongoDB-compatible database every plane persists to: an
// embedded FerretDB (SQLite backend) by default, or a real MongoDB given by URI.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Config is the store's slice of the server configuration.
type Config struct {
	// MongoURI selects a real MongoDB; empty means the embedded store.
	MongoURI string
	// DataDir holds the embedded store's files under DataDir/db.
	DataDir string
	// Database is the database name; default "jishitong".
	Database string
}

// Store holds the database handles. Writes go through W and reads through R: with the
// embedded store W is a single-connection client, because FerretDB v1's SQLite handler
// does not make a guarded update atomic against one on another connection (see
// docs/architecture.md); with MongoDB both are the same pooled client.
type Store struct {
	// R is for reads.
	R *mongo.Database
	// W is for every write, including find-and-modify.
	W *mongo.Database
	// Embedded tells whether the embedded FerretDB is in use.
	Embedded bool
	// URI is the MongoDB URI in use: the embedded store's loopback address, or
	// --mongo-uri. Another process may share the embedded store through it (tests
	// run two server instances this way).
	URI string

	readClient  *mongo.Client
	writeClient *mongo.Client
	ferret      *embedded
	log         *slog.Logger
	commands    atomic.Int64 // commands sent on either client, for Commands
}

// Commands returns how many commands (round trips: find, getMore, insert, …) the
// store has sent since Open, on the read and the write client together. Tests count
// a request's round trips with it.
func (s *Store) Commands() int64 { return s.commands.Load() }

// Open connects to the configured database (starting the embedded one when no URI is
// given), checks it answers and creates the indexes.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	if cfg.Database == "" {
		cfg.Database = "jishitong"
	}
	s := &Store{log: log}
	uri := cfg.MongoURI
	if uri == "" {
		dir := filepath.Join(cfg.DataDir, "db")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create %s: %w", dir, err)
		}
		f, err := startEmbedded(dir, log)
		if err != nil {
			return nil, err
		}
		s.ferret = f
		s.Embedded = true
		uri = f.uri
	}

	monitor := &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) { s.commands.Add(1) }}
	base := options.Client().ApplyURI(uri).
		SetAppName("jishitong").
		SetMonitor(monitor).
		SetServerSelectionTimeout(10 * time.Second).
		SetConnectTimeout(10 * time.Second)
	if s.Embedded {
		// FerretDB speaks to one local process; retryable writes need sessions it
		// does not fully support.
		base.SetRetryWrites(false).SetDirect(true)
	}
	rc, err := mongo.Connect(base)
	if err != nil {
		s.Close(ctx)
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s.readClient = rc
	s.writeClient = rc
	if s.Embedded {
		wopts := options.Client().ApplyURI(uri).SetAppName("jishitong-w").SetMonitor(monitor).
			SetMaxPoolSize(1).SetRetryWrites(false).SetDirect(true).
			SetServerSelectionTimeout(10 * time.Second)
		wc, err := mongo.Connect(wopts)
		if err != nil {
			s.Close(ctx)
			return nil, fmt.Errorf("store: connect writer: %w", err)
		}
		s.writeClient = wc
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := rc.Ping(pctx, readpref.Primary()); err != nil {
		s.Close(ctx)
		return nil, fmt.Errorf("store: ping: %w", err)
	}
	s.URI = uri
	s.R = rc.Database(cfg.Database)
	s.W = s.writeClient.Database(cfg.Database)
	return s, nil
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.readClient.Ping(ctx, readpref.Primary())
}

// Close disconnects the clients and stops the embedded database, returning when it has
// stopped.
func (s *Store) Close(ctx context.Context) error {
	var errs []error
	if s.writeClient != nil && s.writeClient != s.readClient {
		errs = append(errs, s.writeClient.Disconnect(ctx))
	}
	if s.readClient != nil {
		errs = append(errs, s.readClient.Disconnect(ctx))
	}
	if s.ferret != nil {
		s.ferret.stop()
	}
	return errors.Join(errs...)
}

// IsDuplicateKey reports whether err is a unique-index violation (E11000).
func IsDuplicateKey(err error) bool {
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	// FerretDB v1's SQLite backend reports a violation by an update as an
	// InternalError carrying SQLite's message instead of E11000.
	var se mongo.ServerError
	return errors.As(err, &se) && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// EnsureIndexes creates the indexes of one collection. Creating an index that exists
// with the same options is a no-op, so this runs at every start. Indexes are created
// one by one: FerretDB v1.24 crashes the connection when one createIndexes command
// names several indexes that all exist already.
func (s *Store) EnsureIndexes(ctx context.Context, collection string, models ...mongo.IndexModel) error {
	if err := s.W.CreateCollection(ctx, collection); err != nil && !isNamespaceExists(err) {
		return fmt.Errorf("store: create collection %s: %w", collection, err)
	}
	for _, m := range models {
		if _, err := s.W.Collection(collection).Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("store: indexes of %s: %w", collection, err)
		}
	}
	if s.ferret != nil {
		return s.ferret.indexID(ctx, s.W.Name(), collection)
	}
	return nil
}

// isNamespaceExists reports whether err says the collection exists already (48).
func isNamespaceExists(err error) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(48)
}
