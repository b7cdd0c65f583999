package app_test

import (
	"slices"
	"testing"

	"github.com/jishitong/jishitong/internal/xtest"
)

// TestDirectoryPinyinOrder: members are listed as a Chinese reader expects, by
// initial letter with Han names by pinyin and Latin names under their first
// letter among them, page after page, in the member list and in a group.
func TestDirectoryPinyinOrder(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	tn := dirNewTenant(t, srv, root, "pinyin")
	names := []string{"张三", "Zoe", "李四", "bob", "王五", "阿明", "Alice", "陈晨", "白洁", "赵六"}
	var ids []string
	for i, n := range names {
		m, _ := dirCreate(t, tn.Admin, map[string]any{"name": n, "email": "p" + string(rune('a'+i)) + "@pinyin.example.com", "password": dirPassword})
		ids = append(ids, m.ID)
	}
	want := []string{"Alice", "阿明", "bob", "白洁", "陈晨", "李四", "王五", "Zoe", "张三", "赵六"}
	var got []string
	var after any
	for {
		var out struct{ Members dirConn }
		tn.Admin.Do(t, `query($a:String){members(first:3,after:$a){totalCount pageInfo{hasNextPage endCursor} edges{node{`+dirUserFields+`}}}}`,
			map[string]any{"a": after}).Decode(t, &out)
		for _, e := range out.Members.Edges {
			if e.Node.ID != tn.AdminID {
				got = append(got, e.Node.Name)
			}
		}
		if !out.Members.PageInfo.HasNextPage {
			break
		}
		after = *out.Members.PageInfo.EndCursor
	}
	if !slices.Equal(got, want) {
		t.Fatalf("members in order\n got %q\nwant %q", got, want)
	}

	var g struct{ CreateGroup struct{ ID string } }
	tn.Admin.Do(t, `mutation($ids:[ID!]){createGroup(name:"全员",memberIds:$ids){id}}`, map[string]any{"ids": ids}).Decode(t, &g)
	var grp struct{ Group struct{ Members dirConn } }
	tn.Admin.Do(t, `query($id:ID!){group(id:$id){members(first:50){totalCount pageInfo{hasNextPage endCursor} edges{node{`+dirUserFields+`}}}}}`,
		map[string]any{"id": g.CreateGroup.ID}).Decode(t, &grp)
	got = got[:0]
	for _, e := range grp.Group.Members.Edges {
		got = append(got, e.Node.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("group members in order\n got %q\nwant %q", got, want)
	}

	// Groups are listed in the same order.
	for _, n := range []string{"销售部", "Board", "财务部", "研发部"} {
		tn.Admin.Do(t, `mutation($n:String!){createGroup(name:$n){id}}`, map[string]any{"n": n})
	}
	var gs struct {
		Groups struct {
			Edges []struct{ Node struct{ Name string } }
		}
	}
	tn.Admin.Do(t, `{groups(first:50){edges{node{name}}}}`, nil).Decode(t, &gs)
	got = got[:0]
	for _, e := range gs.Groups.Edges {
		got = append(got, e.Node.Name)
	}
	if want := []string{"Board", "财务部", "全员", "销售部", "研发部"}; !slices.Equal(got, want) {
		t.Fatalf("groups in order\n got %q\nwant %q", got, want)
	}
}
