package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/xtest"
)

// BenchmarkJoinWrongPassword measures how long joinMeeting takes to refuse an
// unknown meeting number and a known number with a wrong password; the two must
// not be told apart by their time. Each attempt comes from a source of its own and
// a meeting gets at most 9 wrong passwords, so that no throttle answers instead.
func BenchmarkJoinWrongPassword(b *testing.B) {
	srv := xtest.StartServer(b, xtest.Options{})
	admin := dirNewTenant(b, srv, srv.Admin(b), "joinb").Admin
	conf := srv.Conference()
	const attempts = 270
	var numbers []string
	for i := range attempts/9 + 1 {
		var bk struct{ BookMeeting struct{ Number string } }
		admin.Do(b, `mutation($s:Time!){bookMeeting(input:{start:$s,participants:3}){number}}`,
			map[string]any{"s": time.Now().Add(time.Duration(i+1) * 2 * time.Hour).Truncate(time.Second)}).Decode(b, &bk)
		numbers = append(numbers, bk.BookMeeting.Number)
	}
	// As on a server that has seen a join: the unknown-number path reads a decoy.
	conf.Join(context.Background(), nil, conference.JoinInput{Number: numbers[len(numbers)-1], Password: "000000", DisplayName: "x", Source: "198.19.0.1"})
	// The two kinds alternate, so that both see the same machine.
	src := 0
	join := func(number string) time.Duration {
		src++
		t0 := time.Now()
		_, err := conf.Join(context.Background(), nil, conference.JoinInput{Number: number, Password: "000000", DisplayName: "x",
			Source: fmt.Sprintf("198.18.%d.%d", src/250, src%250+1)})
		d := time.Since(t0)
		if err == nil || err.Error() != "wrong meeting number or password" {
			b.Fatalf("join %s: %v", number, err)
		}
		return d
	}
	var unknown, wrong []time.Duration
	for b.Loop() {
		if len(wrong) > 0 {
			b.Fatal("run with -benchtime=1x: each meeting takes at most 9 wrong passwords")
		}
		for i := range attempts {
			unknown = append(unknown, join(fmt.Sprint(1_000_000_001+i)))
			wrong = append(wrong, join(numbers[i/9]))
		}
	}
	slices.Sort(unknown)
	slices.Sort(wrong)
	b.ReportMetric(float64(unknown[len(unknown)/2])/float64(time.Millisecond), "unknown-p50-ms")
	b.ReportMetric(float64(wrong[len(wrong)/2])/float64(time.Millisecond), "wrong-p50-ms")
}
