package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// open opens the embedded store in a temp folder, or the MongoDB of
// JISHITONG_TEST_MONGO_URI in a database of its own.
func open(t *testing.T, dir string) *Store {
	t.Helper()
	cfg := Config{DataDir: dir}
	if uri := os.Getenv("JISHITONG_TEST_MONGO_URI"); uri != "" {
		cfg.MongoURI = uri
		cfg.Database = fmt.Sprintf("jst_store_%d", time.Now().UnixNano())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cfg.MongoURI != "" {
			s.W.Drop(context.Background())
		}
		s.Close(context.Background())
	})
	return s
}

// TestGuardedUpdatesAreExact races guarded increments through the writer: a
// capacity-style invariant ("at most 10") must hold exactly on every backend.
func TestGuardedUpdatesAreExact(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := context.Background()
	c := s.W.Collection("counters")
	if _, err := c.InsertOne(ctx, bson.M{"_id": "room", "used": 0}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	modified := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.UpdateOne(ctx, bson.M{"_id": "room", "used": bson.M{"$lt": 10}}, bson.M{"$inc": bson.M{"used": 1}})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			modified += int(r.ModifiedCount)
			mu.Unlock()
		}()
	}
	wg.Wait()
	var doc struct{ Used int }
	if err := s.R.Collection("counters").FindOne(ctx, bson.M{"_id": "room"}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if modified != 10 || doc.Used != 10 {
		t.Fatalf("modified %d, used %d; want exactly 10 and 10", modified, doc.Used)
	}
}

func TestUniqueIndexAndReopen(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ctx := context.Background()
	idx := mongo.IndexModel{Keys: bson.D{{Key: "key", Value: 1}}, Options: options.Index().SetUnique(true)}
	other := mongo.IndexModel{Keys: bson.D{{Key: "a", Value: 1}, {Key: "_id", Value: 1}}}
	if err := s.EnsureIndexes(ctx, "things", idx, other); err != nil {
		t.Fatal(err)
	}
	// Idempotent.
	if err := s.EnsureIndexes(ctx, "things", idx, other); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, dup := 0, 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.W.Collection("things").InsertOne(ctx, bson.M{"_id": NewID(), "key": "same", "n": i})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case IsDuplicateKey(err):
				dup++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || dup != 19 {
		t.Fatalf("ok %d dup %d; want 1 and 19", ok, dup)
	}
	if os.Getenv("JISHITONG_TEST_MONGO_URI") != "" {
		return
	}
	// The embedded store keeps data and indexes across a restart.
	s.Close(ctx)
	s2 := open(t, dir)
	if err := s2.EnsureIndexes(ctx, "things", idx, other); err != nil {
		t.Fatal(err)
	}
	n, err := s2.R.Collection("things").CountDocuments(ctx, bson.M{"key": "same"})
	if err != nil || n != 1 {
		t.Fatalf("after reopen: %d documents, %v", n, err)
	}
	if _, err := s2.W.Collection("things").InsertOne(ctx, bson.M{"_id": NewID(), "key": "same"}); !IsDuplicateKey(err) {
		t.Fatalf("unique index lost across restart: %v", err)
	}
}

func TestValidID(t *testing.T) {
	for s, want := range map[string]bool{NewID(): true, "": false, "zz": false, "6b07fc91a9a75cf5f61856c5": true, "6b07fc91a9a75cf5f61856c": false} {
		if ValidID(s) != want {
			t.Errorf("ValidID(%q) = %v", s, !want)
		}
	}
}

// TestIDLookupsUseAnIndex checks that FerretDB's _id lookups are answered from an
// index on the embedded store (see embedded.indexID).
func TestIDLookupsUseAnIndex(t *testing.T) {
	if os.Getenv("JISHITONG_TEST_MONGO_URI") != "" {
		t.Skip("embedded store only")
	}
	s := open(t, t.TempDir())
	ctx := context.Background()
	if err := s.EnsureIndexes(ctx, "people"); err != nil {
		t.Fatal(err)
	}
	db, err := s.ferret.sqlite(s.W.Name())
	if err != nil {
		t.Fatal(err)
	}
	var table string
	if err := db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = 'people'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	// The statement FerretDB v1.24 runs for FindOne({_id: x}).
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ? LIMIT 1`, table), `"x"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "\n"
	}
	if !strings.Contains(plan, "USING INDEX") {
		t.Fatalf("_id lookup scans the table:\n%s", plan)
	}
	// And through the driver, lookups by _id still find documents.
	if _, err := s.W.Collection("people").InsertOne(ctx, bson.M{"_id": "a@b.c", "n": 1}); err != nil {
		t.Fatal(err)
	}
	var got struct{ N int }
	if err := s.R.Collection("people").FindOne(ctx, bson.M{"_id": "a@b.c"}).Decode(&got); err != nil || got.N != 1 {
		t.Fatalf("find by _id: %+v %v", got, err)
	}
}
