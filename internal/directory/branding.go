package directory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // logo formats
	_ "image/png"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	_ "golang.org/x/image/webp" // logo format

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// Theme modes.
const (
	ThemeLight = "light"
	ThemeDark  = "dark"
)

// DefaultPrimaryColor is the product's own colour, used until an enterprise sets one.
const DefaultPrimaryColor = "#1677ff"

// DefaultBrandName is shown when a request's host belongs to no enterprise.
const DefaultBrandName = "及时通"

// MaxDomains bounds an enterprise's custom domains.
const MaxDomains = 10

// MaxLogoPixels bounds a logo's width and height.
const MaxLogoPixels = 4096

// Branding is how an enterprise's app looks.
type Branding struct {
	PrimaryColor string   `bson:"primaryColor"`
	Mode         string   `bson:"mode"`
	Slogan       string   `bson:"slogan"`
	Logo         *Logo    `bson:"logo,omitempty"`
	Domains      []string `bson:"domains"`
}

// Logo is an uploaded logo image, stored under the data folder.
type Logo struct {
	// File is the file name, content-addressed: <hash>.<ext>.
	File        string `bson:"file"`
	ContentType string `bson:"contentType"`
	Width       int    `bson:"width"`
	Height      int    `bson:"height"`
}

// PublicBranding is what an anonymous visitor of a host sees before login.
type PublicBranding struct {
	EnterpriseID string // empty for the platform default
	Name         string
	Branding     Branding
}

// BrandingPatch edits branding; nil fields stay as they are.
type BrandingPatch struct {
	PrimaryColor *string
	Mode         *string
	Slogan       *string
	Domains      *[]string
}

// BrandingForHost returns the branding of the enterprise owning the host of a
// request (port ignored), or the platform default.
func (s *Service) BrandingForHost(ctx context.Context, host string) (*PublicBranding, error) {
	def := &PublicBranding{Name: DefaultBrandName, Branding: Branding{PrimaryColor: DefaultPrimaryColor, Mode: ThemeLight, Domains: []string{}}}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	domain, err := normalizeDomain(host)
	if err != nil {
		return def, nil
	}
	var claim struct {
		EnterpriseID string `bson:"enterpriseId"`
	}
	err = s.st.R.Collection(domainsColl).FindOne(ctx, bson.M{"_id": domain}).Decode(&claim)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return def, nil
	}
	if err != nil {
		return nil, dbErr("find domain", err)
	}
	e, err := s.enterprise(ctx, claim.EnterpriseID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && e.Frozen) {
		return def, nil
	}
	if err != nil {
		return nil, err
	}
	return &PublicBranding{EnterpriseID: e.ID, Name: e.Name, Branding: e.Branding}, nil
}

// UpdateBranding changes the caller's enterprise branding. Admins only. Domains are
// unique across the platform.
func (s *Service) UpdateBranding(ctx context.Context, p *auth.Principal, patch BrandingPatch) (*Enterprise, error) {
	if err := requireEnterpriseAdmin(p); err != nil {
		return nil, err
	}
	e, err := s.enterprise(ctx, p.EnterpriseID)
	if err != nil {
		return nil, err
	}
	set := bson.M{"updatedAt": time.Now().UTC()}
	if patch.PrimaryColor != nil {
		c := strings.ToLower(clean(*patch.PrimaryColor))
		if !colourRe.MatchString(c) {
			return nil, errs.Invalid("primaryColor", "primary colour must look like #1677ff")
		}
		set["branding.primaryColor"] = c
	}
	if patch.Mode != nil {
		m := strings.ToLower(*patch.Mode)
		if m != ThemeLight && m != ThemeDark {
			return nil, errs.Invalid("mode", "mode must be light or dark")
		}
		set["branding.mode"] = m
	}
	if patch.Slogan != nil {
		sl := clean(*patch.Slogan)
		if err := checkLen("slogan", sl, 100); err != nil {
			return nil, err
		}
		set["branding.slogan"] = sl
	}
	var domains []string
	if patch.Domains != nil {
		if domains, err = s.claimDomains(ctx, e, *patch.Domains); err != nil {
			return nil, err
		}
		set["branding.domains"] = domains
	}
	if _, err := s.st.W.Collection(enterprisesColl).UpdateByID(ctx, e.ID, bson.M{"$set": set}); err != nil {
		return nil, dbErr("update branding", err)
	}
	if patch.Domains != nil {
		// Release the domains this enterprise no longer uses.
		if _, err := s.st.W.Collection(domainsColl).DeleteMany(ctx, bson.M{"enterpriseId": e.ID, "_id": bson.M{"$nin": domains}}); err != nil {
			return nil, dbErr("release domains", err)
		}
	}
	s.publish(e.ID, EventBrandingChanged, "")
	return s.enterprise(ctx, e.ID)
}

// claimDomains validates the wanted domains and claims the new ones for e. A domain
// already claimed by another enterprise is a conflict; then nothing is claimed.
func (s *Service) claimDomains(ctx context.Context, e *Enterprise, wanted []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, d := range wanted {
		n, err := normalizeDomain(d)
		if err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) > MaxDomains {
		return nil, errs.Invalid("domains", "at most %d domains", MaxDomains)
	}
	if out == nil {
		out = []string{}
	}
	c := s.st.W.Collection(domainsColl)
	var claimed []string
	for _, d := range out {
		_, err := c.InsertOne(ctx, bson.M{"_id": d, "enterpriseId": e.ID})
		if err == nil {
			claimed = append(claimed, d)
			continue
		}
		var owner struct {
			EnterpriseID string `bson:"enterpriseId"`
		}
		if store.IsDuplicateKey(err) {
			if ferr := c.FindOne(ctx, bson.M{"_id": d}).Decode(&owner); ferr == nil && owner.EnterpriseID == e.ID {
				continue
			}
			err = errs.Conflict("domains", "domain %s is already used by another enterprise", d)
		} else {
			err = dbErr("claim domain", err)
		}
		if len(claimed) > 0 {
			if _, derr := c.DeleteMany(ctx, bson.M{"_id": bson.M{"$in": claimed}, "enterpriseId": e.ID}); derr != nil {
				s.log.Error("rolling back domain claims", "err", derr, "enterprise", e.ID)
			}
		}
		return nil, err
	}
	return out, nil
}

// logoTypes maps a file's leading bytes to its content type and extension.
func sniffLogo(b []byte) (contentType, ext string, ok bool) {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", "png", true
	case bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}):
		return "image/jpeg", "jpg", true
	case len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp", "webp", true
	}
	return "", "", false
}

// SetLogo stores a new logo (PNG, JPEG or WebP, at most Config.MaxLogoBytes and
// MaxLogoPixels on each side) for the caller's enterprise. Admins only.
func (s *Service) SetLogo(ctx context.Context, p *auth.Principal, r io.Reader) (*Enterprise, error) {
	if err := requireEnterpriseAdmin(p); err != nil {
		return nil, err
	}
	e, err := s.enterprise(ctx, p.EnterpriseID)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, s.cfg.MaxLogoBytes+1))
	if err != nil {
		return nil, errs.Wrap(errs.KindInvalid, err, "could not read the upload")
	}
	if int64(len(data)) > s.cfg.MaxLogoBytes {
		return nil, &errs.Error{Kind: errs.KindTooLarge, Field: "file", Message: fmt.Sprintf("logo must be at most %d KiB", s.cfg.MaxLogoBytes>>10)}
	}
	ctype, ext, ok := sniffLogo(data)
	if !ok {
		return nil, errs.Invalid("file", "logo must be a PNG, JPEG or WebP image")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errs.Invalid("file", "logo is not a readable image")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoPixels || cfg.Height > MaxLogoPixels {
		return nil, errs.Invalid("file", "logo must be between 1 and %d pixels on each side", MaxLogoPixels)
	}
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:12]) + "." + ext
	dir := s.logoDir(e.ID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("directory: logo folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return nil, fmt.Errorf("directory: logo file: %w", err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Rename(tmp.Name(), filepath.Join(dir, name))); err != nil {
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("directory: write logo: %w", err)
	}
	logo := &Logo{File: name, ContentType: ctype, Width: cfg.Width, Height: cfg.Height}
	if _, err := s.st.W.Collection(enterprisesColl).UpdateByID(ctx, e.ID, bson.M{"$set": bson.M{"branding.logo": logo, "updatedAt": time.Now().UTC()}}); err != nil {
		return nil, dbErr("set logo", err)
	}
	if old := e.Branding.Logo; old != nil && old.File != name {
		os.Remove(filepath.Join(dir, old.File))
	}
	s.publish(e.ID, EventBrandingChanged, "")
	return s.enterprise(ctx, e.ID)
}

// RemoveLogo removes the caller's enterprise logo. Admins only.
func (s *Service) RemoveLogo(ctx context.Context, p *auth.Principal) (*Enterprise, error) {
	if err := requireEnterpriseAdmin(p); err != nil {
		return nil, err
	}
	e, err := s.enterprise(ctx, p.EnterpriseID)
	if err != nil {
		return nil, err
	}
	if _, err := s.st.W.Collection(enterprisesColl).UpdateByID(ctx, e.ID, bson.M{"$unset": bson.M{"branding.logo": ""}, "$set": bson.M{"updatedAt": time.Now().UTC()}}); err != nil {
		return nil, dbErr("remove logo", err)
	}
	if e.Branding.Logo != nil {
		os.Remove(filepath.Join(s.logoDir(e.ID), e.Branding.Logo.File))
	}
	s.publish(e.ID, EventBrandingChanged, "")
	return s.enterprise(ctx, e.ID)
}

// LogoPath returns the file of an enterprise's current logo when file names it. Logos
// are public: the login page shows them.
func (s *Service) LogoPath(ctx context.Context, enterpriseID, file string) (path, contentType string, err error) {
	e, err := s.enterprise(ctx, enterpriseID)
	if err != nil {
		return "", "", err
	}
	if e.Branding.Logo == nil || e.Branding.Logo.File != file {
		return "", "", errs.NotFound("logo")
	}
	return filepath.Join(s.logoDir(e.ID), file), e.Branding.Logo.ContentType, nil
}

func (s *Service) logoDir(enterpriseID string) string {
	return filepath.Join(s.cfg.DataDir, "branding", enterpriseID)
}
