package directory

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// Enterprise is a tenant.
type Enterprise struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	Code      string    `bson:"code"`
	CodeKey   string    `bson:"codeKey"`
	NameKey   string    `bson:"nameKey"`
	Quota     int       `bson:"quota"`
	Frozen    bool      `bson:"frozen"`
	Branding  Branding  `bson:"branding"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

// EnterpriseInput creates an enterprise.
type EnterpriseInput struct {
	Name  string
	Code  string
	Quota int
}

// EnterprisePatch edits an enterprise; nil fields stay as they are.
type EnterprisePatch struct {
	Name   *string
	Code   *string
	Quota  *int
	Frozen *bool
}

// MaxQuota bounds an enterprise's participant quota.
const MaxQuota = 1_000_000

func validName(field, v string, max int) (string, error) {
	v = clean(v)
	if v == "" {
		return "", errs.Invalid(field, "%s is required", field)
	}
	return v, checkLen(field, v, max)
}

func validCode(v string) (string, error) {
	v = strings.ToLower(clean(v))
	if !shortCodeRe.MatchString(v) {
		return "", errs.Invalid("code", "code must be 2-32 lower-case letters, digits or -, starting with a letter or digit")
	}
	return v, nil
}

func validQuota(q int) error {
	if q < 0 || q > MaxQuota {
		return errs.Invalid("quota", "quota must be between 0 and %d", MaxQuota)
	}
	return nil
}

// CreateEnterprise creates a tenant. Platform admins only.
func (s *Service) CreateEnterprise(ctx context.Context, p *auth.Principal, in EnterpriseInput) (*Enterprise, error) {
	if err := requirePlatformAdmin(p); err != nil {
		return nil, err
	}
	name, err := validName("name", in.Name, 128)
	if err != nil {
		return nil, err
	}
	code, err := validCode(in.Code)
	if err != nil {
		return nil, err
	}
	if err := validQuota(in.Quota); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	e := &Enterprise{
		ID: store.NewID(), Name: name, NameKey: strings.ToLower(name), Code: code, CodeKey: code,
		Quota: in.Quota, CreatedAt: now, UpdatedAt: now,
		Branding: Branding{Mode: ThemeLight, PrimaryColor: DefaultPrimaryColor, Domains: []string{}},
	}
	if _, err := s.st.W.Collection(enterprisesColl).InsertOne(ctx, e); err != nil {
		if store.IsDuplicateKey(err) {
			return nil, errs.Conflict("code", "an enterprise with code %q already exists", code)
		}
		return nil, dbErr("create enterprise", err)
	}
	return e, nil
}

// UpdateEnterprise edits a tenant. Platform admins only. Freezing it ends the
// sessions and media sessions of all its accounts (AccessRevoked).
func (s *Service) UpdateEnterprise(ctx context.Context, p *auth.Principal, id string, in EnterprisePatch) (*Enterprise, error) {
	if err := requirePlatformAdmin(p); err != nil {
		return nil, err
	}
	if _, err := s.enterprise(ctx, id); err != nil {
		return nil, err
	}
	set := bson.M{"updatedAt": time.Now().UTC()}
	if in.Name != nil {
		name, err := validName("name", *in.Name, 128)
		if err != nil {
			return nil, err
		}
		set["name"], set["nameKey"] = name, strings.ToLower(name)
	}
	if in.Code != nil {
		code, err := validCode(*in.Code)
		if err != nil {
			return nil, err
		}
		set["code"], set["codeKey"] = code, code
	}
	if in.Quota != nil {
		if err := validQuota(*in.Quota); err != nil {
			return nil, err
		}
		set["quota"] = *in.Quota
	}
	if in.Frozen != nil {
		set["frozen"] = *in.Frozen
	}
	if _, err := s.st.W.Collection(enterprisesColl).UpdateByID(ctx, id, bson.M{"$set": set}); err != nil {
		if store.IsDuplicateKey(err) {
			return nil, errs.Conflict("code", "an enterprise with code %q already exists", set["code"])
		}
		return nil, dbErr("update enterprise", err)
	}
	if in.Frozen != nil && *in.Frozen {
		if s.revoker != nil {
			if err := s.revoker.RevokeEnterprise(ctx, id); err != nil {
				return nil, err
			}
		}
		if err := s.revokeEnterpriseAccess(ctx, id); err != nil {
			return nil, err
		}
	}
	return s.enterprise(ctx, id)
}

// Enterprise returns one tenant: any for platform admins, only their own for others.
func (s *Service) Enterprise(ctx context.Context, p *auth.Principal, id string) (*Enterprise, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	if !p.IsPlatformAdmin() && id != p.EnterpriseID {
		return nil, errs.NotFound("enterprise")
	}
	return s.enterprise(ctx, id)
}

func (s *Service) enterprise(ctx context.Context, id string) (*Enterprise, error) {
	if !store.ValidID(id) {
		return nil, errs.NotFound("enterprise")
	}
	var e Enterprise
	err := s.st.R.Collection(enterprisesColl).FindOne(ctx, bson.M{"_id": id}).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.NotFound("enterprise")
	}
	if err != nil {
		return nil, dbErr("find enterprise", err)
	}
	if e.Branding.Domains == nil {
		e.Branding.Domains = []string{}
	}
	return &e, nil
}

// Enterprises lists tenants by name, optionally filtered by a search over name and
// code. Platform admins only.
func (s *Service) Enterprises(ctx context.Context, p *auth.Principal, search string, page PageArgs) (*Page[*Enterprise], error) {
	if err := requirePlatformAdmin(p); err != nil {
		return nil, err
	}
	base := bson.M{}
	if q := strings.ToLower(clean(search)); q != "" {
		if err := checkLen("search", q, 100); err != nil {
			return nil, err
		}
		re := bson.M{"$regex": regexp.QuoteMeta(q)}
		base = bson.M{"$or": bson.A{bson.M{"nameKey": re}, bson.M{"codeKey": re}}}
	}
	return findPage(ctx, s.st.R.Collection(enterprisesColl), base, "nameKey", page, func(e *Enterprise) string { return e.NameKey }, func(e *Enterprise) string { return e.ID })
}

// findPage reads one page of coll matching base in (keyField, _id) order.
func findPage[T any](ctx context.Context, coll *mongo.Collection, base bson.M, keyField string, page PageArgs, key, id func(T) string) (*Page[T], error) {
	limit, err := page.limit()
	if err != nil {
		return nil, err
	}
	filter, err := afterFilter(base, keyField, page.After)
	if err != nil {
		return nil, err
	}
	total, err := coll.CountDocuments(ctx, base)
	if err != nil {
		return nil, dbErr("count "+coll.Name(), err)
	}
	cur, err := coll.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: keyField, Value: 1}, {Key: "_id", Value: 1}}).
		SetLimit(int64(limit+1)))
	if err != nil {
		return nil, dbErr("list "+coll.Name(), err)
	}
	var items []T
	if err := cur.All(ctx, &items); err != nil {
		return nil, dbErr("read "+coll.Name(), err)
	}
	out := &Page[T]{TotalCount: int(total)}
	if len(items) > limit {
		items = items[:limit]
		out.HasNextPage = true
	}
	out.Items = items
	out.Cursors = make([]string, len(items))
	for i, it := range items {
		out.Cursors[i] = encodeCursor(key(it), id(it))
	}
	return out, nil
}

// EnterprisesByID returns the enterprises with these IDs that the caller may see
// (any for platform admins, the own one for others). It is the batch behind the
// per-request dataloader.
func (s *Service) EnterprisesByID(ctx context.Context, p *auth.Principal, ids []string) (map[string]*Enterprise, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	var want []string
	for _, id := range ids {
		if store.ValidID(id) && (p.IsPlatformAdmin() || id == p.EnterpriseID) {
			want = append(want, id)
		}
	}
	out := make(map[string]*Enterprise, len(want))
	if len(want) == 0 {
		return out, nil
	}
	cur, err := s.st.R.Collection(enterprisesColl).Find(ctx, bson.M{"_id": bson.M{"$in": want}})
	if err != nil {
		return nil, dbErr("find enterprises", err)
	}
	var es []*Enterprise
	if err := cur.All(ctx, &es); err != nil {
		return nil, dbErr("read enterprises", err)
	}
	for _, e := range es {
		if e.Branding.Domains == nil {
			e.Branding.Domains = []string{}
		}
		out[e.ID] = e
	}
	return out, nil
}

// EnterpriseByID returns any enterprise by ID. It is for other domains, which scope
// and authorize the caller themselves; edges must use Enterprise.
func (s *Service) EnterpriseByID(ctx context.Context, id string) (*Enterprise, error) {
	return s.enterprise(ctx, id)
}
