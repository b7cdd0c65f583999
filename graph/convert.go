package graph

import (
	"context"
	"fmt"

	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
)

// caller returns the signed-in principal, or nil when anonymous.
func caller(ctx context.Context) *auth.Principal { return auth.FromContext(ctx) }

func pageArgs(first *int, after *string) directory.PageArgs {
	var a directory.PageArgs
	if first != nil {
		a.First = *first
		if a.First == 0 {
			a.First = -1 // explicit 0 is out of range, not "default"
		}
	}
	if after != nil {
		a.After = *after
	}
	return a
}

func pageInfo[T any](p *directory.Page[T]) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: p.HasNextPage}
	if c := p.EndCursor(); c != "" {
		pi.EndCursor = &c
	}
	return pi
}

// memberQuery is the directory's form of a member filter.
func memberQuery(filter *model.MemberFilter) (directory.MemberQuery, error) {
	var q directory.MemberQuery
	if filter == nil {
		return q, nil
	}
	q.Search, q.Department = str(filter.Search), str(filter.Department)
	if filter.Status != nil {
		switch *filter.Status {
		case model.MemberStatusActive:
			q.Status = directory.StatusActive
		case model.MemberStatusFrozen:
			q.Status = directory.StatusFrozen
		default:
			return q, errs.Invalid("status", "deleted members are not listed")
		}
	}
	return q, nil
}

func userConnection(p *directory.Page[*directory.Member]) *model.UserConnection {
	c := &model.UserConnection{PageInfo: pageInfo(p), TotalCount: p.TotalCount, Edges: make([]*model.UserEdge, len(p.Items))}
	for i, m := range p.Items {
		c.Edges[i] = &model.UserEdge{Cursor: p.Cursors[i], Node: m}
	}
	return c
}

func roleToModel(r auth.Role) (model.Role, error) {
	switch r {
	case auth.RolePlatformAdmin:
		return model.RolePlatformAdmin, nil
	case auth.RoleEnterpriseAdmin:
		return model.RoleEnterpriseAdmin, nil
	case auth.RoleMember:
		return model.RoleMember, nil
	}
	return "", fmt.Errorf("graph: unknown role %v", r)
}

// roleFromModel maps an input role; PLATFORM_ADMIN cannot be given to a member.
func roleFromModel(r *model.Role) (auth.Role, error) {
	if r == nil {
		return auth.RoleUnknown, nil
	}
	switch *r {
	case model.RoleEnterpriseAdmin:
		return auth.RoleEnterpriseAdmin, nil
	case model.RoleMember:
		return auth.RoleMember, nil
	}
	return auth.RoleUnknown, errs.Invalid("role", "role must be MEMBER or ENTERPRISE_ADMIN")
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func newMemberInput(in model.NewMemberInput) (directory.MemberInput, error) {
	role, err := roleFromModel(in.Role)
	return directory.MemberInput{
		Name: in.Name, Email: str(in.Email), Phone: str(in.Phone), Department: str(in.Department),
		Title: str(in.Title), EmployeeNo: str(in.EmployeeNo), Role: role,
	}, err
}

func createPayload(m *directory.Member, generated string) *model.CreateMemberPayload {
	out := &model.CreateMemberPayload{Member: m}
	if generated != "" {
		out.GeneratedPassword = &generated
	}
	return out
}

func (r *Resolver) logoURL(enterpriseID string, l *directory.Logo) *string {
	if l == nil {
		return nil
	}
	u := fmt.Sprintf("/branding/logo/%s/%s", enterpriseID, l.File)
	return &u
}

func themeMode(m string) model.ThemeMode {
	if m == directory.ThemeDark {
		return model.ThemeModeDark
	}
	return model.ThemeModeLight
}

var eventKinds = map[directory.EventKind]model.DirectoryEventKind{
	directory.EventMemberChanged:   model.DirectoryEventKindMemberChanged,
	directory.EventMemberDeleted:   model.DirectoryEventKindMemberDeleted,
	directory.EventGroupChanged:    model.DirectoryEventKindGroupChanged,
	directory.EventGroupDeleted:    model.DirectoryEventKindGroupDeleted,
	directory.EventImported:        model.DirectoryEventKindImported,
	directory.EventBrandingChanged: model.DirectoryEventKindBrandingChanged,
}

func requestHost(ctx context.Context) string { return auth.RequestFrom(ctx).Host }
