package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/xtest"
)

// BenchmarkLoginDuringBurst measures a real user's login (right password, from a
// browser that logged in before) while 300 wrong passwords for the same account
// arrive at once from 300 sources. Each operation uses a fresh account; ok-% is the
// share of the real user's logins that succeeded.
func BenchmarkLoginDuringBurst(b *testing.B) {
	srv := xtest.StartServer(b, xtest.Options{})
	tn := dirNewTenant(b, srv, srv.Admin(b), "burst")
	a := srv.Auth()
	const doc = `mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}`
	var lat []time.Duration
	ok := 0
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		email := fmt.Sprintf("user%d@burst.example.com", i)
		dirCreate(b, tn.Admin, map[string]any{"name": "Burst User", "email": email, "password": dirPassword})
		user := srv.Client()
		// The user's browser logged in before and keeps its device cookie.
		first := benchLoginCookies(b, srv, email, dirPassword)
		user.Header.Set("Cookie", first)
		b.StartTimer()

		var wg sync.WaitGroup
		start := make(chan struct{})
		for j := range 300 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, _ = a.Login(context.Background(), auth.Attempt{Email: email, Password: "wrong-password-1", Source: fmt.Sprintf("203.0.%d.%d", 113+j/250, j%250+1), UserAgent: "burst"})
			}()
		}
		close(start)
		t0 := time.Now()
		r := user.Do(b, doc, map[string]any{"e": email, "p": dirPassword})
		lat = append(lat, time.Since(t0))
		if len(r.Errors) == 0 {
			ok++
		}
		wg.Wait()
	}
	benchReportLatency(b, lat)
	b.ReportMetric(float64(100*ok)/float64(len(lat)), "ok-%")
}

// benchLoginCookies logs in over HTTP as a browser does and returns the cookies the
// server set, as a Cookie header value.
func benchLoginCookies(b *testing.B, srv *xtest.Server, email, password string) string {
	b.Helper()
	body := fmt.Sprintf(`{"query":"mutation{login(email:\"%s\",password:\"%s\"){token}}"}`, email, password)
	resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	var parts []string
	for _, c := range resp.Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}
