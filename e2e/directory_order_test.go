package e2e

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

// TestDedicatedRoomOwnerPicker: a platform admin picks a dedicated room's owner
// from the enterprise's members (searched, in pinyin order) and sees the room's
// owner by name, as does the enterprise's admin; a plain member may not list
// another enterprise's members.
func TestDedicatedRoomOwnerPicker(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	tn := dirNewTenant(t, srv, root, "owner")
	other := dirNewTenant(t, srv, root, "other")
	zhang, _ := dirCreate(t, tn.Admin, map[string]any{"name": "张三", "email": "zhang@owner.example.com", "password": dirPassword})
	dirCreate(t, tn.Admin, map[string]any{"name": "张伟", "email": "zhangwei@owner.example.com", "password": dirPassword})
	dirCreate(t, tn.Admin, map[string]any{"name": "李四", "email": "li@owner.example.com", "password": dirPassword})

	const pick = `query($e:ID!,$q:String){enterprise(id:$e){members(filter:{search:$q,status:ACTIVE},first:20){edges{node{id name email}}}}}`
	var found struct {
		Enterprise struct{ Members dirConn }
	}
	root.Do(t, pick, map[string]any{"e": tn.ID, "q": "张"}).Decode(t, &found)
	var names []string
	for _, e := range found.Enterprise.Members.Edges {
		names = append(names, e.Node.Name)
	}
	if want := []string{"张三", "张伟"}; !slices.Equal(names, want) {
		t.Fatalf("platform admin's search of the enterprise: %q, want %q", names, want)
	}
	if code := other.Admin.Do(t, pick, map[string]any{"e": tn.ID, "q": nil}).Code(); code != "FORBIDDEN" && code != "NOT_FOUND" {
		t.Fatalf("another enterprise's admin listing the members: code %q", code)
	}

	var room struct{ CreateRoom struct{ ID string } }
	root.Do(t, `mutation($o:ID!){createRoom(input:{number:"77001",name:"张三的会议室",capacity:4,scope:DEDICATED,ownerId:$o}){id}}`,
		map[string]any{"o": zhang.ID}).Decode(t, &room)
	for who, c := range map[string]*xtest.Client{"platform admin": root, "enterprise admin": tn.Admin} {
		var rooms struct {
			Rooms []struct {
				ID    string
				Owner *struct{ ID, Name string }
			}
		}
		c.Do(t, `{rooms{id owner{id name}}}`, nil).Decode(t, &rooms)
		i := slices.IndexFunc(rooms.Rooms, func(r struct {
			ID    string
			Owner *struct{ ID, Name string }
		}) bool {
			return r.ID == room.CreateRoom.ID
		})
		if i < 0 || rooms.Rooms[i].Owner == nil || rooms.Rooms[i].Owner.Name != "张三" {
			t.Fatalf("%s: rooms %+v, want the room with owner 张三", who, rooms.Rooms)
		}
	}
}
