package e2e

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jishitong/jishitong/internal/xtest"
)

// dirPassword is the password of every account the directory tests create.
const dirPassword = "dir-password-1"

// dirUserFields selects every field of a User the tests look at.
const dirUserFields = `id name email phone department title employeeNo role status`

// dirUser is a User as the API returns it.
type dirUser struct {
	ID, Name, Email, Phone, Department, Title, EmployeeNo, Role, Status string
}

// dirConn is a UserConnection.
type dirConn struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Edges []struct {
		Cursor string
		Node   dirUser
	}
}

// dirTenant is an enterprise with a signed-in administrator.
type dirTenant struct {
	ID, Name, Code      string
	AdminID, AdminEmail string
	Admin               *xtest.Client
}

// dirNewTenant creates an enterprise named after code and its first admin through
// the platform admin root, and signs the admin in.
func dirNewTenant(t testing.TB, srv *xtest.Server, root *xtest.Client, code string) *dirTenant {
	t.Helper()
	tn := &dirTenant{Name: "Enterprise " + code, Code: code, AdminEmail: "admin@" + code + ".example.com"}
	var e struct{ CreateEnterprise struct{ ID string } }
	root.Do(t, `mutation($in:CreateEnterpriseInput!){createEnterprise(input:$in){id}}`,
		map[string]any{"in": map[string]any{"name": tn.Name, "code": code, "quota": 100}}).Decode(t, &e)
	tn.ID = e.CreateEnterprise.ID
	var a struct {
		CreateEnterpriseAdmin struct {
			Member            dirUser
			GeneratedPassword *string
		}
	}
	root.Do(t, `mutation($e:ID!,$in:NewMemberInput!){createEnterpriseAdmin(enterpriseId:$e,input:$in){member{id role} generatedPassword}}`,
		map[string]any{"e": tn.ID, "in": map[string]any{"name": "Admin " + code, "email": tn.AdminEmail, "password": dirPassword}}).Decode(t, &a)
	if a.CreateEnterpriseAdmin.Member.Role != "ENTERPRISE_ADMIN" || a.CreateEnterpriseAdmin.GeneratedPassword != nil {
		t.Fatalf("createEnterpriseAdmin: %+v", a.CreateEnterpriseAdmin)
	}
	tn.AdminID = a.CreateEnterpriseAdmin.Member.ID
	tn.Admin = srv.Login(t, tn.AdminEmail, dirPassword)
	return tn
}

// dirCreate creates a member and returns it with the generated password, if any.
func dirCreate(t testing.TB, c *xtest.Client, in map[string]any) (dirUser, *string) {
	t.Helper()
	var out struct {
		CreateMember struct {
			Member            dirUser
			GeneratedPassword *string
		}
	}
	c.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{`+dirUserFields+`} generatedPassword}}`,
		map[string]any{"in": in}).Decode(t, &out)
	return out.CreateMember.Member, out.CreateMember.GeneratedPassword
}

// dirMembers runs the members query.
func dirMembers(t testing.TB, c *xtest.Client, filter map[string]any, first int, after string) dirConn {
	t.Helper()
	vars := map[string]any{"f": filter, "n": first}
	if after != "" {
		vars["a"] = after
	}
	var out struct{ Members dirConn }
	c.Do(t, `query($f:MemberFilter,$n:Int,$a:String){members(filter:$f,first:$n,after:$a){totalCount pageInfo{hasNextPage endCursor} edges{cursor node{`+dirUserFields+`}}}}`,
		vars).Decode(t, &out)
	return out.Members
}

// dirSearchEmails returns the emails of the first 100 members matching search (a
// page of 200 with every field is above the complexity limit).
func dirSearchEmails(t testing.TB, c *xtest.Client, search string) []string {
	t.Helper()
	conn := dirMembers(t, c, map[string]any{"search": search}, 100, "")
	var out []string
	for _, e := range conn.Edges {
		out = append(out, e.Node.Email)
	}
	slices.Sort(out)
	return out
}

// dirWantErr fails unless r is an error with code and, when field is set,
// extensions.field. It returns the first error's message.
func dirWantErr(t testing.TB, r *xtest.Response, code, field string) string {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("want a %s error, got data %s", code, r.Data)
	}
	if r.Code() != code {
		t.Fatalf("code %q, want %s: %+v", r.Code(), code, r.Errors)
	}
	if field != "" {
		if f, _ := r.Errors[0].Extensions["field"].(string); f != field {
			t.Fatalf("extensions.field %q, want %q: %+v", f, field, r.Errors)
		}
	}
	return r.Errors[0].Message
}

// dirLoginCode tries to log in and returns the error code ("" on success).
func dirLoginCode(t testing.TB, srv *xtest.Server, email, password string) string {
	t.Helper()
	return srv.Client().Do(t, `mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}`,
		map[string]any{"e": email, "p": password}).Code()
}

// dirImportResult is an ImportResult.
type dirImportResult struct {
	Applied                            bool
	Total, Created, Updated, Unchanged int
	Errors                             []struct {
		Row                          int
		Column, Field, Code, Message string
	}
}

const dirImportDoc = `mutation($f:Upload!,$d:Boolean){importMembers(file:$f,dryRun:$d){applied total created updated unchanged errors{row column field code message}}}`

// dirImportResp uploads a file to importMembers and returns the raw response.
func dirImportResp(t testing.TB, c *xtest.Client, filename string, content []byte, dryRun bool) *xtest.Response {
	t.Helper()
	return c.Upload(t, dirImportDoc, map[string]any{"d": dryRun}, "f", filename, content)
}

// dirImport uploads a file to importMembers and decodes the result.
func dirImport(t testing.TB, c *xtest.Client, filename string, content []byte, dryRun bool) dirImportResult {
	t.Helper()
	var out struct{ ImportMembers dirImportResult }
	dirImportResp(t, c, filename, content, dryRun).Decode(t, &out)
	return out.ImportMembers
}

// dirCSV renders rows (header first) as UTF-8 CSV with a BOM, as Excel saves it.
func dirCSV(rows [][]string) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	_ = w.WriteAll(rows)
	return buf.Bytes()
}

// dirHeader is the import header in template order.
var dirHeader = []string{"姓名", "邮箱", "手机", "部门", "职务", "工号", "角色"}

// dirTemplate downloads the real XLSX import template as c.
func dirTemplate(t testing.TB, c *xtest.Client) []byte {
	t.Helper()
	resp, body := c.Get(t, "/api/directory/template.xlsx")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("template: status %d: %s", resp.StatusCode, body)
	}
	return body
}

// dirFillTemplate writes rows into the first sheet of the template from row 2 on
// (replacing the example row) and returns the workbook.
func dirFillTemplate(t testing.TB, tmpl []byte, rows [][]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(tmpl))
	if err != nil {
		t.Fatalf("open template: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range rows {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &r); err != nil {
			t.Fatalf("fill row %d: %v", i+2, err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatalf("write workbook: %v", err)
	}
	return buf.Bytes()
}

// dirRows generates n valid member rows (name, email, phone, department, title,
// employee number, role) with emails under domain.
func dirRows(n int, domain string) [][]string {
	surnames := []string{"王", "李", "张", "刘", "陈", "Smith", "o'Brien", "Zhou"}
	depts := []string{"研发部", "市场部", "Sales", "财务部", "HR"}
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{
			fmt.Sprintf("%s %04d", surnames[i%len(surnames)], i),
			fmt.Sprintf("user%04d@%s", i, domain),
			fmt.Sprintf("139%08d", i),
			depts[i%len(depts)],
			"Engineer",
			fmt.Sprintf("E%05d", i),
			"成员",
		}
	}
	return rows
}

func TestDirectoryMembers(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	acme := dirNewTenant(t, srv, root, "acme")
	admin := acme.Admin

	t.Run("create with and without password", func(t *testing.T) {
		m, gen := dirCreate(t, admin, map[string]any{"name": " 李 雷 ", "email": "Li.Lei@Acme.Example.com", "password": "li-lei-password"})
		if gen != nil {
			t.Fatalf("generatedPassword %q for a given password", *gen)
		}
		if m.Name != "李 雷" || m.Email != "li.lei@acme.example.com" || m.Role != "MEMBER" || m.Status != "ACTIVE" {
			t.Fatalf("created member %+v", m)
		}
		if code := dirLoginCode(t, srv, "li.lei@acme.example.com", "li-lei-password"); code != "" {
			t.Fatalf("login with the given password: %s", code)
		}
		m2, gen := dirCreate(t, admin, map[string]any{"name": "韩梅梅", "email": "han@acme.example.com"})
		if gen == nil || len(*gen) < 12 {
			t.Fatalf("generatedPassword %v, want a strong one", gen)
		}
		c := srv.Login(t, "han@acme.example.com", *gen)
		var me struct{ Me dirUser }
		c.Do(t, `{me{`+dirUserFields+`}}`, nil).Decode(t, &me)
		if me.Me.ID != m2.ID {
			t.Fatalf("me %+v, want %s", me.Me, m2.ID)
		}
		// The password is shown once: reading the member again never shows it.
		r := admin.Do(t, `query($id:ID!){member(id:$id){id}}`, map[string]any{"id": m2.ID})
		if strings.Contains(string(r.Data), *gen) {
			t.Fatalf("generated password leaked in %s", r.Data)
		}
	})

	t.Run("edit every field", func(t *testing.T) {
		m, _ := dirCreate(t, admin, map[string]any{"name": "Edit Me", "email": "edit@acme.example.com", "password": "edit-password-1"})
		old := srv.Login(t, "edit@acme.example.com", "edit-password-1")
		var out struct{ UpdateMember dirUser }
		admin.Do(t, `mutation($id:ID!,$in:UpdateMemberInput!){updateMember(id:$id,input:$in){`+dirUserFields+`}}`, map[string]any{
			"id": m.ID,
			"in": map[string]any{"name": "Edited", "email": "EDITED@acme.example.com", "phone": "+86 138-0013-8000", "department": "研发部",
				"title": "工程师", "employeeNo": "A-001", "role": "ENTERPRISE_ADMIN"},
		}).Decode(t, &out)
		want := dirUser{ID: m.ID, Name: "Edited", Email: "edited@acme.example.com", Phone: "13800138000", Department: "研发部",
			Title: "工程师", EmployeeNo: "A-001", Role: "ENTERPRISE_ADMIN", Status: "ACTIVE"}
		if out.UpdateMember != want {
			t.Fatalf("updated %+v\nwant    %+v", out.UpdateMember, want)
		}
		// A role change ends the member's sessions.
		if code := old.Do(t, `{me{id}}`, nil).Code(); code != "UNAUTHENTICATED" {
			t.Fatalf("session after a role change: code %q", code)
		}
		// Only the fields given change; clearing a field works.
		admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{title:"", role:MEMBER}){`+dirUserFields+`}}`, map[string]any{"id": m.ID}).Decode(t, &out)
		want.Title, want.Role = "", "MEMBER"
		if out.UpdateMember != want {
			t.Fatalf("partial update %+v\nwant %+v", out.UpdateMember, want)
		}
		if code := dirLoginCode(t, srv, "edited@acme.example.com", "edit-password-1"); code != "" {
			t.Fatalf("login with the new email: %s", code)
		}
	})

	t.Run("validation", func(t *testing.T) {
		base := func(kv ...any) map[string]any {
			in := map[string]any{"name": "Valid", "email": "valid@acme.example.com"}
			for i := 0; i < len(kv); i += 2 {
				in[kv[i].(string)] = kv[i+1]
			}
			return in
		}
		for _, c := range []struct {
			name  string
			in    map[string]any
			field string
		}{
			{"empty name", base("name", "  "), "name"},
			{"long name", base("name", strings.Repeat("名", 65)), "name"},
			{"bad email", base("email", "not-an-email"), "email"},
			{"email without dot", base("email", "a@localhost"), "email"},
			{"bad phone", base("phone", "12345"), "phone"},
			{"long department", base("department", strings.Repeat("d", 65)), "department"},
			{"long title", base("title", strings.Repeat("t", 65)), "title"},
			{"bad employee number", base("employeeNo", "A 1"), "employeeNo"},
			{"short password", base("password", "short"), "password"},
			{"platform admin role", base("role", "PLATFORM_ADMIN"), "role"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := admin.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}`, map[string]any{"in": c.in})
				dirWantErr(t, r, "BAD_USER_INPUT", c.field)
			})
		}
		m, _ := dirCreate(t, admin, map[string]any{"name": "Validate", "email": "validate@acme.example.com"})
		for field, v := range map[string]string{"email": "nope", "phone": "999", "name": "", "employeeNo": "逗号"} {
			r := admin.Do(t, `mutation($id:ID!,$in:UpdateMemberInput!){updateMember(id:$id,input:$in){id}}`,
				map[string]any{"id": m.ID, "in": map[string]any{field: v}})
			dirWantErr(t, r, "BAD_USER_INPUT", field)
		}
		// An admin cannot demote, freeze or delete themselves.
		r := admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{role:MEMBER}){id}}`, map[string]any{"id": acme.AdminID})
		dirWantErr(t, r, "BAD_USER_INPUT", "role")
		dirWantErr(t, admin.Do(t, `mutation($id:ID!){freezeMember(id:$id){id}}`, map[string]any{"id": acme.AdminID}), "BAD_USER_INPUT", "")
		dirWantErr(t, admin.Do(t, `mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": acme.AdminID}), "BAD_USER_INPUT", "")
	})

	t.Run("duplicates", func(t *testing.T) {
		a, _ := dirCreate(t, admin, map[string]any{"name": "Dup A", "email": "dup-a@acme.example.com", "employeeNo": "DUP-1"})
		b, _ := dirCreate(t, admin, map[string]any{"name": "Dup B", "email": "dup-b@acme.example.com", "employeeNo": "DUP-2"})
		create := func(in map[string]any) *xtest.Response {
			return admin.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}`, map[string]any{"in": in})
		}
		dirWantErr(t, create(map[string]any{"name": "X", "email": "DUP-A@acme.example.com"}), "CONFLICT", "email")
		dirWantErr(t, create(map[string]any{"name": "X", "email": xtest.AdminEmail}), "CONFLICT", "email")
		dirWantErr(t, create(map[string]any{"name": "X", "email": "dup-x@acme.example.com", "employeeNo": "dup-1"}), "CONFLICT", "employeeNo")
		update := func(id string, in map[string]any) *xtest.Response {
			return admin.Do(t, `mutation($id:ID!,$in:UpdateMemberInput!){updateMember(id:$id,input:$in){id}}`, map[string]any{"id": id, "in": in})
		}
		dirWantErr(t, update(b.ID, map[string]any{"email": a.Email}), "CONFLICT", "email")
		dirWantErr(t, update(b.ID, map[string]any{"employeeNo": "DUP-1"}), "CONFLICT", "employeeNo")
		// The failed updates changed nothing.
		var got struct{ Member dirUser }
		admin.Do(t, `query($id:ID!){member(id:$id){`+dirUserFields+`}}`, map[string]any{"id": b.ID}).Decode(t, &got)
		if got.Member != b {
			t.Fatalf("member after refused updates %+v, want %+v", got.Member, b)
		}
	})

	t.Run("search", func(t *testing.T) {
		for _, in := range []map[string]any{
			{"name": "欧阳 娜娜", "email": "nana@acme.example.com", "phone": "13912345678", "department": "Search Dept", "title": "经理"},
			{"name": "Nanako Ito", "email": "ito@acme.example.com", "phone": "+81312345678", "department": "Search Dept"},
			{"name": "Bob Builder", "email": "bob.search@acme.example.com", "department": "Other Dept", "employeeNo": "SRCH-77"},
		} {
			dirCreate(t, admin, in)
		}
		for _, c := range []struct {
			search string
			want   []string
		}{
			{"娜娜", []string{"nana@acme.example.com"}},
			{"nana", []string{"ito@acme.example.com", "nana@acme.example.com"}}, // name part of Nanako, email of 娜娜
			{"BOB.SEARCH@", []string{"bob.search@acme.example.com"}},
			{"1391234", []string{"nana@acme.example.com"}},
			{"+8131", []string{"ito@acme.example.com"}},
			{"search dept", []string{"ito@acme.example.com", "nana@acme.example.com"}},
			{"srch-77", []string{"bob.search@acme.example.com"}},
			{"经理", []string{"nana@acme.example.com"}},
			{".*", nil}, // regex characters are literal
			{"no such member", nil},
		} {
			if got := dirSearchEmails(t, admin, c.search); !slices.Equal(got, c.want) {
				t.Errorf("search %q: %v, want %v", c.search, got, c.want)
			}
		}
		conn := dirMembers(t, admin, map[string]any{"department": "Search Dept"}, 50, "")
		if conn.TotalCount != 2 {
			t.Errorf("department filter: %d members, want 2", conn.TotalCount)
		}
		dirWantErr(t, admin.Do(t, `{members(filter:{search:"`+strings.Repeat("x", 101)+`"}){totalCount}}`, nil), "BAD_USER_INPUT", "search")
	})

	t.Run("pagination", func(t *testing.T) {
		rows := append([][]string{dirHeader}, dirRows(120, "page.acme.example.com")...)
		if res := dirImport(t, admin, "members.csv", dirCSV(rows), false); !res.Applied || res.Created != 120 {
			t.Fatalf("seed import: %+v", res)
		}
		first := dirMembers(t, admin, nil, 1, "")
		total := first.TotalCount
		if total < 120 {
			t.Fatalf("totalCount %d, want at least 120", total)
		}
		seen := map[string]bool{}
		after, pages := "", 0
		for {
			page := dirMembers(t, admin, nil, 25, after)
			pages++
			if page.TotalCount != total {
				t.Fatalf("page %d: totalCount %d, want %d", pages, page.TotalCount, total)
			}
			for _, e := range page.Edges {
				if seen[e.Node.ID] {
					t.Fatalf("page %d: %s (%s) listed twice", pages, e.Node.ID, e.Node.Name)
				}
				seen[e.Node.ID] = true
			}
			if len(page.Edges) > 0 && (page.PageInfo.EndCursor == nil || *page.PageInfo.EndCursor != page.Edges[len(page.Edges)-1].Cursor) {
				t.Fatalf("page %d: endCursor %v is not the last edge's cursor", pages, page.PageInfo.EndCursor)
			}
			if !page.PageInfo.HasNextPage {
				break
			}
			if len(page.Edges) != 25 {
				t.Fatalf("page %d: %d edges with a next page", pages, len(page.Edges))
			}
			after = *page.PageInfo.EndCursor
			if pages > 100 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != total {
			t.Fatalf("walked %d members over %d pages, totalCount %d", len(seen), pages, total)
		}
		// The order itself (pinyin) is TestDirectoryPinyinOrder's.
		// A filtered walk pages the same way.
		n, after := 0, ""
		for {
			page := dirMembers(t, admin, map[string]any{"search": "page.acme"}, 7, after)
			n += len(page.Edges)
			if page.TotalCount != 120 {
				t.Fatalf("filtered totalCount %d", page.TotalCount)
			}
			if !page.PageInfo.HasNextPage {
				break
			}
			after = *page.PageInfo.EndCursor
		}
		if n != 120 {
			t.Fatalf("filtered walk saw %d members, want 120", n)
		}
		for _, bad := range []string{`first:0`, `first:201`, `first:-1`, `after:"garbage!"`} {
			dirWantErr(t, admin.Do(t, `{members(`+bad+`){totalCount}}`, nil), "BAD_USER_INPUT", "")
		}
	})

	t.Run("freeze and unfreeze", func(t *testing.T) {
		m, _ := dirCreate(t, admin, map[string]any{"name": "Frosty", "email": "frosty@acme.example.com", "password": "frosty-password"})
		c := srv.Login(t, "frosty@acme.example.com", "frosty-password")
		var out struct{ FreezeMember dirUser }
		admin.Do(t, `mutation($id:ID!){freezeMember(id:$id){`+dirUserFields+`}}`, map[string]any{"id": m.ID}).Decode(t, &out)
		if out.FreezeMember.Status != "FROZEN" {
			t.Fatalf("frozen member status %s", out.FreezeMember.Status)
		}
		if code := c.Do(t, `{me{id}}`, nil).Code(); code != "UNAUTHENTICATED" {
			t.Fatalf("session of a frozen member: %q", code)
		}
		if code := dirLoginCode(t, srv, "frosty@acme.example.com", "frosty-password"); code != "UNAUTHENTICATED" {
			t.Fatalf("frozen login: %q, want UNAUTHENTICATED", code)
		}
		frozen := dirMembers(t, admin, map[string]any{"status": "FROZEN"}, 50, "")
		if frozen.TotalCount != 1 || frozen.Edges[0].Node.ID != m.ID {
			t.Fatalf("frozen filter: %+v", frozen)
		}
		if got := dirSearchEmails(t, admin, "frosty"); len(got) != 1 {
			t.Fatalf("frozen members are still listed: %v", got)
		}
		var un struct{ UnfreezeMember dirUser }
		admin.Do(t, `mutation($id:ID!){unfreezeMember(id:$id){status}}`, map[string]any{"id": m.ID}).Decode(t, &un)
		if un.UnfreezeMember.Status != "ACTIVE" {
			t.Fatalf("unfrozen status %s", un.UnfreezeMember.Status)
		}
		if code := dirLoginCode(t, srv, "frosty@acme.example.com", "frosty-password"); code != "" {
			t.Fatalf("login after unfreeze: %q", code)
		}
	})

	t.Run("delete", func(t *testing.T) {
		m, _ := dirCreate(t, admin, map[string]any{"name": "Gone Soon", "email": "gone@acme.example.com", "employeeNo": "GONE-1", "password": "gone-password-1"})
		other, _ := dirCreate(t, admin, map[string]any{"name": "Stays", "email": "stays@acme.example.com"})
		c := srv.Login(t, "gone@acme.example.com", "gone-password-1")
		var g struct{ CreateGroup struct{ ID string } }
		admin.Do(t, `mutation($ids:[ID!]){createGroup(name:"Before delete",memberIds:$ids){id}}`,
			map[string]any{"ids": []string{m.ID, other.ID}}).Decode(t, &g)

		var del struct{ DeleteMember string }
		admin.Do(t, `mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": m.ID}).Decode(t, &del)
		if del.DeleteMember != m.ID {
			t.Fatalf("deleteMember returned %q", del.DeleteMember)
		}
		if code := c.Do(t, `{me{id}}`, nil).Code(); code != "UNAUTHENTICATED" {
			t.Fatalf("session of a deleted member: %q", code)
		}
		if code := dirLoginCode(t, srv, "gone@acme.example.com", "gone-password-1"); code != "UNAUTHENTICATED" {
			t.Fatalf("deleted login: %q", code)
		}
		if got := dirSearchEmails(t, admin, "gone"); len(got) != 0 {
			t.Fatalf("deleted member still listed: %v", got)
		}
		var one struct{ Member dirUser }
		admin.Do(t, `query($id:ID!){member(id:$id){`+dirUserFields+`}}`, map[string]any{"id": m.ID}).Decode(t, &one)
		if one.Member.Name != "Gone Soon" || one.Member.Status != "DELETED" {
			t.Fatalf("deleted member reads %+v", one.Member)
		}
		var grp struct {
			Group struct {
				MemberCount int
				Members     dirConn
			}
		}
		admin.Do(t, `query($id:ID!){group(id:$id){memberCount members{totalCount edges{node{id}}}}}`, map[string]any{"id": g.CreateGroup.ID}).Decode(t, &grp)
		if grp.Group.MemberCount != 1 || grp.Group.Members.TotalCount != 1 || grp.Group.Members.Edges[0].Node.ID != other.ID {
			t.Fatalf("group after delete: %+v", grp.Group)
		}
		// A deleted member cannot be edited, frozen or deleted again.
		dirWantErr(t, admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{name:"x"}){id}}`, map[string]any{"id": m.ID}), "NOT_FOUND", "")
		dirWantErr(t, admin.Do(t, `mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": m.ID}), "NOT_FOUND", "")
		// The email and employee number are free again.
		again, _ := dirCreate(t, admin, map[string]any{"name": "New Gone", "email": "gone@acme.example.com", "employeeNo": "GONE-1", "password": "new-gone-password"})
		if again.ID == m.ID {
			t.Fatal("reused the deleted member")
		}
		if code := dirLoginCode(t, srv, "gone@acme.example.com", "new-gone-password"); code != "" {
			t.Fatalf("login of the new member with the reused email: %q", code)
		}
	})

	t.Run("reset password", func(t *testing.T) {
		m, _ := dirCreate(t, admin, map[string]any{"name": "Forgetful", "email": "forgetful@acme.example.com", "password": "forgot-password"})
		c := srv.Login(t, "forgetful@acme.example.com", "forgot-password")
		var out struct{ ResetMemberPassword string }
		admin.Do(t, `mutation($id:ID!){resetMemberPassword(id:$id)}`, map[string]any{"id": m.ID}).Decode(t, &out)
		if len(out.ResetMemberPassword) < 12 {
			t.Fatalf("reset password %q", out.ResetMemberPassword)
		}
		if code := c.Do(t, `{me{id}}`, nil).Code(); code != "UNAUTHENTICATED" {
			t.Fatalf("session after a password reset: %q", code)
		}
		if code := dirLoginCode(t, srv, "forgetful@acme.example.com", "forgot-password"); code != "UNAUTHENTICATED" {
			t.Fatalf("old password after reset: %q", code)
		}
		srv.Login(t, "forgetful@acme.example.com", out.ResetMemberPassword)
	})

	t.Run("other enterprise is invisible", func(t *testing.T) {
		beta := dirNewTenant(t, srv, root, "beta")
		bm, _ := dirCreate(t, beta.Admin, map[string]any{"name": "Beta Person", "email": "person@beta.example.com"})
		dirWantErr(t, admin.Do(t, `query($id:ID!){member(id:$id){id}}`, map[string]any{"id": bm.ID}), "NOT_FOUND", "")
		dirWantErr(t, admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{name:"x"}){id}}`, map[string]any{"id": bm.ID}), "NOT_FOUND", "")
		dirWantErr(t, admin.Do(t, `mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": bm.ID}), "NOT_FOUND", "")
		if got := dirSearchEmails(t, admin, "beta"); len(got) != 0 {
			t.Fatalf("acme sees beta members: %v", got)
		}
	})
}

func TestDirectoryGroups(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	acme := dirNewTenant(t, srv, root, "acme")
	beta := dirNewTenant(t, srv, root, "beta")
	admin := acme.Admin

	var ids []string
	for i := range 4 {
		m, _ := dirCreate(t, admin, map[string]any{"name": fmt.Sprintf("Grouped %d", i), "email": fmt.Sprintf("g%d@acme.example.com", i)})
		ids = append(ids, m.ID)
	}
	member, _ := dirCreate(t, admin, map[string]any{"name": "Plain Member", "email": "plain@acme.example.com", "password": "plain-password-1"})
	outsider, _ := dirCreate(t, beta.Admin, map[string]any{"name": "Outsider", "email": "out@beta.example.com"})

	type group struct {
		ID, Name    string
		MemberCount int
		Members     dirConn
	}
	const groupFields = `id name memberCount members(first:50){totalCount edges{node{id}}}`
	memberIDs := func(g group) []string {
		var out []string
		for _, e := range g.Members.Edges {
			out = append(out, e.Node.ID)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s ...string) []string { s = slices.Clone(s); slices.Sort(s); return s }

	var created struct{ CreateGroup group }
	admin.Do(t, `mutation($ids:[ID!]){createGroup(name:" Sales Team ",memberIds:$ids){`+groupFields+`}}`,
		map[string]any{"ids": []string{ids[0], ids[1], ids[0]}}).Decode(t, &created)
	g := created.CreateGroup
	if g.Name != "Sales Team" || g.MemberCount != 2 || !slices.Equal(memberIDs(g), sorted(ids[0], ids[1])) {
		t.Fatalf("created group %+v", g)
	}

	dirWantErr(t, admin.Do(t, `mutation{createGroup(name:"sales team"){id}}`, nil), "CONFLICT", "name")
	dirWantErr(t, admin.Do(t, `mutation{createGroup(name:"  "){id}}`, nil), "BAD_USER_INPUT", "name")
	// Another enterprise may use the same name.
	beta.Admin.Do(t, `mutation{createGroup(name:"Sales Team"){id}}`, nil).Decode(t, &struct{}{})

	var empty struct{ CreateGroup group }
	admin.Do(t, `mutation{createGroup(name:"Empty"){`+groupFields+`}}`, nil).Decode(t, &empty)
	if empty.CreateGroup.MemberCount != 0 || empty.CreateGroup.Members.TotalCount != 0 {
		t.Fatalf("empty group %+v", empty.CreateGroup)
	}
	dirWantErr(t, admin.Do(t, `mutation($id:ID!){renameGroup(id:$id,name:"SALES TEAM"){id}}`, map[string]any{"id": empty.CreateGroup.ID}), "CONFLICT", "name")

	var renamed struct{ RenameGroup group }
	admin.Do(t, `mutation($id:ID!){renameGroup(id:$id,name:"Sales & Support"){`+groupFields+`}}`, map[string]any{"id": g.ID}).Decode(t, &renamed)
	if renamed.RenameGroup.Name != "Sales & Support" || renamed.RenameGroup.MemberCount != 2 {
		t.Fatalf("renamed %+v", renamed.RenameGroup)
	}
	// The old name is free again.
	admin.Do(t, `mutation{createGroup(name:"Sales Team"){id}}`, nil).Decode(t, &struct{}{})

	var added struct{ AddGroupMembers group }
	admin.Do(t, `mutation($id:ID!,$ids:[ID!]!){addGroupMembers(id:$id,memberIds:$ids){`+groupFields+`}}`,
		map[string]any{"id": g.ID, "ids": []string{ids[1], ids[2], ids[3]}}).Decode(t, &added)
	if added.AddGroupMembers.MemberCount != 4 || !slices.Equal(memberIDs(added.AddGroupMembers), sorted(ids...)) {
		t.Fatalf("after add %+v", added.AddGroupMembers)
	}
	var removed struct{ RemoveGroupMembers group }
	admin.Do(t, `mutation($id:ID!,$ids:[ID!]!){removeGroupMembers(id:$id,memberIds:$ids){`+groupFields+`}}`,
		map[string]any{"id": g.ID, "ids": []string{ids[0], ids[2]}}).Decode(t, &removed)
	if !slices.Equal(memberIDs(removed.RemoveGroupMembers), sorted(ids[1], ids[3])) {
		t.Fatalf("after remove %+v", removed.RemoveGroupMembers)
	}

	// Members of another enterprise answer like unknown ones, and nothing changes.
	for _, bad := range []string{outsider.ID, "000000000000000000000000", "not-an-id"} {
		dirWantErr(t, admin.Do(t, `mutation($id:ID!,$ids:[ID!]!){addGroupMembers(id:$id,memberIds:$ids){id}}`,
			map[string]any{"id": g.ID, "ids": []string{ids[0], bad}}), "NOT_FOUND", "")
		dirWantErr(t, admin.Do(t, `mutation($ids:[ID!]){createGroup(name:"With outsider",memberIds:$ids){id}}`,
			map[string]any{"ids": []string{bad}}), "NOT_FOUND", "")
	}
	var one struct{ Group group }
	admin.Do(t, `query($id:ID!){group(id:$id){`+groupFields+`}}`, map[string]any{"id": g.ID}).Decode(t, &one)
	if !slices.Equal(memberIDs(one.Group), sorted(ids[1], ids[3])) {
		t.Fatalf("group changed by a refused add: %+v", one.Group)
	}
	// Groups of another enterprise are invisible.
	dirWantErr(t, beta.Admin.Do(t, `query($id:ID!){group(id:$id){id}}`, map[string]any{"id": g.ID}), "NOT_FOUND", "")
	dirWantErr(t, beta.Admin.Do(t, `mutation($id:ID!){deleteGroup(id:$id)}`, map[string]any{"id": g.ID}), "NOT_FOUND", "")

	// The groups list pages, searches, and its members connections are right for
	// empty groups too.
	var list struct {
		Groups struct {
			TotalCount int
			Edges      []struct{ Node group }
		}
	}
	admin.Do(t, `{groups(first:5){totalCount edges{node{`+groupFields+`}}}}`, nil).Decode(t, &list)
	if list.Groups.TotalCount != 3 {
		t.Fatalf("groups totalCount %d, want 3", list.Groups.TotalCount)
	}
	for _, e := range list.Groups.Edges {
		if e.Node.MemberCount != e.Node.Members.TotalCount {
			t.Errorf("group %q: memberCount %d but members lists %d", e.Node.Name, e.Node.MemberCount, e.Node.Members.TotalCount)
		}
	}
	admin.Do(t, `{groups(search:"SALES",first:1){totalCount edges{node{`+groupFields+`}}}}`, nil).Decode(t, &list)
	if list.Groups.TotalCount != 2 || len(list.Groups.Edges) != 1 {
		t.Fatalf("group search: %+v", list.Groups)
	}

	// A member reads but does not write.
	mc := srv.Login(t, "plain@acme.example.com", "plain-password-1")
	conn := dirMembers(t, mc, nil, 50, "")
	if conn.TotalCount != 6 {
		t.Fatalf("member lists %d members, want 6", conn.TotalCount)
	}
	mc.Do(t, `{groups{totalCount}}`, nil).Decode(t, &struct{}{})
	mc.Do(t, `query($id:ID!){group(id:$id){name members{totalCount}}}`, map[string]any{"id": g.ID}).Decode(t, &struct{}{})
	for name, op := range map[string]struct {
		doc  string
		vars map[string]any
	}{
		"createMember":       {`mutation{createMember(input:{name:"x",email:"x@acme.example.com"}){member{id}}}`, nil},
		"updateMember":       {`mutation($id:ID!){updateMember(id:$id,input:{name:"x"}){id}}`, map[string]any{"id": ids[0]}},
		"updateMember(self)": {`mutation($id:ID!){updateMember(id:$id,input:{role:ENTERPRISE_ADMIN}){id}}`, map[string]any{"id": member.ID}},
		"freezeMember":       {`mutation($id:ID!){freezeMember(id:$id){id}}`, map[string]any{"id": ids[0]}},
		"deleteMember":       {`mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": ids[0]}},
		"resetPassword":      {`mutation($id:ID!){resetMemberPassword(id:$id)}`, map[string]any{"id": ids[0]}},
		"createGroup":        {`mutation{createGroup(name:"Mine"){id}}`, nil},
		"renameGroup":        {`mutation($id:ID!){renameGroup(id:$id,name:"x"){id}}`, map[string]any{"id": g.ID}},
		"addGroupMembers":    {`mutation($id:ID!,$m:ID!){addGroupMembers(id:$id,memberIds:[$m]){id}}`, map[string]any{"id": g.ID, "m": member.ID}},
		"deleteGroup":        {`mutation($id:ID!){deleteGroup(id:$id)}`, map[string]any{"id": g.ID}},
		"updateBranding":     {`mutation{updateBranding(input:{slogan:"x"}){id}}`, nil},
	} {
		dirWantErr(t, mc.Do(t, op.doc, op.vars), "FORBIDDEN", "")
		_ = name
	}
	dirWantErr(t, dirImportResp(t, mc, "m.csv", dirCSV([][]string{dirHeader, dirRows(1, "x.example.com")[0]}), false), "FORBIDDEN", "")
	// Anonymous callers read nothing.
	dirWantErr(t, srv.Client().Do(t, `{members{totalCount}}`, nil), "UNAUTHENTICATED", "")
	dirWantErr(t, srv.Client().Do(t, `{groups{totalCount}}`, nil), "UNAUTHENTICATED", "")

	var del struct{ DeleteGroup string }
	admin.Do(t, `mutation($id:ID!){deleteGroup(id:$id)}`, map[string]any{"id": g.ID}).Decode(t, &del)
	if del.DeleteGroup != g.ID {
		t.Fatalf("deleteGroup returned %q", del.DeleteGroup)
	}
	dirWantErr(t, admin.Do(t, `query($id:ID!){group(id:$id){id}}`, map[string]any{"id": g.ID}), "NOT_FOUND", "")
	// Its members stay.
	if n := dirMembers(t, admin, nil, 50, "").TotalCount; n != 6 {
		t.Fatalf("members after deleting a group: %d, want 6", n)
	}
}

func TestDirectoryImport(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	acme := dirNewTenant(t, srv, root, "acme")
	admin := acme.Admin
	count := func() int { t.Helper(); return dirMembers(t, admin, nil, 1, "").TotalCount }

	tmpl := dirTemplate(t, admin)
	{
		f, err := excelize.OpenReader(bytes.NewReader(tmpl))
		if err != nil {
			t.Fatalf("template is not a workbook: %v", err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		f.Close()
		if err != nil || len(rows) < 1 || !slices.Equal(rows[0], []string{"姓名*", "邮箱", "手机", "部门", "职务", "工号", "角色"}) {
			t.Fatalf("template header %q (%v)", rows, err)
		}
	}

	// The templates, as downloaded, import their example row.
	if res := dirImport(t, admin, "template.xlsx", tmpl, true); res.Total != 1 || res.Created != 1 || len(res.Errors) != 0 {
		t.Fatalf("dry run of the xlsx template: %+v", res)
	}
	for _, lang := range []string{"", "?lang=en"} {
		resp, body := admin.Get(t, "/api/directory/template.csv"+lang)
		if resp.StatusCode != http.StatusOK || strings.Contains(resp.Header.Get("Content-Disposition"), "..") {
			t.Fatalf("template.csv%s: %d %v", lang, resp.StatusCode, resp.Header)
		}
		if res := dirImport(t, admin, "template.csv", body, true); res.Total != 1 || res.Created != 1 || len(res.Errors) != 0 {
			t.Fatalf("dry run of template.csv%s: %+v", lang, res)
		}
	}

	rows := dirRows(1000, "acme.example.com")
	bad := slices.Clone(rows)
	// Row numbers in the file: data index i is spreadsheet row i+2.
	bad[9] = slices.Clone(rows[9])
	bad[9][1] = "not-an-email"
	bad[500] = slices.Clone(rows[500])
	bad[500][2] = "12345"
	bad[999] = slices.Clone(rows[999])
	bad[999][6] = "老板"

	start := time.Now()
	res := dirImport(t, admin, "members.xlsx", dirFillTemplate(t, tmpl, bad), false)
	t.Logf("1,000-row import with 3 bad rows: %v", time.Since(start))
	if res.Applied || res.Total != 1000 || len(res.Errors) != 3 {
		t.Fatalf("bad file: %+v", res)
	}
	for i, want := range []struct {
		row          int
		column, code string
	}{{11, "B", "invalid_email"}, {502, "C", "invalid_phone"}, {1001, "G", "invalid_role"}} {
		e := res.Errors[i]
		if e.Row != want.row || e.Column != want.column || e.Code != want.code || e.Message == "" {
			t.Errorf("error %d: %+v, want row %d column %s code %s", i, e, want.row, want.column, want.code)
		}
	}
	if n := count(); n != 1 {
		t.Fatalf("a refused import wrote members: %d", n)
	}

	good := dirFillTemplate(t, tmpl, rows)
	start = time.Now()
	res = dirImport(t, admin, "members.xlsx", good, false)
	t.Logf("1,000-row import: %v", time.Since(start))
	if !res.Applied || res.Total != 1000 || res.Created != 1000 || res.Updated != 0 || res.Unchanged != 0 || len(res.Errors) != 0 {
		t.Fatalf("fixed file: %+v", res)
	}
	if n := count(); n != 1001 {
		t.Fatalf("members after import: %d, want 1001", n)
	}
	// Imported values are stored as given.
	conn := dirMembers(t, admin, map[string]any{"search": "user0042@"}, 5, "")
	if conn.TotalCount != 1 {
		t.Fatalf("search for an imported member: %+v", conn)
	}
	want := dirUser{ID: conn.Edges[0].Node.ID, Name: rows[42][0], Email: rows[42][1], Phone: rows[42][2], Department: rows[42][3],
		Title: rows[42][4], EmployeeNo: rows[42][5], Role: "MEMBER", Status: "ACTIVE"}
	if conn.Edges[0].Node != want {
		t.Fatalf("imported member %+v\nwant %+v", conn.Edges[0].Node, want)
	}

	res = dirImport(t, admin, "members.xlsx", good, false)
	if !res.Applied || res.Created != 0 || res.Updated != 0 || res.Unchanged != 1000 || len(res.Errors) != 0 {
		t.Fatalf("same file again: %+v", res)
	}

	changed := slices.Clone(rows)
	for _, i := range []int{0, 100, 200, 300, 999} {
		changed[i] = slices.Clone(rows[i])
		changed[i][3] = "新部门"
	}
	res = dirImport(t, admin, "members.xlsx", dirFillTemplate(t, tmpl, changed), false)
	if !res.Applied || res.Created != 0 || res.Updated != 5 || res.Unchanged != 995 {
		t.Fatalf("5 changed rows: %+v", res)
	}
	if n := dirMembers(t, admin, map[string]any{"department": "新部门"}, 10, "").TotalCount; n != 5 {
		t.Fatalf("members in the new department: %d, want 5", n)
	}
	if n := count(); n != 1001 {
		t.Fatalf("members after update import: %d", n)
	}

	t.Run("dry run", func(t *testing.T) {
		dry := slices.Clone(changed)
		dry[1] = slices.Clone(changed[1])
		dry[1][4] = "Dry Title"
		dry = append(dry, []string{"Dry New", "dry-new@acme.example.com", "", "", "", "", ""})
		res := dirImport(t, admin, "members.xlsx", dirFillTemplate(t, tmpl, dry), true)
		if res.Applied || res.Total != 1001 || res.Created != 1 || res.Updated != 1 || res.Unchanged != 999 || len(res.Errors) != 0 {
			t.Fatalf("dry run: %+v", res)
		}
		if n := count(); n != 1001 {
			t.Fatalf("dry run wrote members: %d", n)
		}
		if got := dirSearchEmails(t, admin, "dry title"); len(got) != 0 {
			t.Fatalf("dry run updated members: %v", got)
		}
	})

	t.Run("csv with BOM", func(t *testing.T) {
		csvRows := [][]string{
			{"姓名", "邮箱", "手机", "部门", "工号"},
			{"王小明", "wxm@csv.acme.example.com", "+86 139 9000 0001", "市场部", "CSV-1"},
			{"  Łukasz Nowak ", "LUKASZ@csv.acme.example.com", "", "Sales", ""},
		}
		b := dirCSV(csvRows)
		if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
			t.Fatal("no BOM")
		}
		res := dirImport(t, admin, "成员.csv", b, false)
		if !res.Applied || res.Created != 2 || len(res.Errors) != 0 {
			t.Fatalf("csv import: %+v", res)
		}
		conn := dirMembers(t, admin, map[string]any{"search": "csv.acme"}, 10, "")
		if conn.TotalCount != 2 || conn.Edges[0].Node.Name != "Łukasz Nowak" || conn.Edges[0].Node.Email != "lukasz@csv.acme.example.com" ||
			conn.Edges[1].Node.Name != "王小明" || conn.Edges[1].Node.Phone != "13990000001" || conn.Edges[1].Node.Department != "市场部" {
			t.Fatalf("csv members %+v", conn.Edges)
		}
		if res := dirImport(t, admin, "成员.csv", b, false); !res.Applied || res.Unchanged != 2 {
			t.Fatalf("csv again: %+v", res)
		}
	})

	t.Run("email of another enterprise", func(t *testing.T) {
		beta := dirNewTenant(t, srv, root, "secretbeta")
		dirCreate(t, beta.Admin, map[string]any{"name": "Beta Person", "email": "taken@secretbeta.example.com"})
		rows := [][]string{dirHeader,
			{"Fine", "fine@acme.example.com", "", "", "", "", ""},
			{"Thief", "TAKEN@secretbeta.example.com", "", "", "", "", ""},
			{"Platform", xtest.AdminEmail, "", "", "", "", ""},
		}
		before := count()
		resp := dirImportResp(t, admin, "m.csv", dirCSV(rows), false)
		var out struct{ ImportMembers dirImportResult }
		resp.Decode(t, &out)
		res := out.ImportMembers
		if res.Applied || len(res.Errors) != 2 || res.Errors[0].Row != 3 || res.Errors[0].Column != "B" || res.Errors[0].Field != "email" ||
			res.Errors[1].Row != 4 || res.Errors[1].Column != "B" {
			t.Fatalf("taken emails: %+v", res)
		}
		raw := strings.ToLower(string(resp.Data))
		for _, secret := range []string{beta.ID, strings.ToLower(beta.Name), beta.Code + "\"", "beta person", "enterprise"} {
			if strings.Contains(raw, strings.ToLower(secret)) {
				t.Errorf("import error reveals %q: %s", secret, resp.Data)
			}
		}
		if n := count(); n != before {
			t.Fatalf("refused import wrote members: %d -> %d", before, n)
		}
	})

	t.Run("employee numbers differing in case", func(t *testing.T) {
		before := count()
		res := dirImport(t, admin, "m.csv", dirCSV([][]string{dirHeader,
			{"Case A", "case-a@acme.example.com", "", "", "", "cs-001", ""},
			{"Case B", "case-b@acme.example.com", "", "", "", "CS-001", ""},
			// user0042's number in other case: matches that member, whose email it changes.
			{"Case C", "case-c@acme.example.com", "", "", "", "e00042", ""},
		}), false)
		if res.Applied || res.Created != 1 || res.Updated != 1 || len(res.Errors) != 1 || res.Errors[0].Row != 3 || res.Errors[0].Column != "F" ||
			res.Errors[0].Code != "duplicate_in_file" {
			t.Fatalf("case-insensitive employee numbers: %+v", res)
		}
		if n := count(); n != before {
			t.Fatalf("refused import wrote members: %d -> %d", before, n)
		}
	})

	t.Run("bad files", func(t *testing.T) {
		for _, c := range []struct {
			name, file string
			content    []byte
		}{
			{"png", "members.xlsx", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
			{"garbage zip", "members.xlsx", []byte("PK\x03\x04garbage")},
			{"legacy xls", "members.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)},
			{"empty", "members.csv", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				dirWantErr(t, dirImportResp(t, admin, c.file, c.content, false), "BAD_USER_INPUT", "file")
			})
		}
		// A bad header is reported as errors, not as a failed request.
		res := dirImport(t, admin, "m.csv", dirCSV([][]string{{"姓名", "Shoe size"}, {"x", "42"}}), false)
		if res.Applied || len(res.Errors) < 2 {
			t.Fatalf("bad header: %+v", res)
		}
	})
}

// dirBomb is the deflated form of a ~500 MB worksheet: an XML prolog and then
// spaces. It is built once, streaming, so the test never holds 500 MB.
var dirBomb = sync.OnceValue(func() (b struct {
	raw  []byte
	crc  uint32
	size uint64
}) {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestSpeed)
	h := crc32.NewIEEE()
	mw := io.MultiWriter(w, h)
	head := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	io.WriteString(mw, head)
	b.size = uint64(len(head))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 500 {
		mw.Write(chunk)
		b.size += uint64(len(chunk))
	}
	w.Close()
	b.raw, b.crc = buf.Bytes(), h.Sum32()
	return b
})

// dirBombXLSX returns base with its first worksheet replaced by the bomb, which
// declares declaredSize bytes uncompressed.
func dirBombXLSX(t testing.TB, base []byte, declaredSize uint64) []byte {
	t.Helper()
	bomb := dirBomb()
	raw, crc := bomb.raw, bomb.crc
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	const part = "xl/worksheets/sheet1.xml"
	found := false
	for _, f := range zr.File {
		if f.Name == part {
			found = true
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if !found {
		t.Fatalf("template has no %s", part)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: part, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: declaredSize})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// dirHeapPeak runs fn while sampling the heap, and returns how far HeapInuse
// rose above what it was before.
func dirHeapPeak(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	peak.Store(base)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak.Load() - base
}

func TestDirectoryImportLimits(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	acme := dirNewTenant(t, srv, root, "acme")
	admin := acme.Admin
	base := dirFillTemplate(t, dirTemplate(t, admin), dirRows(3, "acme.example.com"))
	if res := dirImport(t, admin, "ok.xlsx", base, true); len(res.Errors) != 0 || res.Created != 3 {
		t.Fatalf("base workbook does not import: %+v", res)
	}
	start := time.Now()
	bomb := dirBomb()
	size := bomb.size
	t.Logf("zip bomb: %d MB deflated to %d KB in %v", size>>20, len(bomb.raw)>>10, time.Since(start))

	const maxGrowth = 200 << 20
	for _, c := range []struct {
		name    string
		file    string
		content func() []byte
	}{
		// Sizes declared honestly: the declared total is over the limit.
		{"zip bomb", "bomb.xlsx", func() []byte { return dirBombXLSX(t, base, size) }},
		// Sizes declared small: the part inflates past what it declares.
		{"lying zip bomb", "bomb.xlsx", func() []byte { return dirBombXLSX(t, base, 40<<10) }},
		// Over the sheet limit (5 MiB) but under the upload limit (8 MiB).
		{"6 MiB csv", "big.csv", func() []byte {
			return dirCSV(append([][]string{dirHeader}, dirRows(80_000, "big.example.com")...))
		}},
		// Over the upload limit: refused before the body is read.
		{"9 MiB upload", "huge.csv", func() []byte {
			return bytes.Repeat([]byte("x,y@example.com\r\n"), (9<<20)/17+1)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			content := c.content()
			var r *xtest.Response
			grew := dirHeapPeak(func() { r = dirImportResp(t, admin, c.file, content, false) })
			t.Logf("%s (%d KB): status %d, heap grew %d MB: %v", c.name, len(content)>>10, r.Status, grew>>20, r.Errors)
			dirWantErr(t, r, "BAD_USER_INPUT", "")
			if grew > maxGrowth {
				t.Errorf("heap grew by %d MB", grew>>20)
			}
		})
	}
	if n := dirMembers(t, admin, nil, 1, "").TotalCount; n != 1 {
		t.Fatalf("refused files wrote members: %d", n)
	}
	// The server still works.
	if res := dirImport(t, admin, "ok.xlsx", base, false); !res.Applied || res.Created != 3 {
		t.Fatalf("import after refused files: %+v", res)
	}
}

func TestDirectoryExport(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	acme := dirNewTenant(t, srv, root, "acme")
	admin := acme.Admin

	evil := []string{`=HYPERLINK("x")`, "+1", "-1", "@x", "＝SUM(1)"}
	for i, name := range evil {
		dirCreate(t, admin, map[string]any{"name": name, "email": fmt.Sprintf("evil%d@acme.example.com", i), "department": "-Dept", "title": "=1+1"})
	}
	plain, _ := dirCreate(t, admin, map[string]any{"name": "Plain Person", "email": "plain@acme.example.com", "phone": "+85291234567",
		"department": "研发部", "employeeNo": "007", "role": "ENTERPRISE_ADMIN"})
	frozen, _ := dirCreate(t, admin, map[string]any{"name": "Frozen Person", "email": "frozen@acme.example.com", "phone": "13800138000"})
	admin.Do(t, `mutation($id:ID!){freezeMember(id:$id){id}}`, map[string]any{"id": frozen.ID}).Decode(t, &struct{}{})
	gone, _ := dirCreate(t, admin, map[string]any{"name": "Deleted Person", "email": "deleted@acme.example.com"})
	admin.Do(t, `mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": gone.ID}).Decode(t, &struct{}{})
	mc := srv.Login(t, acme.AdminEmail, dirPassword) // a second admin session
	_ = mc
	member, _ := dirCreate(t, admin, map[string]any{"name": "Reader", "email": "reader@acme.example.com", "password": "reader-password"})
	_ = member
	total := dirMembers(t, admin, nil, 1, "").TotalCount // admin + 5 evil + plain + frozen + reader
	if total != 9 {
		t.Fatalf("members %d, want 9", total)
	}

	reader := srv.Login(t, "reader@acme.example.com", "reader-password")
	for _, ext := range []string{"csv", "xlsx"} {
		if resp, _ := reader.Get(t, "/api/directory/export."+ext); resp.StatusCode != http.StatusForbidden {
			t.Errorf("member export.%s: status %d, want 403", ext, resp.StatusCode)
		}
		if resp, _ := srv.Client().Get(t, "/api/directory/export."+ext); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous export.%s: status %d, want 401", ext, resp.StatusCode)
		}
	}
	if resp, _ := srv.Client().Get(t, "/api/directory/template.xlsx"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous template: status %d, want 401", resp.StatusCode)
	}

	// checkRows checks the exported records (header first) hold every member,
	// neutralised.
	checkRows := func(t *testing.T, recs [][]string) {
		t.Helper()
		if len(recs) != total+1 {
			t.Fatalf("%d records, want %d", len(recs), total+1)
		}
		if recs[0][0] != "姓名" || recs[0][1] != "邮箱" || recs[0][len(recs[0])-1] != "状态" {
			t.Fatalf("header %q", recs[0])
		}
		byEmail := map[string][]string{}
		for _, r := range recs[1:] {
			byEmail[r[1]] = r
		}
		for i, name := range evil {
			r := byEmail[fmt.Sprintf("evil%d@acme.example.com", i)]
			if r == nil || r[0] != "'"+name || r[3] != "'-Dept" || r[4] != "'=1+1" {
				t.Errorf("evil %q exported as %q", name, r)
			}
		}
		if r := byEmail["plain@acme.example.com"]; r == nil || r[0] != "Plain Person" || r[2] != "'+85291234567" || r[5] != "007" || r[6] != "管理员" || r[7] != "正常" {
			t.Errorf("plain member exported as %q", r)
		}
		if r := byEmail["frozen@acme.example.com"]; r == nil || r[7] != "冻结" {
			t.Errorf("frozen member exported as %q", r)
		}
		if byEmail["deleted@acme.example.com"] != nil {
			t.Error("deleted member exported")
		}
		for _, r := range recs[1:] {
			for _, cell := range r {
				if cell != "" && strings.ContainsRune("=+-@＝", []rune(cell)[0]) {
					t.Errorf("cell %q starts a formula", cell)
				}
			}
		}
	}

	var csvFile, xlsxFile []byte
	t.Run("csv", func(t *testing.T) {
		resp, body := admin.Get(t, "/api/directory/export.csv")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
		}
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="members.csv"`) ||
			!strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("通讯录-"+time.Now().In(shanghai).Format("20060102"))+".csv") || strings.Contains(cd, "..") {
			t.Errorf("Content-Disposition %q", cd)
		}
		// Named in the caller's language and dated in their time zone (14 hours
		// apart, the two dates differ for most of the day).
		for _, tz := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"} {
			loc, _ := time.LoadLocation(tz)
			resp, _ := admin.Get(t, "/api/directory/export.csv?lang=en&tz="+tz)
			if cd, want := resp.Header.Get("Content-Disposition"), "filename*=UTF-8''members-"+time.Now().In(loc).Format("20060102")+".csv"; !strings.Contains(cd, want) {
				t.Errorf("tz %s: Content-Disposition %q, want %q", tz, cd, want)
			}
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", got)
		}
		if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
			t.Error("export.csv has no UTF-8 BOM")
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, recs)
		csvFile = body
	})
	t.Run("xlsx", func(t *testing.T) {
		resp, body := admin.Get(t, "/api/directory/export.xlsx")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet := f.GetSheetName(0)
		recs, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			for len(recs[i]) < 8 {
				recs[i] = append(recs[i], "")
			}
			for c := range recs[i] {
				cell, _ := excelize.CoordinatesToCellName(c+1, i+1)
				if fm, _ := f.GetCellFormula(sheet, cell); fm != "" {
					t.Errorf("cell %s holds formula %q", cell, fm)
				}
			}
		}
		checkRows(t, recs)
		xlsxFile = body
	})
	t.Run("re-import", func(t *testing.T) {
		if xlsxFile == nil || csvFile == nil {
			t.Skip("export failed")
		}
		for name, file := range map[string][]byte{"export.xlsx": xlsxFile, "export.csv": csvFile} {
			res := dirImport(t, admin, name, file, false)
			if !res.Applied || res.Total != total || res.Unchanged != total || res.Created+res.Updated != 0 || len(res.Errors) != 0 {
				t.Errorf("re-import of %s: %+v", name, res)
			}
		}
		var one struct{ Member dirUser }
		admin.Do(t, `query($id:ID!){member(id:$id){`+dirUserFields+`}}`, map[string]any{"id": plain.ID}).Decode(t, &one)
		if one.Member != plain {
			t.Fatalf("member after re-import %+v, want %+v", one.Member, plain)
		}
		admin.Do(t, `query($id:ID!){member(id:$id){`+dirUserFields+`}}`, map[string]any{"id": frozen.ID}).Decode(t, &one)
		if one.Member.Status != "FROZEN" {
			t.Fatalf("re-import changed a frozen member: %+v", one.Member)
		}
	})
}

func TestDirectoryLiveUpdates(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	acme := dirNewTenant(t, srv, root, "acme")
	beta := dirNewTenant(t, srv, root, "beta")
	admin := acme.Admin
	probe, _ := dirCreate(t, admin, map[string]any{"name": "Probe", "email": "probe@acme.example.com"})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, err := admin.DialWS(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Subscribe(ctx, "1", `subscription{directoryChanged{kind id}}`, nil); err != nil {
		t.Fatal(err)
	}
	type event struct{ Kind, ID string }
	events := make(chan event, 64)
	go func() {
		defer close(events)
		for {
			m, err := ws.Read(ctx)
			if err != nil {
				return
			}
			if m.Type != "next" {
				continue
			}
			var p struct {
				Data struct {
					DirectoryChanged struct {
						Kind string
						ID   *string
					}
				}
			}
			_ = json.Unmarshal(m.Payload, &p)
			ev := event{Kind: p.Data.DirectoryChanged.Kind}
			if p.Data.DirectoryChanged.ID != nil {
				ev.ID = *p.Data.DirectoryChanged.ID
			}
			events <- ev
		}
	}()
	// waitFor returns once an event matching ok arrives, failing after d.
	waitFor := func(d time.Duration, ok func(event) bool) bool {
		timer := time.NewTimer(d)
		defer timer.Stop()
		for {
			select {
			case ev, open := <-events:
				if !open {
					t.Fatal("subscription ended")
				}
				if ok(ev) {
					return true
				}
			case <-timer.C:
				return false
			}
		}
	}
	// The subscription starts asynchronously: touch a member until its event
	// shows the subscription is live.
	for i := 0; ; i++ {
		admin.Do(t, `mutation($id:ID!,$t:String!){updateMember(id:$id,input:{title:$t}){id}}`, map[string]any{"id": probe.ID, "t": fmt.Sprint("t", i)}).Decode(t, &struct{}{})
		if waitFor(200*time.Millisecond, func(ev event) bool { return ev.Kind == "MEMBER_CHANGED" && ev.ID == probe.ID }) {
			break
		}
		if ctx.Err() != nil || i > 50 {
			t.Fatal("the subscription never saw an update")
		}
	}
	// Another enterprise's changes are not seen.
	bm, _ := dirCreate(t, beta.Admin, map[string]any{"name": "Beta", "email": "b@beta.example.com"})
	m, _ := dirCreate(t, admin, map[string]any{"name": "Newcomer", "email": "new@acme.example.com"})
	var seenBeta bool
	if !waitFor(5*time.Second, func(ev event) bool {
		seenBeta = seenBeta || ev.ID == bm.ID
		return ev.Kind == "MEMBER_CHANGED" && ev.ID == m.ID
	}) {
		t.Fatal("no MEMBER_CHANGED event for createMember within 5s")
	}
	if seenBeta {
		t.Error("acme's subscription saw a beta member")
	}
	admin.Do(t, `mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": m.ID}).Decode(t, &struct{}{})
	if !waitFor(5*time.Second, func(ev event) bool { return ev.Kind == "MEMBER_DELETED" && ev.ID == m.ID }) {
		t.Fatal("no MEMBER_DELETED event")
	}
	dirImport(t, admin, "m.csv", dirCSV(append([][]string{dirHeader}, dirRows(2, "live.example.com")...)), false)
	if !waitFor(5*time.Second, func(ev event) bool { return ev.Kind == "IMPORTED" }) {
		t.Fatal("no IMPORTED event")
	}
}
