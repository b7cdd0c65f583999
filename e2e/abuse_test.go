package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jishitong/jishitong/internal/xtest"
)

// GraphQL abuse (deep nesting, thousands of aliases, huge documents, cross-origin
// websockets, introspection, schema probing, malformed requests) is refused before
// anything executes, with a coded error that shows no internals, and the server
// stays healthy.

// abuseCodes are the only extensions.code values the API uses.
var abuseCodes = map[string]bool{"UNAUTHENTICATED": true, "FORBIDDEN": true, "NOT_FOUND": true, "BAD_USER_INPUT": true,
	"CONFLICT": true, "RATE_LIMITED": true, "INTERNAL": true}

// abuseLeak matches what an error message must never show: the store, Go types,
// source paths, stack traces.
var abuseLeak = regexp.MustCompile(`(?i)mongo|bson|ferret|runtime|goroutine|panic|\.go:\d|/(home|root|work|tmp)/|github\.com|Go (struct|value)|map\[string\]|interface \{|RawParams`)

// abuseFixture is a server with an enterprise, its admin and a member.
type abuseFixture struct {
	srv                   *xtest.Server
	root, admin, member   *xtest.Client
	enterpriseID, member1 string
}

func abuseSetup(t *testing.T) *abuseFixture {
	t.Helper()
	f := &abuseFixture{srv: xtest.StartServer(t, xtest.Options{})}
	f.root = f.srv.Admin(t)
	var e struct{ CreateEnterprise struct{ ID string } }
	f.root.Do(t, `mutation{createEnterprise(input:{name:"Abuse Co",code:"abuse-co",quota:10}){id}}`, nil).Decode(t, &e)
	f.enterpriseID = e.CreateEnterprise.ID
	f.root.Do(t, `mutation($id:ID!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"Abuse Admin",email:"admin@abuse.test",password:"abuse-admin-pw-1"}){member{id}}}`,
		map[string]any{"id": f.enterpriseID}).Decode(t, &struct{}{})
	f.admin = f.srv.Login(t, "admin@abuse.test", "abuse-admin-pw-1")
	var m struct {
		CreateMember struct{ Member struct{ ID string } }
	}
	f.admin.Do(t, `mutation{createMember(input:{name:"Abuse Member",email:"member@abuse.test",password:"abuse-member-pw-1"}){member{id}}}`, nil).Decode(t, &m)
	f.member1 = m.CreateMember.Member.ID
	f.member = f.srv.Login(t, "member@abuse.test", "abuse-member-pw-1")
	return f
}

// abuseCheckErrors fails when an error lacks a known code or leaks internals.
func abuseCheckErrors(t *testing.T, what string, errs []xtest.GQLError) {
	t.Helper()
	for _, e := range errs {
		code, _ := e.Extensions["code"].(string)
		if !abuseCodes[code] {
			t.Errorf("%s: error %q has extensions.code %q, not one of the API's codes", what, e.Message, code)
		}
		if abuseLeak.MatchString(e.Message) {
			t.Errorf("%s: error message leaks internals: %q", what, e.Message)
		}
		if strings.Contains(e.Message, "Did you mean") {
			t.Errorf("%s: error message suggests names: %q", what, e.Message)
		}
	}
}

// abuseRefused checks an answer is exactly one BAD_USER_INPUT error with the given
// reason (any when empty), no data, and a clean message.
func abuseRefused(t *testing.T, what string, r *xtest.Response, reason string) {
	t.Helper()
	abuseCheckErrors(t, what, r.Errors)
	if len(r.Errors) != 1 || r.Code() != "BAD_USER_INPUT" {
		t.Errorf("%s: want one BAD_USER_INPUT error, got status %d %+v", what, r.Status, r.Errors)
		return
	}
	if got, _ := r.Errors[0].Extensions["reason"].(string); reason != "" && got != reason {
		t.Errorf("%s: reason %q, want %q (%s)", what, got, reason, r.Errors[0].Message)
	}
	if d := strings.TrimSpace(string(r.Data)); d != "" && d != "null" {
		t.Errorf("%s: refused, yet data = %.200s", what, d)
	}
}

// abusePost sends a raw request to /graphql with a bounded wait and decodes the
// answer, which must be a JSON GraphQL response.
func abusePost(t *testing.T, c *xtest.Client, method, contentType string, body io.Reader) *xtest.Response {
	t.Helper()
	req, err := http.NewRequest(method, c.URL+"/graphql", body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s /graphql: %v", method, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := &xtest.Response{Status: resp.StatusCode}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s /graphql (%s): answer is %q, not JSON: %.200s", method, contentType, ct, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s /graphql (%s): status %d, body %.300q is no GraphQL response: %v", method, contentType, resp.StatusCode, b, err)
	}
	return out
}

// abuseMultipart sends an operation through the upload transport, which reads
// documents up to the upload limit rather than the JSON body limit.
func abuseMultipart(t *testing.T, c *xtest.Client, query string) *xtest.Response {
	t.Helper()
	return c.Upload(t, query, nil, "unused", "x.txt", []byte("x"))
}

// abuseHealthy checks the server still answers health checks and a normal query.
func abuseHealthy(t *testing.T, f *abuseFixture) {
	t.Helper()
	resp, body := f.srv.Client().Get(t, "/healthz")
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
		t.Fatalf("/healthz: %d %q", resp.StatusCode, body)
	}
	if resp, body := f.srv.Client().Get(t, "/readyz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %d %q", resp.StatusCode, body)
	}
	var me struct{ Me struct{ Email string } }
	f.admin.Do(t, `{me{email}}`, nil).Decode(t, &me)
	if me.Me.Email != "admin@abuse.test" {
		t.Fatalf("me after abuse = %+v", me)
	}
}

// abuseGroupCount is how many groups the enterprise has: a refused mutation
// document must leave it unchanged.
func abuseGroupCount(t *testing.T, f *abuseFixture) int {
	t.Helper()
	var out struct{ Groups struct{ TotalCount int } }
	f.admin.Do(t, `{groups{totalCount}}`, nil).Decode(t, &out)
	return out.Groups.TotalCount
}

// abuseAliases returns a selection of n aliased copies of field(i).
func abuseAliases(n int, field func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(field(i))
		b.WriteByte(' ')
	}
	return b.String()
}

// abuseWSExchange opens a websocket as c, subscribes with query and returns the
// server's first answer, or the close status when the server hangs up.
func abuseWSExchange(t *testing.T, c *xtest.Client, query string) (*xtest.WSMessage, websocket.StatusCode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, err := c.DialWS(ctx, t)
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	defer ws.Conn.CloseNow()
	if err := ws.Subscribe(ctx, "1", query, nil); err != nil {
		return nil, websocket.CloseStatus(err)
	}
	m, err := ws.Read(ctx)
	if err != nil {
		if ctx.Err() != nil {
			t.Fatalf("websocket: no answer within 5s")
		}
		return nil, websocket.CloseStatus(err)
	}
	return m, -1
}

// abuseWSErrors returns the errors of a refused websocket operation: an "error"
// message, or a "next" message with errors and no data.
func abuseWSErrors(t *testing.T, m *xtest.WSMessage) []xtest.GQLError {
	t.Helper()
	var errs []xtest.GQLError
	switch {
	case m != nil && m.Type == "error":
		if err := json.Unmarshal(m.Payload, &errs); err != nil {
			t.Fatalf("error payload %s: %v", m.Payload, err)
		}
	case m != nil && m.Type == "next":
		var r xtest.Response
		if err := json.Unmarshal(m.Payload, &r); err != nil {
			t.Fatalf("next payload %s: %v", m.Payload, err)
		}
		if d := strings.TrimSpace(string(r.Data)); d != "" && d != "null" {
			t.Errorf("refused over websocket, yet data = %s", d)
		}
		errs = r.Errors
	default:
		t.Fatalf("want a refusal, got %+v", m)
	}
	if len(errs) == 0 {
		t.Fatalf("websocket answer without errors: %s", m.Payload)
	}
	return errs
}

// abuseRefusedAll checks that every error is BAD_USER_INPUT with the reason.
func abuseRefusedAll(t *testing.T, what string, errs []xtest.GQLError, reason string) {
	t.Helper()
	abuseCheckErrors(t, what, errs)
	if len(errs) == 0 {
		t.Errorf("%s: no errors", what)
	}
	for _, e := range errs {
		if e.Extensions["code"] != "BAD_USER_INPUT" || (reason != "" && e.Extensions["reason"] != reason) {
			t.Errorf("%s: %+v, want BAD_USER_INPUT/%s", what, e, reason)
		}
	}
}

func TestAbuseDeepNesting(t *testing.T) {
	f := abuseSetup(t)
	// The schema's object graph is acyclic except through introspection, so the
	// deepest documents go through __Type.ofType; the platform admin may introspect,
	// so only the depth limit stands in the way. A field that fails when executed
	// rides along: its error would show if anything ran.
	const canary = `canary:member(id:"x"){id} `
	ofType := func(n int) string { return strings.Repeat("ofType{", n) + "name" + strings.Repeat("}", n) }

	r := f.root.Do(t, `{`+canary+`__type(name:"User"){`+ofType(12)+`}}`, nil)
	abuseRefused(t, "ofType nested 12 deep", r, "DEPTH_LIMIT_EXCEEDED")

	// Through named fragments, each one level deeper.
	var frag strings.Builder
	frag.WriteString(`{` + canary + `__type(name:"User"){...T0}}`)
	for i := range 12 {
		fmt.Fprintf(&frag, " fragment T%d on __Type{ofType{...T%d}}", i, i+1)
	}
	frag.WriteString(" fragment T12 on __Type{name}")
	abuseRefused(t, "depth through fragments", f.root.Do(t, frag.String(), nil), "DEPTH_LIMIT_EXCEEDED")

	// Through 50 nested inline fragments.
	inline := `{` + canary + `__type(name:"User"){` + strings.Repeat("... on __Type{", 50) + ofType(12) + strings.Repeat("}", 50) + `}}`
	abuseRefused(t, "depth inside 50 inline fragments", f.root.Do(t, inline, nil), "DEPTH_LIMIT_EXCEEDED")

	// Nesting through list fields (types → fields → type → fields …) within the
	// depth limit is refused by validation.
	lists := `{` + canary + `__schema{types{fields{type{fields{type{fields{type{name}}}}}}}}}`
	r = f.root.Do(t, lists, nil)
	abuseRefused(t, "introspection nested through lists", r, "GRAPHQL_VALIDATION_FAILED")
	if len(r.Errors) == 1 && !strings.Contains(r.Errors[0].Message, "introspection depth") {
		t.Errorf("lists: %q", r.Errors[0].Message)
	}

	// An enterprise admin gets the same refusal before introspection is even
	// considered: the depth is known from the document.
	for _, c := range []*xtest.Client{f.admin, f.srv.Client()} {
		r := c.Do(t, `{__type(name:"User"){`+ofType(12)+`}}`, nil)
		abuseRefused(t, "deep introspection without the right", r, "")
	}

	// No false alarm: the deepest real query through list fields (7 levels) and 50
	// inline fragments around a shallow one execute normally.
	var g struct{ CreateGroup struct{ ID string } }
	f.admin.Do(t, `mutation($m:[ID!]){createGroup(name:"Deep",memberIds:$m){id}}`, map[string]any{"m": []string{f.member1}}).Decode(t, &g)
	var deep struct {
		Group struct {
			Members struct {
				Edges []struct {
					Node struct {
						Enterprise struct{ Branding struct{ PrimaryColor string } }
					}
				}
			}
		}
	}
	f.admin.Do(t, `query($id:ID!){group(id:$id){members{edges{node{enterprise{branding{primaryColor}}}}}}}`, map[string]any{"id": g.CreateGroup.ID}).Decode(t, &deep)
	if len(deep.Group.Members.Edges) != 1 || deep.Group.Members.Edges[0].Node.Enterprise.Branding.PrimaryColor == "" {
		t.Errorf("deepest real query: %+v", deep)
	}
	var me struct{ Me struct{ ID string } }
	f.member.Do(t, `{me{`+strings.Repeat("... on User{", 50)+"id"+strings.Repeat("}", 50)+`}}`, nil).Decode(t, &me)
	if me.Me.ID != f.member1 {
		t.Errorf("50 inline fragments: me = %+v", me)
	}
	abuseHealthy(t, f)
}

func TestAbuseAliases(t *testing.T) {
	f := abuseSetup(t)
	if n := abuseGroupCount(t, f); n != 0 {
		t.Fatalf("groups before: %d", n)
	}
	typename := `{` + abuseAliases(5000, func(i int) string { return fmt.Sprintf("a%d:__typename", i) }) + `}`
	createGroups := func(n int) string {
		return `mutation{` + abuseAliases(n, func(i int) string { return fmt.Sprintf(`g%d:createGroup(name:"g%d"){id}`, i, i) }) + `}`
	}

	// 5,000 aliases do not fit the JSON body limit: refused before parsing.
	for _, doc := range []string{typename, createGroups(5000)} {
		r := f.admin.Do(t, doc, nil)
		abuseRefused(t, "5000 aliases as JSON", r, "")
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("5000 aliases as JSON: status %d, want 413", r.Status)
		}
	}
	// The upload transport takes large bodies, but not large documents.
	for _, doc := range []string{typename, createGroups(5000)} {
		abuseRefused(t, "5000 aliases as multipart", abuseMultipart(t, f.admin, doc), "DOCUMENT_TOO_LARGE")
	}
	// A websocket message that large closes the connection.
	for _, doc := range []string{typename, createGroups(5000)} {
		if m, status := abuseWSExchange(t, f.admin, doc); status != websocket.StatusMessageTooBig {
			t.Errorf("5000 aliases over websocket: answer %+v, close status %v", m, status)
		}
	}
	// Fewer aliases that fit the body still exceed the token limit.
	r := f.admin.Do(t, `{`+abuseAliases(1000, func(i int) string { return fmt.Sprintf("m%d:me{id}", i) })+`}`, nil)
	abuseRefused(t, "1000 aliased me{id}", r, "GRAPHQL_PARSE_FAILED")
	if len(r.Errors) == 1 && r.Errors[0].Message != "exceeded token limit of 5000" {
		t.Errorf("1000 aliased me{id}: %q", r.Errors[0].Message)
	}
	abuseRefused(t, "600 aliased createGroup", f.admin.Do(t, createGroups(600), nil), "GRAPHQL_PARSE_FAILED")
	abuseRefused(t, "600 aliased createGroup as multipart", abuseMultipart(t, f.admin, createGroups(600)), "GRAPHQL_PARSE_FAILED")
	if m, _ := abuseWSExchange(t, f.admin, createGroups(600)); m == nil {
		t.Error("600 aliased createGroup over websocket: no answer")
	} else {
		abuseRefusedAll(t, "600 aliased createGroup over websocket", abuseWSErrors(t, m), "GRAPHQL_PARSE_FAILED")
	}

	// Within the token limit, the complexity limit refuses many aliases of a rich
	// selection: 100 createGroup calls of complexity 25 each.
	const richGroup = ` fragment G on Group{id name memberCount createdAt updatedAt members{totalCount pageInfo{hasNextPage endCursor}
		edges{cursor node{id name email phone department title employeeNo role status createdAt updatedAt}}}}`
	rich := `mutation{` + abuseAliases(100, func(i int) string { return fmt.Sprintf(`c%d:createGroup(name:"c%d"){...G}`, i, i) }) + `}` + richGroup
	r = f.admin.Do(t, rich, nil)
	abuseRefused(t, "100 rich createGroup aliases", r, "COMPLEXITY_LIMIT_EXCEEDED")
	if len(r.Errors) == 1 && !strings.Contains(r.Errors[0].Message, "complexity") {
		t.Errorf("complexity: %q", r.Errors[0].Message)
	}
	richQuery := `{` + abuseAliases(100, func(i int) string { return fmt.Sprintf(`q%d:me{...U}`, i) }) + `} fragment U on User{id name email phone department title employeeNo role status createdAt updatedAt enterprise{id name code quota frozen createdAt updatedAt branding{primaryColor mode slogan logoUrl domains}}}`
	abuseRefused(t, "100 rich me aliases", f.member.Do(t, richQuery, nil), "COMPLEXITY_LIMIT_EXCEEDED")

	// Nothing ran: no group was created by any refused document.
	if n := abuseGroupCount(t, f); n != 0 {
		t.Fatalf("refused documents created %d groups", n)
	}
	// Control: a few aliases run, and are counted.
	f.admin.Do(t, createGroups(3), nil).Decode(t, &struct{}{})
	if n := abuseGroupCount(t, f); n != 3 {
		t.Fatalf("3 aliased createGroup made %d groups", n)
	}
	abuseHealthy(t, f)
}

// abuseUnsized hides a reader's length so the request is sent chunked.
type abuseUnsized struct{ io.Reader }

func TestAbuseHugeDocument(t *testing.T) {
	f := abuseSetup(t)
	const mb = 1 << 20
	doc := "#" + strings.Repeat("a", mb) + "\n{me{id}}"
	body, _ := json.Marshal(map[string]any{"query": doc})

	start := time.Now()
	r := abusePost(t, f.admin, http.MethodPost, "application/json", bytes.NewReader(body))
	abuseRefused(t, "1 MB JSON", r, "")
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MB JSON: status %d, want 413", r.Status)
	}
	r = abusePost(t, f.admin, http.MethodPost, "application/json", abuseUnsized{bytes.NewReader(body)})
	abuseRefused(t, "1 MB chunked JSON", r, "")
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MB chunked JSON: status %d, want 413", r.Status)
	}
	// The upload transport reads bodies up to the upload limit; the document itself
	// is still bounded (and so is what the query cache keeps).
	r = abuseMultipart(t, f.admin, doc)
	abuseRefused(t, "1 MB document as multipart", r, "DOCUMENT_TOO_LARGE")
	r = abuseMultipart(t, f.srv.Client(), doc)
	abuseRefused(t, "1 MB document as multipart, anonymous", r, "DOCUMENT_TOO_LARGE")
	if m, status := abuseWSExchange(t, f.admin, doc); status != websocket.StatusMessageTooBig {
		t.Errorf("1 MB over websocket: answer %+v, close status %v", m, status)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusing 1 MB documents took %v", d)
	}
	abuseHealthy(t, f)
	// Websockets still work after one was closed for a huge message.
	if m, _ := abuseWSExchange(t, f.admin, `{me{email}}`); m == nil || m.Type != "next" || !strings.Contains(string(m.Payload), "admin@abuse.test") {
		t.Errorf("websocket after abuse: %+v", m)
	}
}

func TestAbuseCrossOriginWebsocket(t *testing.T) {
	f := abuseSetup(t)
	port := f.srv.Addr()[strings.LastIndexByte(f.srv.Addr(), ':')+1:]
	wsURL := "ws://" + f.srv.Addr() + "/graphql"
	for _, origin := range []string{"http://evil.example", "null", "http://" + f.srv.Addr() + ".evil.example", "http://127.0.0.1:1", "http://evil.example:" + port} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{
			HTTPHeader:   http.Header{"Origin": {origin}, "Authorization": {"Bearer " + f.admin.Token}},
			Subprotocols: []string{"graphql-transport-ws"},
		})
		cancel()
		if err == nil {
			conn.CloseNow()
			t.Errorf("Origin %s: websocket upgrade accepted", origin)
			continue
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("Origin %s: want 403, got %v (%v)", origin, resp, err)
		}
	}
	// Same origin, and the public URL's origin, may open sockets.
	for _, origin := range []string{"http://" + f.srv.Addr(), f.srv.Config.HTTP.PublicURL} {
		c := *f.admin
		c.Header = http.Header{"Origin": {origin}}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ws, err := c.DialWS(ctx, t)
		if err != nil {
			t.Errorf("Origin %s: %v", origin, err)
			cancel()
			continue
		}
		if err := ws.Subscribe(ctx, "1", `{me{email}}`, nil); err != nil {
			t.Fatal(err)
		}
		if m, err := ws.Read(ctx); err != nil || m.Type != "next" {
			t.Errorf("Origin %s: %+v %v", origin, m, err)
		}
		cancel()
	}
}

func TestAbuseIntrospection(t *testing.T) {
	f := abuseSetup(t)
	docs := []string{
		`{__schema{queryType{name}}}`,
		`{__type(name:"User"){name fields{name}}}`,
		`{s:__schema{types{name}}}`,
		`{...Q} fragment Q on Query{__schema{types{name}}}`,
		`{... on Query{... on Query{__type(name:"Role"){enumValues{name}}}}}`,
		// A field that would fail when executed: only the refusal may show.
		`{me{id} member(id:"x"){id} __schema{queryType{name}}}`,
	}
	for who, c := range map[string]*xtest.Client{"anonymous": f.srv.Client(), "enterprise admin": f.admin, "member": f.member} {
		for _, doc := range docs {
			r := c.Do(t, doc, nil)
			abuseRefused(t, "introspection as "+who+": "+doc, r, "INTROSPECTION_DISABLED")
			if len(r.Errors) == 1 && r.Errors[0].Message != "introspection is disabled" {
				t.Errorf("introspection as %s: message %q", who, r.Errors[0].Message)
			}
		}
		// __typename is no introspection of the schema.
		var out struct {
			Typename string `json:"__typename"`
		}
		c.Do(t, `{__typename}`, nil).Decode(t, &out)
		if out.Typename != "Query" {
			t.Errorf("__typename as %s = %q", who, out.Typename)
		}
	}
	// Over a websocket too.
	m, _ := abuseWSExchange(t, f.admin, `{__schema{queryType{name}}}`)
	abuseRefusedAll(t, "introspection over websocket", abuseWSErrors(t, m), "INTROSPECTION_DISABLED")
	// The platform admin may introspect.
	var schema struct {
		Schema struct{ Types []struct{ Name string } } `json:"__schema"`
	}
	f.root.Do(t, `{__schema{types{name}}}`, nil).Decode(t, &schema)
	if len(schema.Schema.Types) < 20 {
		t.Errorf("platform admin introspection: %d types", len(schema.Schema.Types))
	}
}

func TestAbuseNoSuggestions(t *testing.T) {
	f := abuseSetup(t)
	for _, doc := range []string{
		`{mee{id}}`,
		`{me{nam}}`,
		`{me{emial}}`,
		`mutation{crateGroup(name:"x"){id}}`,
		`{members(frist:1){totalCount}}`,
		`mutation{updateBranding(input:{mode:DAKR}){id}}`,
		`mutation{updateBranding(input:{mode:"DARK"}){id}}`,
		`mutation{updateBranding(input:{slogn:"x"}){id}}`,
		`query($x:MemberFiltr){members(filter:$x){totalCount}}`,
		`{me{...on Usr{id}}}`,
		`{me}`,
		`{me{id{x}}}`,
	} {
		for who, c := range map[string]*xtest.Client{"anonymous": f.srv.Client(), "member": f.member} {
			r := c.Do(t, doc, nil)
			abuseRefusedAll(t, who+": "+doc, r.Errors, "GRAPHQL_VALIDATION_FAILED")
			if d := strings.TrimSpace(string(r.Data)); r.Status != http.StatusUnprocessableEntity || (d != "" && d != "null") {
				t.Errorf("%s: %s: status %d, data %s", who, doc, r.Status, d)
			}
		}
	}
	// Variables are coerced without suggestions too.
	r := f.admin.Do(t, `mutation($m:ThemeMode!){updateBranding(input:{mode:$m}){id}}`, map[string]any{"m": "DAKR"})
	abuseRefused(t, "enum variable typo", r, "")
	r = f.admin.Do(t, `mutation($i:BrandingInput!){updateBranding(input:$i){id}}`, map[string]any{"i": map[string]any{"slogn": "x"}})
	abuseRefused(t, "input field variable typo", r, "")
}

func TestAbuseMalformedRequests(t *testing.T) {
	f := abuseSetup(t)
	deepJSON := `{"query":"{me{id}}","variables":{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`
	cases := []struct {
		name, method, contentType, body string
		status                          int
	}{
		{"truncated JSON", "POST", "application/json", `{"query":`, 400},
		{"query is a number", "POST", "application/json", `{"query":5}`, 400},
		{"variables is a string", "POST", "application/json", `{"query":"{me{id}}","variables":"x"}`, 400},
		{"batch array", "POST", "application/json", `[{"query":"{me{id}}"}]`, 400},
		{"empty body", "POST", "application/json", ``, 400},
		{"JSON nested 20000 deep", "POST", "application/json", deepJSON, 400},
		{"no query", "POST", "application/json", `{}`, 422},
		{"unknown operation name", "POST", "application/json", `{"query":"query A{me{id}}","operationName":"B"}`, 422},
		{"text/plain", "POST", "text/plain", `{"query":"{me{id}}"}`, 415},
		{"no content type", "POST", "", `{"query":"{me{id}}"}`, 415},
		{"application/graphql", "POST", "application/graphql", `{me{id}}`, 415},
		{"form", "POST", "application/x-www-form-urlencoded", `query=%7Bme%7Bid%7D%7D`, 415},
		{"GET", "GET", "", ``, 405},
		{"PUT", "PUT", "application/json", `{"query":"{me{id}}"}`, 405},
		{"DELETE", "DELETE", "", ``, 405},
		{"multipart without operations", "POST", "multipart/form-data; boundary=xx", "--xx\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{}\r\n--xx--\r\n", 422},
		{"multipart with bad operations", "POST", "multipart/form-data; boundary=xx", "--xx\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"query\":5}\r\n--xx--\r\n", 422},
		{"multipart garbage", "POST", "multipart/form-data; boundary=xx", "garbage", 422},
		{"subscription over POST", "POST", "application/json", `{"query":"subscription{directoryChanged{kind}}"}`, 422},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := abusePost(t, f.member, tc.method, tc.contentType, strings.NewReader(tc.body))
			if r.Status != tc.status {
				t.Errorf("status %d, want %d (%+v)", r.Status, tc.status, r.Errors)
			}
			abuseRefused(t, tc.name, r, "")
			for _, e := range r.Errors {
				if len(tc.body) > 20 && strings.Contains(e.Message, tc.body) {
					t.Errorf("the error echoes the body: %q", e.Message)
				}
			}
		})
	}
	// A real upload still works through the checks (the multipart path).
	r := f.admin.Upload(t, `mutation($f:Upload!){importMembers(file:$f,dryRun:true){total errors{code}}}`, nil, "f", "m.csv", []byte("Name,Email\nNew Person,new@abuse.test\n"))
	var imp struct{ ImportMembers struct{ Total int } }
	r.Decode(t, &imp)
	if imp.ImportMembers.Total != 1 {
		t.Errorf("dry-run import: %s", r.Data)
	}
	abuseHealthy(t, f)
}

// TestAbuseErrorsAreCoded sends one document of each failing kind and checks that
// domain, validation and transport errors alike carry a known code.
func TestAbuseErrorsAreCoded(t *testing.T) {
	f := abuseSetup(t)
	var all []xtest.GQLError
	collect := func(r *xtest.Response) { all = append(all, r.Errors...) }
	collect(f.srv.Client().Do(t, `{me{id}}`, nil))                                                                  // UNAUTHENTICATED
	collect(f.member.Do(t, `mutation{createGroup(name:"x"){id}}`, nil))                                             // FORBIDDEN
	collect(f.member.Do(t, `{member(id:"0123456789abcdef01234567"){id}}`, nil))                                     // NOT_FOUND
	collect(f.admin.Do(t, `mutation{createMember(input:{name:"",email:"bad"}){member{id}}}`, nil))                  // BAD_USER_INPUT
	collect(f.admin.Do(t, `mutation{createMember(input:{name:"Dup",email:"member@abuse.test"}){member{id}}}`, nil)) // CONFLICT
	collect(f.admin.Do(t, `{__schema{types{name}}}`, nil))
	collect(f.admin.Do(t, `{me{id}`, nil))
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("map", "{}")
	mw.Close()
	collect(abusePost(t, f.admin, "POST", mw.FormDataContentType(), &mp))
	if len(all) < 8 {
		t.Fatalf("only %d errors collected", len(all))
	}
	abuseCheckErrors(t, "coded errors", all)
	// Login throttling answers RATE_LIMITED, coded and clean too.
	var last *xtest.Response
	for range 6 {
		last = f.srv.Client().Do(t, `mutation{login(email:"member@abuse.test",password:"wrong-password"){token}}`, nil)
	}
	if last.Code() != "RATE_LIMITED" {
		t.Errorf("6th failed login: %q", last.Code())
	}
	abuseCheckErrors(t, "rate limited login", last.Errors)
}
