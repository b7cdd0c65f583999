package conference

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/notify"
)

// sent is one mail the service queued: its method and sequence, and to whom.
type sent struct {
	method   notify.Method
	sequence int
	to       []string // addresses, sorted
}

func (m sent) String() string {
	return fmt.Sprintf("%v #%d to %s", m.method, m.sequence, strings.Join(m.to, ","))
}

// TestInvitationMails: booking, editing and cancelling a meeting queue the mails
// invitees get: the invitation to every invitee with an address, an update with
// the next sequence, a cancellation to those no longer invited and, when it is
// cancelled, to all. A mailer that fails does not fail the booking.
func TestInvitationMails(t *testing.T) {
	ctx := context.Background()
	at := slot(10, 0)
	cases := []struct {
		name string
		// then changes the booked meeting (invited: 李四, 孙七 who has no email, and
		// guest@example.com).
		then func(t *testing.T, s *Service, m *Meeting)
		want []sent
	}{
		{name: "booked", want: []sent{{notify.MethodRequest, 0, []string{"guest@example.com", "li@example.com"}}}},
		{name: "updated without 李四", then: func(t *testing.T, s *Service, m *Meeting) {
			if _, err := s.Update(ctx, host, m.ID, BookingInput{Start: at.Add(time.Hour), MemberIDs: []string{"u3"}, Emails: []string{"guest@example.com"}}); err != nil {
				t.Fatal(err)
			}
		}, want: []sent{
			{notify.MethodRequest, 0, []string{"guest@example.com", "li@example.com"}},
			{notify.MethodCancel, 1, []string{"li@example.com"}},
			{notify.MethodRequest, 1, []string{"guest@example.com"}},
		}},
		{name: "cancelled", then: func(t *testing.T, s *Service, m *Meeting) {
			if err := s.Cancel(ctx, host, m.ID); err != nil {
				t.Fatal(err)
			}
		}, want: []sent{
			{notify.MethodRequest, 0, []string{"guest@example.com", "li@example.com"}},
			{notify.MethodCancel, 1, []string{"guest@example.com", "li@example.com"}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []sent
			var invs []notify.Invitation
			mail := &fakeMailer{enqueue: func(_ context.Context, refType, refID string, inv notify.Invitation, to []notify.Person) error {
				var addrs []string
				for _, p := range to {
					addrs = append(addrs, p.Email)
				}
				slices.Sort(addrs)
				mu.Lock()
				defer mu.Unlock()
				got = append(got, sent{inv.Method, inv.Sequence, addrs})
				invs = append(invs, inv)
				return nil
			}}
			pp := newPeople(0)
			pp.members["u3"] = &directory.Member{ID: "u3", EnterpriseID: "e1", Name: "孙七", Phone: "13800000000", Status: "active"}
			s, _ := newServiceMail(t, Config{PublicURL: "https://meet.example.com"}, pp.directory(), mail)
			name, pw := "周会", "123456"
			m, err := s.Book(ctx, host, BookingInput{Start: at, TimeZone: "UTC", Name: &name, Password: &pw, Participants: 5,
				MemberIDs: []string{"u2", "u3"}, Emails: []string{"Guest@Example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			if c.then != nil {
				c.then(t, s, m)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.EqualFunc(got, c.want, func(a, b sent) bool {
				return a.method == b.method && a.sequence == b.sequence && slices.Equal(a.to, b.to)
			}) {
				t.Errorf("mails queued:\n%v\nwant\n%v", got, c.want)
			}
			// Every mail is about the same meeting, with what it takes to join.
			for _, inv := range invs {
				if inv.UID != m.ID+"@meet.example.com" || inv.MeetingNumber != m.Number || inv.Password != pw || inv.JoinPath != "/join/"+m.Number ||
					inv.Organizer.Email != "zhang@example.com" {
					t.Errorf("invitation %+v", inv)
				}
			}
		})
	}

	t.Run("a failing mailer", func(t *testing.T) {
		s, _ := newServiceMail(t, Config{}, newPeople(0).directory(), &fakeMailer{enqueue: func(context.Context, string, string, notify.Invitation, []notify.Person) error {
			return errors.New("outbox unavailable")
		}})
		m, err := s.Book(ctx, host, BookingInput{Start: at, Participants: 5, MemberIDs: []string{"u2"}})
		if err != nil {
			t.Fatalf("booking failed with the mailer: %v", err)
		}
		if got := stored(t, s, m.ID); !slices.Equal(got.Invitees.MemberIDs, []string{"u2"}) {
			t.Errorf("stored invitees %v", got.Invitees.MemberIDs)
		}
	})
}
