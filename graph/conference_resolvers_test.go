package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/errs"
)

// fakeConference stands in for the bookings with func fields. The embedded
// interface is nil: a resolver calling a method the test gave no func for panics,
// and the test fails.
type fakeConference struct {
	Conference
	book func(ctx context.Context, p *auth.Principal, in conference.BookingInput) (*conference.Meeting, error)
	join func(ctx context.Context, p *auth.Principal, in conference.JoinInput) (*conference.Joined, error)
}

func (f *fakeConference) Book(ctx context.Context, p *auth.Principal, in conference.BookingInput) (*conference.Meeting, error) {
	return f.book(ctx, p, in)
}

func (f *fakeConference) Join(ctx context.Context, p *auth.Principal, in conference.JoinInput) (*conference.Joined, error) {
	return f.join(ctx, p, in)
}

// gqlError is an error of a GraphQL response as a client reads it.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// post runs a GraphQL operation as p (nil: anonymous) through the handler
// NewHandler builds over r, and returns the response's data and errors.
func post(t *testing.T, r *Resolver, p *auth.Principal, query string, vars map[string]any) (json.RawMessage, []gqlError) {
	t.Helper()
	h := NewHandler(Config{PublicURL: "http://localhost", MaxUploadBytes: 1 << 20}, r, slog.New(slog.NewTextHandler(io.Discard, nil)))
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if p != nil {
		req = req.WithContext(auth.WithPrincipal(req.Context(), p))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("response %d %q: %v", w.Code, w.Body.String(), err)
	}
	return out.Data, out.Errors
}

// wantGQLError checks the one error of a response: its code, field and message,
// and any further extensions.
func wantGQLError(t *testing.T, got []gqlError, code, field, msg string, ext map[string]any) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("errors %+v, want one %s", got, code)
	}
	e := got[0]
	f, _ := e.Extensions["field"].(string)
	if e.Extensions["code"] != code || f != field || e.Message != msg {
		t.Errorf("error %q %v, want %s on %q: %q", e.Message, e.Extensions, code, field, msg)
	}
	for k, v := range ext {
		if e.Extensions[k] != v {
			t.Errorf("extension %s = %v, want %v", k, e.Extensions[k], v)
		}
	}
}

const bookDoc = `mutation($in: BookMeetingInput!) { bookMeeting(input: $in) { id number name durationMinutes timeZone } }`

// TestBookMeetingResolver: bookMeeting checks what the edge checks (a booking
// refused there never reaches the bookings), hands the domain the booking the
// client asked for, and answers domain errors with their code, field and details,
// hiding internal ones.
func TestBookMeetingResolver(t *testing.T) {
	member := &auth.Principal{UserID: "u1", EnterpriseID: "e1", Role: auth.RoleMember}
	start := time.Date(2030, time.March, 4, 9, 30, 0, 0, time.UTC)
	booked := &conference.Meeting{ID: "m1", Number: "1234567890", Name: "周会", DurationSec: 5400, TimeZone: "Asia/Shanghai"}
	cases := []struct {
		name string
		in   map[string]any
		// answer is what the bookings answer.
		answer error
		// want is the booking the bookings get; nil when the edge refuses it.
		want             func(t *testing.T, in conference.BookingInput)
		code, field, msg string
		ext              map[string]any
	}{{
		name: "no participants",
		in:   map[string]any{"start": start, "participants": 0},
		code: "BAD_USER_INPUT", field: "participants", msg: "participants must be at least 2",
	}, {
		name: "a duration over a day",
		in:   map[string]any{"start": start, "durationMinutes": 1441},
		code: "BAD_USER_INPUT", field: "durationMinutes", msg: "durationMinutes must be between 1 and 1440",
	}, {
		name: "a recurrence interval of 0",
		in:   map[string]any{"start": start, "recurrence": map[string]any{"frequency": "DAILY", "interval": 0, "count": 3}},
		code: "BAD_USER_INPUT", field: "interval", msg: "the interval must be at least 1",
	}, {
		name: "the booking as asked",
		in: map[string]any{"start": start, "durationMinutes": 90, "timeZone": "Asia/Shanghai", "participants": 8, "roomId": "r1",
			"emails": []string{"guest@example.com"}, "options": map[string]any{"muteOnEntry": true},
			"recurrence": map[string]any{"frequency": "WEEKLY", "weekdays": []string{"MONDAY", "WEDNESDAY"}, "count": 4}},
		want: func(t *testing.T, in conference.BookingInput) {
			r := in.Recurrence
			if !in.Start.Equal(start) || in.Duration != 90*time.Minute || in.TimeZone != "Asia/Shanghai" || in.Participants != 8 || in.RoomID != "r1" ||
				!slices.Equal(in.Emails, []string{"guest@example.com"}) || !in.Options.MuteOnEntry || in.Name != nil || in.Password != nil ||
				r == nil || r.Freq != recur.Weekly || r.Count != 4 || !slices.Equal(r.Weekdays, []time.Weekday{time.Monday, time.Wednesday}) {
				t.Errorf("the bookings got %+v (rule %+v)", in, r)
			}
		},
	}, {
		name:   "a conflict keeps its field and names the clashing meeting",
		in:     map[string]any{"start": start},
		answer: &errs.Error{Kind: errs.KindConflict, Field: "start", Message: `dedicated room 6001 is booked: "例会"`, Details: map[string]any{"conflictMeetingId": "m9"}},
		want:   func(*testing.T, conference.BookingInput) {},
		code:   "CONFLICT", field: "start", msg: `dedicated room 6001 is booked: "例会"`, ext: map[string]any{"conflictMeetingId": "m9"},
	}, {
		name:   "an internal error is hidden",
		in:     map[string]any{"start": start},
		answer: errors.New("conference: store meeting: connection refused"),
		want:   func(*testing.T, conference.BookingInput) {},
		code:   "INTERNAL", msg: "internal error",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got *conference.BookingInput
			conf := &fakeConference{book: func(_ context.Context, p *auth.Principal, in conference.BookingInput) (*conference.Meeting, error) {
				if p != member {
					t.Errorf("booked as %+v", p)
				}
				got = &in
				if c.answer != nil {
					return nil, c.answer
				}
				return booked, nil
			}}
			data, errors := post(t, &Resolver{Conference: conf}, member, bookDoc, map[string]any{"in": c.in})
			if c.want == nil && got != nil {
				t.Errorf("a booking refused at the edge reached the bookings: %+v", got)
			}
			if c.want != nil {
				if got == nil {
					t.Fatalf("the bookings got nothing; errors %+v", errors)
				}
				c.want(t, *got)
			}
			if c.code != "" {
				wantGQLError(t, errors, c.code, c.field, c.msg, c.ext)
				return
			}
			if len(errors) != 0 {
				t.Fatalf("errors %+v", errors)
			}
			var out struct {
				BookMeeting struct {
					ID, Number, Name, TimeZone string
					DurationMinutes            int
				}
			}
			if err := json.Unmarshal(data, &out); err != nil {
				t.Fatal(err)
			}
			if m := out.BookMeeting; m.ID != "m1" || m.Number != "1234567890" || m.DurationMinutes != 90 || m.TimeZone != "Asia/Shanghai" {
				t.Errorf("answered %+v", m)
			}
		})
	}
}

const joinDoc = `mutation($n: String!, $pw: String) { joinMeeting(number: $n, password: $pw, displayName: "来宾") { token role runId number name options { muteOnEntry } } }`

// TestJoinMeetingResolver: joinMeeting hands the number, password and name to the
// bookings and answers the grant's role and the options to apply on entry; a
// refusal keeps its code and retry delay.
func TestJoinMeetingResolver(t *testing.T) {
	m := &conference.Meeting{ID: "m1", Number: "1234567890", Name: "周会"}
	cases := []struct {
		name   string
		who    *auth.Principal
		answer func(in conference.JoinInput) (*conference.Joined, error)
		role   string
		code   string
		msg    string
		ext    map[string]any
	}{{
		name: "the host",
		who:  &auth.Principal{UserID: "u1", EnterpriseID: "e1", Role: auth.RoleMember},
		answer: func(in conference.JoinInput) (*conference.Joined, error) {
			return &conference.Joined{Token: "jjt_x", Grant: conference.Grant{Role: conference.RoleHost, Name: in.DisplayName}, Meeting: m,
				Run: &conference.Run{ID: "m1|k"}, Options: conference.Options{MuteOnEntry: true}}, nil
		},
		role: "HOST",
	}, {
		name: "a guest",
		answer: func(in conference.JoinInput) (*conference.Joined, error) {
			if in.Password != "123456" || in.Number != "1234567890" || in.DisplayName != "来宾" {
				return nil, errors.New("unexpected input")
			}
			return &conference.Joined{Token: "jjt_y", Grant: conference.Grant{Role: conference.RoleParticipant}, Meeting: m, Run: &conference.Run{ID: "m1|k"}}, nil
		},
		role: "PARTICIPANT",
	}, {
		name: "a wrong password",
		answer: func(conference.JoinInput) (*conference.Joined, error) {
			return nil, errs.New(errs.KindNotFound, "wrong meeting number or password")
		},
		code: "NOT_FOUND", msg: "wrong meeting number or password",
	}, {
		name: "too many wrong passwords",
		answer: func(conference.JoinInput) (*conference.Joined, error) {
			e := errs.New(errs.KindRateLimited, "too many wrong passwords; try again in 60 seconds")
			e.Details = map[string]any{"retryAfterSeconds": 60}
			return nil, e
		},
		code: "RATE_LIMITED", msg: "too many wrong passwords; try again in 60 seconds", ext: map[string]any{"retryAfterSeconds": float64(60)},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conf := &fakeConference{join: func(_ context.Context, p *auth.Principal, in conference.JoinInput) (*conference.Joined, error) {
				if p != c.who {
					t.Errorf("joined as %+v, want %+v", p, c.who)
				}
				return c.answer(in)
			}}
			data, errors := post(t, &Resolver{Conference: conf}, c.who, joinDoc, map[string]any{"n": "1234567890", "pw": "123456"})
			if c.code != "" {
				wantGQLError(t, errors, c.code, "", c.msg, c.ext)
				return
			}
			if len(errors) != 0 {
				t.Fatalf("errors %+v", errors)
			}
			var out struct {
				JoinMeeting struct {
					Token, Role, RunID, Number, Name string
					Options                          struct{ MuteOnEntry bool }
				}
			}
			if err := json.Unmarshal(data, &out); err != nil {
				t.Fatal(err)
			}
			j := out.JoinMeeting
			if j.Role != c.role || j.RunID != "m1|k" || j.Number != "1234567890" || j.Name != "周会" || j.Token == "" || j.Options.MuteOnEntry != (c.role == "HOST") {
				t.Errorf("answered %+v", j)
			}
		})
	}
}
