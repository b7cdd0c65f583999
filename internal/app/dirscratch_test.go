package app_test

import (
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

func TestDirScratch(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	tn := dirNewTenant(t, srv, root, "bench")
	dirImport(t, tn.Admin, "m.csv", dirCSV(append([][]string{dirHeader}, dirRows(10000, "bench.example.com")...)), false)
	other := dirNewTenant(t, srv, root, "small")
	for i := range 3 {
		start := time.Now()
		code := dirLoginCode(t, srv, "nobody@nowhere.example.com", "whatever-pass")
		t.Logf("unknown-email login: %s in %v", code, time.Since(start).Round(time.Millisecond))
		start = time.Now()
		dirMembers(t, tn.Admin, nil, 20, "")
		t.Logf("members(first:20) no filter, 10k tenant: %v", time.Since(start).Round(time.Millisecond))
		start = time.Now()
		dirMembers(t, other.Admin, nil, 20, "")
		t.Logf("members(first:20) of a 1-member tenant next to it: %v", time.Since(start).Round(time.Millisecond))
		_ = i
	}
}
