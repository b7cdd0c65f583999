package graph

import (
	"context"

	"github.com/jishitong/jishitong/graph/generated"
	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
)

// Login is the resolver for the login field.
func (r *mutationResolver) Login(ctx context.Context, email string, password string) (*model.LoginPayload, error) {
	req := auth.RequestFrom(ctx)
	token, p, err := r.Auth.Login(ctx, email, password, req.Source, req.UserAgent)
	if err != nil {
		return nil, err
	}
	ctx = auth.WithPrincipal(ctx, p)
	m, err := r.Directory.Me(ctx, p)
	if err != nil {
		return nil, err
	}
	_, exp, err := r.Auth.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	auth.SetSessionCookie(ctx, token, exp, r.SecureCookies)
	return &model.LoginPayload{Token: token, ExpiresAt: exp, User: m}, nil
}

// Logout is the resolver for the logout field.
func (r *mutationResolver) Logout(ctx context.Context) (bool, error) {
	p := caller(ctx)
	if p == nil {
		return false, errs.ErrUnauthenticated
	}
	if err := r.Auth.Logout(ctx, p.SessionID); err != nil {
		return false, err
	}
	auth.SetSessionCookie(ctx, "", auth.RequestFrom(ctx).ExpiresAt, r.SecureCookies)
	return true, nil
}

// ChangePassword is the resolver for the changePassword field.
func (r *mutationResolver) ChangePassword(ctx context.Context, currentPassword string, newPassword string) (bool, error) {
	if err := r.Directory.ChangePassword(ctx, caller(ctx), currentPassword, newPassword); err != nil {
		return false, err
	}
	return true, nil
}

// Me is the resolver for the me field.
func (r *queryResolver) Me(ctx context.Context) (*directory.Member, error) {
	return r.Directory.Me(ctx, caller(ctx))
}

// DirectoryChanged is the resolver for the directoryChanged field.
func (r *subscriptionResolver) DirectoryChanged(ctx context.Context) (<-chan *model.DirectoryEvent, error) {
	in, err := r.Directory.Subscribe(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	out := make(chan *model.DirectoryEvent, 1)
	go func() {
		defer close(out)
		for ev := range in {
			m := &model.DirectoryEvent{Kind: eventKinds[ev.Kind]}
			if ev.ID != "" {
				id := ev.ID
				m.ID = &id
			}
			select {
			case out <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// Mutation returns generated.MutationResolver implementation.
func (r *Resolver) Mutation() generated.MutationResolver { return &mutationResolver{r} }

// Query returns generated.QueryResolver implementation.
func (r *Resolver) Query() generated.QueryResolver { return &queryResolver{r} }

// Subscription returns generated.SubscriptionResolver implementation.
func (r *Resolver) Subscription() generated.SubscriptionResolver { return &subscriptionResolver{r} }

type mutationResolver struct{ *Resolver }
type queryResolver struct{ *Resolver }
type subscriptionResolver struct{ *Resolver }
