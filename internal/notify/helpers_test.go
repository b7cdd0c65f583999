package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/store"
)

// shared is one embedded store for the package's tests; each test gets a database of its
// own (see testStore), which keeps the suite well under its time budget.
var shared *store.Store

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "notify-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := store.Config{DataDir: dir}
	if uri := os.Getenv("JISHITONG_TEST_MONGO_URI"); uri != "" {
		cfg.MongoURI = uri
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	shared, err = store.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	shared.Close(context.Background())
	os.RemoveAll(dir)
	os.Exit(code)
}

var dbSeq atomic.Int64

// testStore returns a store over a fresh database of the shared server.
func testStore(t *testing.T) *store.Store {
	t.Helper()
	name := fmt.Sprintf("notify_%d_%d", time.Now().UnixNano()%1e9, dbSeq.Add(1))
	st := &store.Store{R: shared.R.Client().Database(name), W: shared.W.Client().Database(name), Embedded: shared.Embedded}
	t.Cleanup(func() { _ = st.W.Drop(context.Background()) })
	return st
}

// pooledWriter returns a second handle on st's database whose writes go through the
// pooled read client, i.e. over other connections than st.W — like another process.
func pooledWriter(st *store.Store) *store.Store {
	return &store.Store{R: st.R, W: st.R.Client().Database(st.W.Name()), Embedded: st.Embedded}
}

// testLog returns a logger writing into buf (when given) or nowhere.
func testLog(buf *syncBuffer) *slog.Logger {
	if buf == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// received is one message accepted by the test SMTP server.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	Auth string // user that authenticated
}

// smtpServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1:0.
type smtpServer struct {
	Addr string
	srv  *smtp.Server

	user, pass string // AUTH PLAIN credentials; empty: no AUTH offered

	mu          sync.Mutex
	msgs        []received
	mailCmds    int
	rejectFirst int                        // MAIL commands answered 451 before accepting
	rcptReject  map[string]*smtp.SMTPError // per recipient
	hang        chan struct{}              // when set, DATA waits for it to close
	dataStarted chan struct{}              // signalled when a DATA begins (buffered)
}

type serverOpt func(*smtpServer)

func withAuth(user, pass string) serverOpt {
	return func(s *smtpServer) { s.user, s.pass = user, pass }
}

// startSMTP starts the server; tlsMode is "" (plain), "starttls" or "tls".
func startSMTP(t *testing.T, tlsMode string, cert *tls.Certificate, opts ...serverOpt) *smtpServer {
	t.Helper()
	s := &smtpServer{rcptReject: map[string]*smtp.SMTPError{}, dataStarted: make(chan struct{}, 100)}
	for _, o := range opts {
		o(s)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &smtpSession{s: s, tls: isTLS, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.AllowInsecureAuth = tlsMode == ""
	srv.ErrorLog = log.New(io.Discard, "", 0)
	var l net.Listener
	var err error
	switch tlsMode {
	case "":
		l, err = net.Listen("tcp", "127.0.0.1:0")
	case "starttls":
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
		l, err = net.Listen("tcp", "127.0.0.1:0")
	case "tls":
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	s.srv = srv
	go srv.Serve(l)
	t.Cleanup(func() {
		s.mu.Lock()
		if s.hang != nil {
			select {
			case <-s.hang:
			default:
				close(s.hang)
			}
		}
		s.mu.Unlock()
		srv.Close()
	})
	return s
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

func (s *smtpServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

type smtpSession struct {
	s    *smtpServer
	conn *smtp.Conn
	tls  bool
	auth string
	from string
	to   []string
}

func (ss *smtpSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return smtp.ErrAuthFailed
		}
		ss.auth = user
		return nil
	}), nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && ss.auth == "" {
		return smtp.ErrAuthRequired
	}
	ss.s.mu.Lock()
	ss.s.mailCmds++
	reject := ss.s.mailCmds <= ss.s.rejectFirst
	ss.s.mu.Unlock()
	if reject {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	e := ss.s.rcptReject[to]
	ss.s.mu.Unlock()
	if e != nil {
		return e
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	select {
	case ss.s.dataStarted <- struct{}{}:
	default:
	}
	ss.s.mu.Lock()
	hang := ss.s.hang
	ss.s.mu.Unlock()
	if hang != nil {
		<-hang
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	// With a hang, the client may have given up meanwhile; record only what a live
	// connection delivered.
	if hang != nil {
		return errors.New("aborted")
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, received{From: ss.from, To: ss.to, Data: b, TLS: ss.tls, Auth: ss.auth})
	ss.s.mu.Unlock()
	return nil
}

func (ss *smtpSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *smtpSession) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "notify test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// parsedMail is a received message taken apart.
type parsedMail struct {
	Header  mail.Header
	Subject string
	Text    string
	HTML    string
	// Calendar is the text/calendar alternative, CalendarCT its Content-Type;
	// Attachment is the invite.ics attachment.
	Calendar, CalendarCT string
	Attachment           string
	AttachmentCT         string
	Structure            []string // content types in order, indented by depth
}

func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, raw)
	}
	var pm parsedMail
	pm.Header = m.Header
	dec := new(mime.WordDecoder)
	pm.Subject, err = dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(ct string, h map[string][]string, body io.Reader, depth int)
	walk = func(ct string, h map[string][]string, body io.Reader, depth int) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		pm.Structure = append(pm.Structure, strings.Repeat("  ", depth)+mt)
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p.Header, p, depth+1)
			}
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(first(h["Content-Transfer-Encoding"]), "base64") {
			b, err = base64.StdEncoding.DecodeString(strings.Map(func(r rune) rune {
				if r == '\r' || r == '\n' {
					return -1
				}
				return r
			}, string(b)))
			if err != nil {
				t.Fatal(err)
			}
		}
		disp := first(h["Content-Disposition"])
		switch {
		case strings.HasPrefix(disp, "attachment"):
			pm.Attachment, pm.AttachmentCT = string(b), ct
		case mt == "text/plain":
			pm.Text = string(b)
		case mt == "text/html":
			pm.HTML = string(b)
		case mt == "text/calendar":
			pm.Calendar, pm.CalendarCT = string(b), ct
		}
	}
	walk(m.Header.Get("Content-Type"), map[string][]string(m.Header), m.Body, 0)
	return pm
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// testConfig is a configuration for the server at addr with fast retries.
func testConfig(smtpURL string) Config {
	return Config{
		SMTPURL:      smtpURL,
		From:         "即时通 <noreply@meet.example.cn>",
		PublicURL:    "https://meet.example.cn",
		SIPDomain:    "sip.example.cn",
		RetryDelays:  []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 60 * time.Millisecond},
		SendTimeout:  5 * time.Second,
		PollInterval: 50 * time.Millisecond,
	}
}

func newOutbox(t *testing.T, cfg Config, st *store.Store, logs *syncBuffer) *Outbox {
	t.Helper()
	o, err := NewOutbox(context.Background(), cfg, st, testLog(logs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.Close)
	return o
}

// deliveryDocs reads the raw documents of a reference.
func deliveryDocs(t *testing.T, st *store.Store, refID string) []deliveryDoc {
	t.Helper()
	cur, err := st.R.Collection(outboxColl).Find(context.Background(), bson.M{"refId": refID})
	if err != nil {
		t.Fatal(err)
	}
	var docs []deliveryDoc
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	return docs
}

// statuses returns the status of every delivery of a reference.
func statuses(t *testing.T, o *Outbox, refType, refID string) []Status {
	t.Helper()
	ds, err := o.Deliveries(context.Background(), refType, refID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]Status, len(ds))
	for i, d := range ds {
		out[i] = d.Status
	}
	return out
}

func allStatus(ss []Status, want Status, n int) bool {
	if len(ss) != n {
		return false
	}
	for _, s := range ss {
		if s != want {
			return false
		}
	}
	return true
}
