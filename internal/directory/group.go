package directory

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// Group is a named set of members for picking many participants at once.
type Group struct {
	ID           string `bson:"_id"`
	EnterpriseID string `bson:"enterpriseId"`
	Name         string `bson:"name"`
	NameKey      string `bson:"nameKey"` // enterprise ID + lower-cased name: unique
	SortKey      string `bson:"sortKey"` // lower-cased name, for search
	// OrderKey orders groups by name as members are (nameSortKey).
	OrderKey  string    `bson:"orderKey"`
	MemberIDs []string  `bson:"memberIds"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

// MaxGroupMembers bounds a group's size.
const MaxGroupMembers = 10_000

func groupNameKey(enterpriseID, name string) string {
	return enterpriseID + ":" + strings.ToLower(name)
}

// Group returns a group of the caller's enterprise.
func (s *Service) Group(ctx context.Context, p *auth.Principal, id string) (*Group, error) {
	if err := requireEnterprise(p); err != nil {
		return nil, err
	}
	if !store.ValidID(id) {
		return nil, errs.NotFound("group")
	}
	var g Group
	err := s.st.R.Collection(groupsColl).FindOne(ctx, bson.M{"_id": id, "enterpriseId": p.EnterpriseID}).Decode(&g)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.NotFound("group")
	}
	if err != nil {
		return nil, dbErr("find group", err)
	}
	if g.MemberIDs == nil {
		g.MemberIDs = []string{}
	}
	return &g, nil
}

// Groups lists the caller's enterprise groups by name, in pinyin order.
func (s *Service) Groups(ctx context.Context, p *auth.Principal, search string, page PageArgs) (*Page[*Group], error) {
	if err := requireEnterprise(p); err != nil {
		return nil, err
	}
	base := bson.M{"enterpriseId": p.EnterpriseID}
	if q := strings.ToLower(clean(search)); q != "" {
		if err := checkLen("search", q, 100); err != nil {
			return nil, err
		}
		base["sortKey"] = bson.M{"$regex": regexp.QuoteMeta(q)}
	}
	return findPage(ctx, s.st.R.Collection(groupsColl), base, "orderKey", page,
		func(g *Group) string { return g.OrderKey }, func(g *Group) string { return g.ID })
}

// checkMembers verifies every ID is a current member of the enterprise and returns
// them de-duplicated.
func (s *Service) checkMembers(ctx context.Context, enterpriseID string, ids []string) ([]string, error) {
	seen := make(map[string]bool, len(ids))
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > MaxGroupMembers {
		return nil, errs.Invalid("memberIds", "a group holds at most %d members", MaxGroupMembers)
	}
	if len(out) == 0 {
		return []string{}, nil
	}
	all, err := s.snapshot(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	ok := make(map[string]bool, len(all))
	for _, m := range all {
		ok[m.ID] = true
	}
	for _, id := range out {
		if !ok[id] {
			return nil, errs.NotFound("member " + id)
		}
	}
	return out, nil
}

// CreateGroup creates a group in the caller's enterprise. Admins only.
func (s *Service) CreateGroup(ctx context.Context, p *auth.Principal, name string, memberIDs []string) (*Group, error) {
	if err := requireEnterpriseAdmin(p); err != nil {
		return nil, err
	}
	name, err := validName("name", name, 64)
	if err != nil {
		return nil, err
	}
	ids, err := s.checkMembers(ctx, p.EnterpriseID, memberIDs)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	g := &Group{ID: store.NewID(), EnterpriseID: p.EnterpriseID, Name: name, NameKey: groupNameKey(p.EnterpriseID, name),
		SortKey: strings.ToLower(name), OrderKey: nameSortKey(name), MemberIDs: ids, CreatedAt: now, UpdatedAt: now}
	if _, err := s.st.W.Collection(groupsColl).InsertOne(ctx, g); err != nil {
		if store.IsDuplicateKey(err) {
			return nil, errs.Conflict("name", "a group named %q already exists", name)
		}
		return nil, dbErr("create group", err)
	}
	s.publish(p.EnterpriseID, EventGroupChanged, g.ID)
	return g, nil
}

// RenameGroup renames a group. Admins only.
func (s *Service) RenameGroup(ctx context.Context, p *auth.Principal, id, name string) (*Group, error) {
	if err := requireEnterpriseAdmin(p); err != nil {
		return nil, err
	}
	if _, err := s.Group(ctx, p, id); err != nil {
		return nil, err
	}
	name, err := validName("name", name, 64)
	if err != nil {
		return nil, err
	}
	_, err = s.st.W.Collection(groupsColl).UpdateOne(ctx, bson.M{"_id": id, "enterpriseId": p.EnterpriseID}, bson.M{"$set": bson.M{
		"name": name, "nameKey": groupNameKey(p.EnterpriseID, name), "sortKey": strings.ToLower(name), "orderKey": nameSortKey(name), "updatedAt": time.Now().UTC()}})
	if store.IsDuplicateKey(err) {
		return nil, errs.Conflict("name", "a group named %q already exists", name)
	}
	if err != nil {
		return nil, dbErr("rename group", err)
	}
	s.publish(p.EnterpriseID, EventGroupChanged, id)
	return s.Group(ctx, p, id)
}

// AddGroupMembers adds members to a group. Admins only.
func (s *Service) AddGroupMembers(ctx context.Context, p *auth.Principal, id string, memberIDs []string) (*Group, error) {
	return s.changeGroupMembers(ctx, p, id, memberIDs, true)
}

// RemoveGroupMembers removes members from a group. Admins only.
func (s *Service) RemoveGroupMembers(ctx context.Context, p *auth.Principal, id string, memberIDs []string) (*Group, error) {
	return s.changeGroupMembers(ctx, p, id, memberIDs, false)
}

func (s *Service) changeGroupMembers(ctx context.Context, p *auth.Principal, id string, memberIDs []string, add bool) (*Group, error) {
	if err := requireEnterpriseAdmin(p); err != nil {
		return nil, err
	}
	g, err := s.Group(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var update bson.M
	if add {
		ids, err := s.checkMembers(ctx, p.EnterpriseID, memberIDs)
		if err != nil {
			return nil, err
		}
		n := len(g.MemberIDs)
		for _, m := range ids {
			if !slices.Contains(g.MemberIDs, m) {
				n++
			}
		}
		if n > MaxGroupMembers {
			return nil, errs.Invalid("memberIds", "a group holds at most %d members", MaxGroupMembers)
		}
		update = bson.M{"$addToSet": bson.M{"memberIds": bson.M{"$each": ids}}}
	} else {
		// $pullAll, not $pull with $in: FerretDB v1's $pull matches exact values only.
		update = bson.M{"$pullAll": bson.M{"memberIds": append([]string{}, memberIDs...)}}
	}
	update["$set"] = bson.M{"updatedAt": time.Now().UTC()}
	if _, err := s.st.W.Collection(groupsColl).UpdateOne(ctx, bson.M{"_id": id, "enterpriseId": p.EnterpriseID}, update); err != nil {
		return nil, dbErr("change group members", err)
	}
	s.publish(p.EnterpriseID, EventGroupChanged, id)
	return s.Group(ctx, p, id)
}

// DeleteGroup deletes a group; its members stay. Admins only.
func (s *Service) DeleteGroup(ctx context.Context, p *auth.Principal, id string) error {
	if err := requireEnterpriseAdmin(p); err != nil {
		return err
	}
	if _, err := s.Group(ctx, p, id); err != nil {
		return err
	}
	if _, err := s.st.W.Collection(groupsColl).DeleteOne(ctx, bson.M{"_id": id, "enterpriseId": p.EnterpriseID}); err != nil {
		return dbErr("delete group", err)
	}
	s.publish(p.EnterpriseID, EventGroupDeleted, id)
	return nil
}

// reorderGroups gives groups written before OrderKey existed theirs. One scan at
// start.
func (s *Service) reorderGroups(ctx context.Context) error {
	cur, err := s.st.R.Collection(groupsColl).Find(ctx, bson.M{"orderKey": bson.M{"$exists": false}})
	if err != nil {
		return dbErr("list groups", err)
	}
	var gs []Group
	if err := cur.All(ctx, &gs); err != nil {
		return dbErr("read groups", err)
	}
	for _, g := range gs {
		if _, err := s.st.W.Collection(groupsColl).UpdateByID(ctx, g.ID, bson.M{"$set": bson.M{"orderKey": nameSortKey(g.Name)}}); err != nil {
			return dbErr("order group", err)
		}
	}
	return nil
}
