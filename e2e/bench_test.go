package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

// benchReportLatency reports the median and 99th percentile of per-operation
// latencies, in milliseconds.
func benchReportLatency(b *testing.B, lat []time.Duration) {
	b.Helper()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p int) float64 {
		i := min(len(lat)-1, (len(lat)*p+99)/100-1)
		return float64(lat[max(i, 0)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(50), "p50-ms")
	b.ReportMetric(pct(99), "p99-ms")
}

// BenchmarkLogin measures the login mutation over HTTP against a running server:
// an argon2id verification and a session write per operation. Successful logins
// are not throttled. It runs on a nearly empty directory, then again after
// importing 10,000 members, since finding the account by email is a query on the
// users collection.
func BenchmarkLogin(b *testing.B) {
	srv := xtest.StartServer(b, xtest.Options{})
	root := srv.Admin(b)
	tn := dirNewTenant(b, srv, root, "bench")
	login := func(email string) func(b *testing.B) {
		dirCreate(b, tn.Admin, map[string]any{"name": "Bench Member", "email": email, "password": dirPassword})
		return func(b *testing.B) { benchLogin(b, srv, email) }
	}
	b.Run("users=4", login("first@bench.example.com"))
	benchSeed(b, tn.Admin, 10_000)
	// An account created after the others: the store scans to it.
	b.Run("users=10k", login("last@bench.example.com"))
}

// benchLogin logs in as email with dirPassword b.N times.
func benchLogin(b *testing.B, srv *xtest.Server, email string) {
	c := srv.Client()
	const doc = `mutation($e:String!,$p:String!){login(email:$e,password:$p){token user{id}}}`
	vars := map[string]any{"e": email, "p": dirPassword}
	var lat []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		r := c.Do(b, doc, vars)
		lat = append(lat, time.Since(start))
		if len(r.Errors) > 0 {
			b.Fatalf("login: %+v", r.Errors)
		}
	}
	benchReportLatency(b, lat)
}

// benchSeed imports n members into the admin's enterprise with one import.
func benchSeed(b *testing.B, admin *xtest.Client, n int) {
	b.Helper()
	file := dirCSV(append([][]string{dirHeader}, dirRows(n, "bench.example.com")...))
	start := time.Now()
	res := dirImport(b, admin, "members.csv", file, false)
	if !res.Applied || res.Created != n {
		b.Fatalf("seed import: applied %v created %d errors %d", res.Applied, res.Created, len(res.Errors))
	}
	b.Logf("seeded %d members with one import (%d KB CSV) in %v", n, len(file)>>10, time.Since(start))
}

// benchSearchTerms are varied member searches: name parts (Latin and Chinese),
// email and phone fragments, departments, employee numbers, and a miss.
var benchSearchTerms = []string{"王", "smith 01", "0042", "user07", "@bench.example.com", "1390000123", "研发", "sales",
	"e0999", "zhou 9", "o'brien", "no-such-member", "财务部", "li", "hr"}

// BenchmarkDirectorySearch measures members(filter:{search}, first:20) against an
// enterprise of 10,000 members, seeded once with one import.
func BenchmarkDirectorySearch(b *testing.B) {
	srv := xtest.StartServer(b, xtest.Options{})
	root := srv.Admin(b)
	tn := dirNewTenant(b, srv, root, "bench")
	benchSeed(b, tn.Admin, 10_000)
	const doc = `query($q:String!){members(filter:{search:$q},first:20){totalCount pageInfo{hasNextPage endCursor} edges{node{id name email department}}}}`
	// Warm up and check every term answers.
	for _, q := range benchSearchTerms {
		var out struct{ Members struct{ TotalCount int } }
		start := time.Now()
		tn.Admin.Do(b, doc, map[string]any{"q": q}).Decode(b, &out)
		b.Logf("search %q: %d matches in %v", q, out.Members.TotalCount, time.Since(start).Round(time.Millisecond))
	}

	var lat []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := benchSearchTerms[i%len(benchSearchTerms)]
		i++
		start := time.Now()
		r := tn.Admin.Do(b, doc, map[string]any{"q": q})
		lat = append(lat, time.Since(start))
		if len(r.Errors) > 0 {
			b.Fatalf("search %q: %+v", q, r.Errors)
		}
	}
	benchReportLatency(b, lat)
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "queries/s")
}

// BenchmarkDirectoryPage measures reading the member list page by page
// (members(first:50, after)), the read behind the directory table and the
// pickers, against an enterprise of 10,000 members: "cached" while the directory
// is unchanged, "afterWrite" the first page after a member was edited (the
// enterprise's member list is read from the store again and sorted).
func BenchmarkDirectoryPage(b *testing.B) {
	srv := xtest.StartServer(b, xtest.Options{})
	root := srv.Admin(b)
	tn := dirNewTenant(b, srv, root, "bench")
	benchSeed(b, tn.Admin, 10_000)
	const doc = `query($a:String){members(first:50,after:$a){totalCount pageInfo{hasNextPage endCursor} edges{node{id name email department}}}}`
	type page struct {
		Members struct {
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	b.Run("cached", func(b *testing.B) {
		var lat []time.Duration
		var after any
		b.ReportAllocs()
		for b.Loop() {
			var out page
			start := time.Now()
			tn.Admin.Do(b, doc, map[string]any{"a": after}).Decode(b, &out)
			lat = append(lat, time.Since(start))
			after = out.Members.PageInfo.EndCursor
			if !out.Members.PageInfo.HasNextPage {
				after = nil
			}
		}
		benchReportLatency(b, lat)
	})
	var one struct {
		Members struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	tn.Admin.Do(b, `query{members(first:1){edges{node{id}}}}`, nil).Decode(b, &one)
	id := one.Members.Edges[0].Node.ID
	b.Run("afterWrite", func(b *testing.B) {
		var lat []time.Duration
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			tn.Admin.Do(b, `mutation($id:ID!,$t:String!){updateMember(id:$id,input:{title:$t}){id}}`, map[string]any{"id": id, "t": fmt.Sprintf("T%d", i)})
			b.StartTimer()
			start := time.Now()
			var out page
			tn.Admin.Do(b, doc, map[string]any{"a": nil}).Decode(b, &out)
			lat = append(lat, time.Since(start))
		}
		benchReportLatency(b, lat)
	})
}
