package graph

import (
	"context"
	"github.com/99designs/gqlgen/graphql"

	"github.com/jishitong/jishitong/graph/generated"
	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
)

// Branding is the resolver for the branding field.
func (r *enterpriseResolver) Branding(ctx context.Context, obj *directory.Enterprise) (*model.Branding, error) {
	b := obj.Branding
	domains := b.Domains
	if domains == nil {
		domains = []string{}
	}
	return &model.Branding{PrimaryColor: b.PrimaryColor, Mode: themeMode(b.Mode), Slogan: b.Slogan, LogoURL: r.logoURL(obj.ID, b.Logo), Domains: domains}, nil
}

// CreateEnterprise is the resolver for the createEnterprise field.
func (r *mutationResolver) CreateEnterprise(ctx context.Context, input model.CreateEnterpriseInput) (*directory.Enterprise, error) {
	return r.Directory.CreateEnterprise(ctx, caller(ctx), directory.EnterpriseInput{Name: input.Name, Code: input.Code, Quota: input.Quota})
}

// UpdateEnterprise is the resolver for the updateEnterprise field.
func (r *mutationResolver) UpdateEnterprise(ctx context.Context, id string, input model.UpdateEnterpriseInput) (*directory.Enterprise, error) {
	return r.Directory.UpdateEnterprise(ctx, caller(ctx), id, directory.EnterprisePatch{Name: input.Name, Code: input.Code, Quota: input.Quota, Frozen: input.Frozen})
}

// CreateEnterpriseAdmin is the resolver for the createEnterpriseAdmin field.
func (r *mutationResolver) CreateEnterpriseAdmin(ctx context.Context, enterpriseID string, input model.NewMemberInput) (*model.CreateMemberPayload, error) {
	in, err := newMemberInput(input)
	if err != nil {
		return nil, err
	}
	m, generated, err := r.Directory.CreateEnterpriseAdmin(ctx, caller(ctx), enterpriseID, in, str(input.Password))
	if err != nil {
		return nil, err
	}
	return createPayload(m, generated), nil
}

// UpdateBranding is the resolver for the updateBranding field.
func (r *mutationResolver) UpdateBranding(ctx context.Context, input model.BrandingInput) (*directory.Enterprise, error) {
	patch := directory.BrandingPatch{PrimaryColor: input.PrimaryColor, Slogan: input.Slogan}
	if input.Mode != nil {
		m := directory.ThemeLight
		if *input.Mode == model.ThemeModeDark {
			m = directory.ThemeDark
		}
		patch.Mode = &m
	}
	if input.Domains != nil {
		patch.Domains = &input.Domains
	}
	return r.Directory.UpdateBranding(ctx, caller(ctx), patch)
}

// UploadLogo is the resolver for the uploadLogo field.
func (r *mutationResolver) UploadLogo(ctx context.Context, file graphql.Upload) (*directory.Enterprise, error) {
	return r.Directory.SetLogo(ctx, caller(ctx), file.File)
}

// RemoveLogo is the resolver for the removeLogo field.
func (r *mutationResolver) RemoveLogo(ctx context.Context) (*directory.Enterprise, error) {
	return r.Directory.RemoveLogo(ctx, caller(ctx))
}

// Enterprises is the resolver for the enterprises field.
func (r *queryResolver) Enterprises(ctx context.Context, search *string, first *int, after *string) (*model.EnterpriseConnection, error) {
	p, err := r.Directory.Enterprises(ctx, caller(ctx), str(search), pageArgs(first, after))
	if err != nil {
		return nil, err
	}
	c := &model.EnterpriseConnection{PageInfo: pageInfo(p), TotalCount: p.TotalCount, Edges: make([]*model.EnterpriseEdge, len(p.Items))}
	for i, e := range p.Items {
		c.Edges[i] = &model.EnterpriseEdge{Cursor: p.Cursors[i], Node: e}
	}
	return c, nil
}

// Enterprise is the resolver for the enterprise field.
func (r *queryResolver) Enterprise(ctx context.Context, id string) (*directory.Enterprise, error) {
	return r.Directory.Enterprise(ctx, caller(ctx), id)
}

// MyEnterprise is the resolver for the myEnterprise field.
func (r *queryResolver) MyEnterprise(ctx context.Context) (*directory.Enterprise, error) {
	p := caller(ctx)
	if p == nil {
		return nil, errs.ErrUnauthenticated
	}
	if p.EnterpriseID == "" {
		return nil, errs.New(errs.KindNotFound, "platform administrators belong to no enterprise")
	}
	return r.Directory.Enterprise(ctx, p, p.EnterpriseID)
}

// Branding is the resolver for the branding field.
func (r *queryResolver) Branding(ctx context.Context) (*model.PublicBranding, error) {
	b, err := r.Directory.BrandingForHost(ctx, requestHost(ctx))
	if err != nil {
		return nil, err
	}
	return &model.PublicBranding{EnterpriseName: b.Name, PrimaryColor: b.Branding.PrimaryColor, Mode: themeMode(b.Branding.Mode),
		Slogan: b.Branding.Slogan, LogoURL: r.logoURL(b.EnterpriseID, b.Branding.Logo)}, nil
}

// Enterprise returns generated.EnterpriseResolver implementation.
func (r *Resolver) Enterprise() generated.EnterpriseResolver { return &enterpriseResolver{r} }

type enterpriseResolver struct{ *Resolver }
