package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jishitong/jishitong/graph"
	"github.com/jishitong/jishitong/internal/xtest"
)

// TestAbuseFragmentFanout sends documents of a few hundred bytes that expand to
// billions of fields through fragments spreading fragments, and documents that
// make validation compare every pair of thousands of same-named fields, over
// POST and over a graphql-transport-ws websocket: each is refused for its
// selections, nothing runs, and the server stays healthy.
func TestAbuseFragmentFanout(t *testing.T) {
	f := abuseSetup(t)
	same := func(n int, field string) string { return "{" + strings.Repeat(field+" ", n) + "}" }
	docs := map[string]string{
		"10 fragments spreading the previous one 10 times": fanoutDocument(10, 10),
		"10^8 fields from 723 bytes":                       fanoutDocument(8, 10),
		"2^400 fields":                                     "{...F400} fragment F0 on Query{__typename}" + abuseAliases(400, func(i int) string { return fmt.Sprintf("fragment F%d on Query{...F%d ...F%d}", i+1, i, i) }),
		"unused fragments fanning out":                     `{__typename} ` + fanoutDocument(10, 10)[len("{...F10}"):],
		"1600 fields of one name":                          same(1600, "a:__typename"),
		"800 me of one name":                               same(800, "a:me{id}"),
		"400 fragments of one field name":                  "{" + abuseAliases(400, func(i int) string { return fmt.Sprintf("...F%d", i) }) + "}" + abuseAliases(400, func(i int) string { return fmt.Sprintf("fragment F%d on Query{a:__typename}", i) }),
	}
	for name, doc := range docs {
		for who, c := range map[string]*xtest.Client{"anonymous": f.srv.Client(), "member": f.member} {
			abuseRefused(t, who+": "+name, c.Do(t, doc, nil), graph.ReasonSelections)
		}
		m, _ := abuseWSExchange(t, f.member, doc)
		abuseRefusedAll(t, "websocket: "+name, abuseWSErrors(t, m), graph.ReasonSelections)
	}
	// No false alarm: a few same-named fields, and fragments spread side by side.
	var me struct {
		A struct{ ID string }
	}
	f.member.Do(t, `{a:me{...U ...V id} a:me{id ...U}} fragment U on User{id email} fragment V on User{id name}`, nil).Decode(t, &me)
	if me.A.ID != f.member1 {
		t.Errorf("me = %+v", me)
	}
	abuseHealthy(t, f)
}

// TestAbuseReasonsDocumented checks that docs/api.md lists exactly the reasons
// the server sends, and that a document of each kind is refused with its reason,
// over POST and, where the kind can be sent there, over a websocket.
func TestAbuseReasonsDocumented(t *testing.T) {
	api, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(api), "| reason |")
	if start < 0 {
		t.Fatal("docs/api.md has no table of reasons")
	}
	table, _, _ := strings.Cut(string(api)[start:], "\n\n")
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\|").FindAllStringSubmatch(table, -1) {
		documented = append(documented, m[1])
	}
	emitted := slices.Clone(graph.Reasons)
	slices.Sort(documented)
	slices.Sort(emitted)
	if !slices.Equal(documented, emitted) {
		t.Errorf("docs/api.md lists reasons %v, the server sends %v", documented, emitted)
	}

	f := abuseSetup(t)
	ofType := func(n int) string { return strings.Repeat("ofType{", n) + "name" + strings.Repeat("}", n) }
	rich := `{` + abuseAliases(100, func(i int) string { return fmt.Sprintf(`q%d:me{...U}`, i) }) + `} fragment U on User{id name email phone department title employeeNo role status createdAt updatedAt enterprise{id name code quota frozen createdAt updatedAt branding{primaryColor mode slogan logoUrl domains}}}`
	cases := []struct {
		reason, doc string
		send        func(doc string) *xtest.Response
		websocket   bool
	}{
		{graph.ReasonSize, "#" + strings.Repeat("a", graph.MaxBodyBytes) + "\n{me{id}}", func(doc string) *xtest.Response { return abuseMultipart(t, f.member, doc) }, false},
		{graph.ReasonParse, `{me{id}`, nil, true},
		{graph.ReasonSelections, fanoutDocument(8, 10), nil, true},
		{graph.ReasonDepth, `{me{enterprise{id}} __type(name:"User"){` + ofType(12) + `}}`, nil, true},
		{graph.ReasonValidation, `{mee{id}}`, nil, true},
		{graph.ReasonSubscriptionTransport, `subscription{directoryChanged{kind}}`, nil, false},
		{graph.ReasonIntrospection, `{__schema{queryType{name}}}`, nil, true},
		{graph.ReasonComplexity, rich, nil, true},
	}
	provoked := map[string]bool{}
	for _, tc := range cases {
		send := tc.send
		if send == nil {
			send = func(doc string) *xtest.Response { return f.member.Do(t, doc, nil) }
		}
		r := send(tc.doc)
		abuseRefused(t, tc.reason, r, tc.reason)
		// One status for every refused document (the multipart transport answers its
		// own size limit).
		if want := http.StatusUnprocessableEntity; tc.send == nil && r.Status != want {
			t.Errorf("%s over POST: HTTP %d, want %d", tc.reason, r.Status, want)
		}
		if tc.websocket {
			m, _ := abuseWSExchange(t, f.member, tc.doc)
			abuseRefusedAll(t, "websocket: "+tc.reason, abuseWSErrors(t, m), tc.reason)
		}
		provoked[tc.reason] = true
	}
	for _, r := range emitted {
		if !provoked[r] {
			t.Errorf("no case provokes reason %s", r)
		}
	}

	// Other refusals carry a documented reason or none.
	for _, c := range []struct {
		doc  string
		vars map[string]any
	}{
		{`query($m:ThemeMode!){me{id}}`, map[string]any{"m": "DAKR"}},
		{`query($n:Int!){me{id}}`, nil},
		{`{...Nowhere}`, nil},
		{`{...A} fragment A on Query{...B} fragment B on Query{...A}`, nil},
		{`{me{id}} fragment Unused on Query{__typename}`, nil},
		{``, nil},
		{`# only a comment`, nil},
		{`query A{me{id}} query A{me{id}}`, nil},
	} {
		for _, e := range f.member.Do(t, c.doc, c.vars).Errors {
			if r, ok := e.Extensions["reason"].(string); ok && !slices.Contains(emitted, r) {
				t.Errorf("%s: undocumented reason %q (%s)", c.doc, r, e.Message)
			}
		}
	}
}

// BenchmarkFanoutRefusal measures, over HTTP against a running server, how long
// the refusal of a fragment fan-out document (10^8 fields from 723 bytes) takes.
func BenchmarkFanoutRefusal(b *testing.B) {
	srv := xtest.StartServer(b, xtest.Options{})
	c := srv.Client()
	body, _ := json.Marshal(map[string]any{"query": fanoutDocument(8, 10)})
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		r, err := c.Post(body)
		lat = append(lat, time.Since(t0))
		if err != nil || len(r.Errors) == 0 {
			b.Fatalf("fan-out: %v %+v", err, r)
		}
	}
	benchReportLatency(b, lat)
}

// BenchmarkQueryUnderFanout measures a signed-in {me{id}} over HTTP while none or
// two clients send fragment fan-out documents without pause.
func BenchmarkQueryUnderFanout(b *testing.B) {
	srv := xtest.StartServer(b, xtest.Options{})
	admin := srv.Admin(b)
	body, _ := json.Marshal(map[string]any{"query": fanoutDocument(8, 10)})
	for _, n := range []int{0, 2} {
		b.Run(fmt.Sprintf("fanouts=%d", n), func(b *testing.B) {
			stop := make(chan struct{})
			var attackers sync.WaitGroup
			for range n {
				attackers.Add(1)
				go func() {
					defer attackers.Done()
					c := srv.Client()
					for {
						select {
						case <-stop:
							return
						default:
						}
						if _, err := c.Post(body); err != nil {
							return
						}
					}
				}()
			}
			defer func() { close(stop); attackers.Wait() }()
			time.Sleep(100 * time.Millisecond)
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				r := admin.Do(b, `{me{id}}`, nil)
				lat = append(lat, time.Since(t0))
				if len(r.Errors) > 0 {
					b.Fatalf("me: %+v", r.Errors)
				}
			}
			benchReportLatency(b, lat)
		})
	}
}
