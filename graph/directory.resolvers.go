package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jishitong/jishitong/graph/generated"
	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
)

// MemberCount is the resolver for the memberCount field.
func (r *groupResolver) MemberCount(ctx context.Context, obj *directory.Group) (int, error) {
	return len(obj.MemberIDs), nil
}

// Members is the resolver for the members field.
func (r *groupResolver) Members(ctx context.Context, obj *directory.Group, first *int, after *string) (*model.UserConnection, error) {
	p, err := r.Directory.Members(ctx, caller(ctx), directory.MemberQuery{IDs: obj.MemberIDs}, pageArgs(first, after))
	if err != nil {
		return nil, err
	}
	return userConnection(p), nil
}

// CreateMember is the resolver for the createMember field.
func (r *mutationResolver) CreateMember(ctx context.Context, input model.NewMemberInput) (*model.CreateMemberPayload, error) {
	in, err := newMemberInput(input)
	if err != nil {
		return nil, err
	}
	m, generated, err := r.Directory.CreateMember(ctx, caller(ctx), in, str(input.Password))
	if err != nil {
		return nil, err
	}
	return createPayload(m, generated), nil
}

// UpdateMember is the resolver for the updateMember field.
func (r *mutationResolver) UpdateMember(ctx context.Context, id string, input model.UpdateMemberInput) (*directory.Member, error) {
	patch := directory.MemberPatch{Name: input.Name, Email: input.Email, Phone: input.Phone, Department: input.Department, Title: input.Title, EmployeeNo: input.EmployeeNo}
	if input.Role != nil {
		role, err := roleFromModel(input.Role)
		if err != nil {
			return nil, err
		}
		patch.Role = &role
	}
	return r.Directory.UpdateMember(ctx, caller(ctx), id, patch)
}

// FreezeMember is the resolver for the freezeMember field.
func (r *mutationResolver) FreezeMember(ctx context.Context, id string) (*directory.Member, error) {
	return r.Directory.SetMemberFrozen(ctx, caller(ctx), id, true)
}

// UnfreezeMember is the resolver for the unfreezeMember field.
func (r *mutationResolver) UnfreezeMember(ctx context.Context, id string) (*directory.Member, error) {
	return r.Directory.SetMemberFrozen(ctx, caller(ctx), id, false)
}

// DeleteMember is the resolver for the deleteMember field.
func (r *mutationResolver) DeleteMember(ctx context.Context, id string) (string, error) {
	return id, r.Directory.DeleteMember(ctx, caller(ctx), id)
}

// ResetMemberPassword is the resolver for the resetMemberPassword field.
func (r *mutationResolver) ResetMemberPassword(ctx context.Context, id string) (string, error) {
	return r.Directory.ResetMemberPassword(ctx, caller(ctx), id)
}

// CreateGroup is the resolver for the createGroup field.
func (r *mutationResolver) CreateGroup(ctx context.Context, name string, memberIds []string) (*directory.Group, error) {
	return r.Directory.CreateGroup(ctx, caller(ctx), name, memberIds)
}

// RenameGroup is the resolver for the renameGroup field.
func (r *mutationResolver) RenameGroup(ctx context.Context, id string, name string) (*directory.Group, error) {
	return r.Directory.RenameGroup(ctx, caller(ctx), id, name)
}

// AddGroupMembers is the resolver for the addGroupMembers field.
func (r *mutationResolver) AddGroupMembers(ctx context.Context, id string, memberIds []string) (*directory.Group, error) {
	return r.Directory.AddGroupMembers(ctx, caller(ctx), id, memberIds)
}

// RemoveGroupMembers is the resolver for the removeGroupMembers field.
func (r *mutationResolver) RemoveGroupMembers(ctx context.Context, id string, memberIds []string) (*directory.Group, error) {
	return r.Directory.RemoveGroupMembers(ctx, caller(ctx), id, memberIds)
}

// DeleteGroup is the resolver for the deleteGroup field.
func (r *mutationResolver) DeleteGroup(ctx context.Context, id string) (string, error) {
	return id, r.Directory.DeleteGroup(ctx, caller(ctx), id)
}

// ImportMembers is the resolver for the importMembers field.
func (r *mutationResolver) ImportMembers(ctx context.Context, file graphql.Upload, dryRun *bool) (*model.ImportResult, error) {
	res, err := r.Importer.Import(ctx, caller(ctx), file.Filename, file.File, dryRun != nil && *dryRun)
	if err != nil {
		return nil, err
	}
	out := &model.ImportResult{Applied: res.Applied, Total: res.Total, Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged,
		Errors: make([]*model.ImportError, len(res.Errors))}
	for i, e := range res.Errors {
		out.Errors[i] = &model.ImportError{Row: e.Row, Column: e.Column, Field: e.Field, Code: e.Code, Message: e.Message}
	}
	return out, nil
}

// Members is the resolver for the members field.
func (r *queryResolver) Members(ctx context.Context, filter *model.MemberFilter, first *int, after *string) (*model.UserConnection, error) {
	var q directory.MemberQuery
	if filter != nil {
		q.Search, q.Department = str(filter.Search), str(filter.Department)
		if filter.Status != nil {
			switch *filter.Status {
			case model.MemberStatusActive:
				q.Status = directory.StatusActive
			case model.MemberStatusFrozen:
				q.Status = directory.StatusFrozen
			default:
				return nil, errs.Invalid("status", "deleted members are not listed")
			}
		}
	}
	p, err := r.Directory.Members(ctx, caller(ctx), q, pageArgs(first, after))
	if err != nil {
		return nil, err
	}
	return userConnection(p), nil
}

// Member is the resolver for the member field.
func (r *queryResolver) Member(ctx context.Context, id string) (*directory.Member, error) {
	return r.Directory.Member(ctx, caller(ctx), id)
}

// Groups is the resolver for the groups field.
func (r *queryResolver) Groups(ctx context.Context, search *string, first *int, after *string) (*model.GroupConnection, error) {
	p, err := r.Directory.Groups(ctx, caller(ctx), str(search), pageArgs(first, after))
	if err != nil {
		return nil, err
	}
	c := &model.GroupConnection{PageInfo: pageInfo(p), TotalCount: p.TotalCount, Edges: make([]*model.GroupEdge, len(p.Items))}
	for i, g := range p.Items {
		c.Edges[i] = &model.GroupEdge{Cursor: p.Cursors[i], Node: g}
	}
	return c, nil
}

// Group is the resolver for the group field.
func (r *queryResolver) Group(ctx context.Context, id string) (*directory.Group, error) {
	return r.Directory.Group(ctx, caller(ctx), id)
}

// Role is the resolver for the role field.
func (r *userResolver) Role(ctx context.Context, obj *directory.Member) (model.Role, error) {
	return roleToModel(obj.RoleOf())
}

// Status is the resolver for the status field.
func (r *userResolver) Status(ctx context.Context, obj *directory.Member) (model.MemberStatus, error) {
	switch obj.Status {
	case directory.StatusFrozen:
		return model.MemberStatusFrozen, nil
	case directory.StatusDeleted:
		return model.MemberStatusDeleted, nil
	}
	return model.MemberStatusActive, nil
}

// Enterprise is the resolver for the enterprise field.
func (r *userResolver) Enterprise(ctx context.Context, obj *directory.Member) (*directory.Enterprise, error) {
	if obj.EnterpriseID == "" {
		return nil, nil
	}
	if caller(ctx) == nil {
		return nil, errs.ErrUnauthenticated
	}
	return r.loadEnterprise(ctx, obj.EnterpriseID)
}

// Group returns generated.GroupResolver implementation.
func (r *Resolver) Group() generated.GroupResolver { return &groupResolver{r} }

// User returns generated.UserResolver implementation.
func (r *Resolver) User() generated.UserResolver { return &userResolver{r} }

type groupResolver struct{ *Resolver }
type userResolver struct{ *Resolver }
