package auth

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CookieName is the session cookie the web app may use instead of a bearer token.
const CookieName = "jst_session"

// Request is what the domain may know about the HTTP request behind a call.
type Request struct {
	// Source is the client's address (no port).
	Source    string
	UserAgent string
	// Host is the Host header, for branding by domain.
	Host string
	// ExpiresAt is when the caller's session ends (zero when anonymous).
	ExpiresAt time.Time
	// Token is the presented session token, if any.
	Token string
	// Device is the presented device cookie (DeviceCookieName), if any.
	Device string

	w http.ResponseWriter
}

type requestKey struct{}

// RequestFrom returns the request facts of ctx; the zero value outside HTTP.
func RequestFrom(ctx context.Context) *Request {
	if r, ok := ctx.Value(requestKey{}).(*Request); ok {
		return r
	}
	return &Request{}
}

// SetSessionCookie sets the session cookie on the response behind ctx, if any.
func SetSessionCookie(ctx context.Context, token string, expires time.Time, secure bool) {
	r := RequestFrom(ctx)
	if r.w == nil {
		return
	}
	c := &http.Cookie{Name: CookieName, Value: token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
	}
	http.SetCookie(r.w, c)
}

// SetDeviceCookie sets the device cookie on the response behind ctx, if any. It is
// HttpOnly and sent only by pages of this site.
func SetDeviceCookie(ctx context.Context, value string, secure bool) {
	r := RequestFrom(ctx)
	if r.w == nil || value == "" {
		return
	}
	http.SetCookie(r.w, &http.Cookie{Name: DeviceCookieName, Value: value, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(DeviceTTL / time.Second)})
}

// Middleware authenticates requests that carry a session, as
// `Authorization: Bearer <token>` or the session cookie, and passes on the caller
// and request facts in the context. Requests without a valid session pass on
// anonymously: resolvers decide what anonymous callers may do. The cookie is only
// honoured on same-origin requests, so another site cannot act with it.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := &Request{Source: sourceOf(r), UserAgent: r.UserAgent(), Host: r.Host, w: w}
		token := bearer(r)
		if sameOrigin(r) {
			if c, err := r.Cookie(CookieName); err == nil && token == "" {
				token = c.Value
			}
			if c, err := r.Cookie(DeviceCookieName); err == nil {
				req.Device = c.Value
			}
		}
		ctx := r.Context()
		if token != "" {
			req.Token = token
			if p, exp, err := s.Authenticate(ctx, token); err == nil {
				req.ExpiresAt = exp
				ctx = WithPrincipal(ctx, p)
			}
		}
		ctx = context.WithValue(ctx, requestKey{}, req)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// TokenFromInit returns the token of a websocket connection_init payload: the
// `authorization` (or `Authorization`) value, with or without "Bearer ", or `token`.
func TokenFromInit(payload map[string]any) string {
	for _, k := range []string{"authorization", "Authorization", "token"} {
		if v, ok := payload[k].(string); ok && v != "" {
			return strings.TrimSpace(strings.TrimPrefix(v, "Bearer "))
		}
	}
	return ""
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// sameOrigin reports whether a browser request came from a page of this host (or
// carries no Origin, as same-origin GETs and non-browser clients do).
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

func sourceOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
