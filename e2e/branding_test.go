package e2e

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/webp"

	"github.com/jishitong/jishitong/internal/xtest"
)

// brandBranding is an enterprise's Branding.
type brandBranding struct {
	PrimaryColor, Mode, Slogan string
	LogoURL                    *string
	Domains                    []string
}

// brandPublic is a PublicBranding.
type brandPublic struct {
	EnterpriseName, PrimaryColor, Mode, Slogan string
	LogoURL                                    *string
}

const (
	brandFields       = `branding{primaryColor mode slogan logoUrl domains}`
	brandPublicDoc    = `{branding{enterpriseName primaryColor mode slogan logoUrl}}`
	brandUpdateDoc    = `mutation($in:BrandingInput!){updateBranding(input:$in){` + brandFields + `}}`
	brandUploadDoc    = `mutation($f:Upload!){uploadLogo(file:$f){` + brandFields + `}}`
	brandDefaultName  = "及时通"
	brandDefaultColor = "#1677ff"
)

// brandUpdate applies an updateBranding patch and returns the new branding.
func brandUpdate(t testing.TB, c *xtest.Client, in map[string]any) brandBranding {
	t.Helper()
	var out struct {
		UpdateBranding struct{ Branding brandBranding }
	}
	c.Do(t, brandUpdateDoc, map[string]any{"in": in}).Decode(t, &out)
	return out.UpdateBranding.Branding
}

// brandMine returns the caller's enterprise branding.
func brandMine(t testing.TB, c *xtest.Client) brandBranding {
	t.Helper()
	var out struct {
		MyEnterprise struct{ Branding brandBranding }
	}
	c.Do(t, `{myEnterprise{`+brandFields+`}}`, nil).Decode(t, &out)
	return out.MyEnterprise.Branding
}

// brandForHost asks anonymously for the branding of host.
func brandForHost(t testing.TB, srv *xtest.Server, host string) brandPublic {
	t.Helper()
	c := srv.Client()
	if host != "" {
		c.Header.Set("Host", host)
	}
	var out struct{ Branding brandPublic }
	c.Do(t, brandPublicDoc, nil).Decode(t, &out)
	return out.Branding
}

func TestBrandingUpdate(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	acme := dirNewTenant(t, srv, root, "acme")
	beta := dirNewTenant(t, srv, root, "beta")

	def := brandMine(t, acme.Admin)
	if def.PrimaryColor != brandDefaultColor || def.Mode != "LIGHT" || def.Slogan != "" || def.LogoURL != nil || def.Domains == nil || len(def.Domains) != 0 {
		t.Fatalf("default branding %+v", def)
	}

	b := brandUpdate(t, acme.Admin, map[string]any{"primaryColor": "#FF5500", "mode": "DARK", "slogan": "  沟通无界 ",
		"domains": []string{"Meet.Acme.Example", "video.acme.example.", "meet.acme.example"}})
	want := brandBranding{PrimaryColor: "#ff5500", Mode: "DARK", Slogan: "沟通无界", Domains: []string{"meet.acme.example", "video.acme.example"}}
	if b.PrimaryColor != want.PrimaryColor || b.Mode != want.Mode || b.Slogan != want.Slogan || !slices.Equal(b.Domains, want.Domains) {
		t.Fatalf("updated branding %+v\nwant %+v", b, want)
	}
	// A partial patch keeps the other fields.
	b = brandUpdate(t, acme.Admin, map[string]any{"mode": "LIGHT"})
	if b.PrimaryColor != "#ff5500" || b.Mode != "LIGHT" || b.Slogan != "沟通无界" || !slices.Equal(b.Domains, want.Domains) {
		t.Fatalf("after a partial patch %+v", b)
	}

	for _, c := range []struct {
		in    map[string]any
		field string
	}{
		{map[string]any{"primaryColor": "red"}, "primaryColor"},
		{map[string]any{"primaryColor": "#12345"}, "primaryColor"},
		{map[string]any{"primaryColor": "#1234567"}, "primaryColor"},
		{map[string]any{"primaryColor": "#GGGGGG"}, "primaryColor"},
		{map[string]any{"primaryColor": "#ff5500; background:url(x)"}, "primaryColor"},
		{map[string]any{"slogan": strings.Repeat("标", 101)}, "slogan"},
		{map[string]any{"domains": []string{"not a domain"}}, "domains"},
		{map[string]any{"domains": []string{"localhost"}}, "domains"},
		{map[string]any{"domains": []string{"https://meet.example.com/"}}, "domains"},
		{map[string]any{"domains": []string{"a.example.com", "b.example.com", "c.example.com", "d.example.com", "e.example.com", "f.example.com",
			"g.example.com", "h.example.com", "i.example.com", "j.example.com", "k.example.com"}}, "domains"},
	} {
		r := acme.Admin.Do(t, brandUpdateDoc, map[string]any{"in": c.in})
		dirWantErr(t, r, "BAD_USER_INPUT", c.field)
	}
	dirWantErr(t, acme.Admin.Do(t, `mutation{updateBranding(input:{mode:PURPLE}){id}}`, nil), "BAD_USER_INPUT", "")
	if got := brandMine(t, acme.Admin); got.PrimaryColor != "#ff5500" || got.Slogan != "沟通无界" || !slices.Equal(got.Domains, want.Domains) {
		t.Fatalf("refused patches changed the branding: %+v", got)
	}

	// A domain claimed by acme is a conflict for beta, and nothing of beta's
	// patch applies, not even its other, free domain.
	before := brandMine(t, beta.Admin)
	r := beta.Admin.Do(t, brandUpdateDoc, map[string]any{"in": map[string]any{"slogan": "Beta!", "primaryColor": "#00aa00",
		"domains": []string{"beta.example.com", "MEET.acme.example"}}})
	dirWantErr(t, r, "CONFLICT", "domains")
	if got := brandMine(t, beta.Admin); got.Slogan != before.Slogan || got.PrimaryColor != before.PrimaryColor || len(got.Domains) != 0 {
		t.Fatalf("beta's branding changed by a refused patch: %+v", got)
	}
	if got := brandForHost(t, srv, "beta.example.com"); got.EnterpriseName != brandDefaultName {
		t.Fatalf("the free domain of a refused patch was claimed: %+v", got)
	}
	// beta can now claim the free one alone, and acme still cannot take it.
	brandUpdate(t, beta.Admin, map[string]any{"domains": []string{"beta.example.com"}})
	dirWantErr(t, acme.Admin.Do(t, brandUpdateDoc, map[string]any{"in": map[string]any{"domains": []string{"meet.acme.example", "beta.example.com"}}}), "CONFLICT", "domains")
	if got := brandMine(t, acme.Admin); !slices.Equal(got.Domains, want.Domains) {
		t.Fatalf("acme's domains changed by a refused patch: %v", got.Domains)
	}

	// Removing a domain frees it for another enterprise.
	b = brandUpdate(t, acme.Admin, map[string]any{"domains": []string{"video.acme.example"}})
	if !slices.Equal(b.Domains, []string{"video.acme.example"}) {
		t.Fatalf("domains after removal %v", b.Domains)
	}
	if got := brandForHost(t, srv, "meet.acme.example"); got.EnterpriseName != brandDefaultName {
		t.Fatalf("a released domain still brands: %+v", got)
	}
	b = brandUpdate(t, beta.Admin, map[string]any{"domains": []string{"beta.example.com", "meet.acme.example"}})
	if !slices.Equal(b.Domains, []string{"beta.example.com", "meet.acme.example"}) {
		t.Fatalf("beta's domains %v", b.Domains)
	}
	if got := brandForHost(t, srv, "meet.acme.example"); got.EnterpriseName != beta.Name {
		t.Fatalf("meet.acme.example brands %q, want beta", got.EnterpriseName)
	}
	// An empty list releases everything.
	if b = brandUpdate(t, acme.Admin, map[string]any{"domains": []string{}}); len(b.Domains) != 0 {
		t.Fatalf("domains after clearing %v", b.Domains)
	}
	if got := brandForHost(t, srv, "video.acme.example"); got.EnterpriseName != brandDefaultName {
		t.Fatalf("a cleared domain still brands: %+v", got)
	}

	// Members and platform admins do not edit branding.
	dirCreate(t, acme.Admin, map[string]any{"name": "M", "email": "m@acme.example.com", "password": "member-password"})
	mc := srv.Login(t, "m@acme.example.com", "member-password")
	dirWantErr(t, mc.Do(t, brandUpdateDoc, map[string]any{"in": map[string]any{"slogan": "x"}}), "FORBIDDEN", "")
	dirWantErr(t, root.Do(t, brandUpdateDoc, map[string]any{"in": map[string]any{"slogan": "x"}}), "FORBIDDEN", "")
	dirWantErr(t, srv.Client().Do(t, brandUpdateDoc, map[string]any{"in": map[string]any{"slogan": "x"}}), "UNAUTHENTICATED", "")
}

func TestBrandingByHost(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	acme := dirNewTenant(t, srv, root, "acme")
	brandUpdate(t, acme.Admin, map[string]any{"primaryColor": "#aa0000", "mode": "DARK", "slogan": "Acme meets", "domains": []string{"meet.acme.example"}})
	var up struct {
		UploadLogo struct{ Branding brandBranding }
	}
	acme.Admin.Upload(t, brandUploadDoc, nil, "f", "logo.png", brandPNG(t, 32, 32)).Decode(t, &up)
	logo := up.UploadLogo.Branding.LogoURL
	if logo == nil {
		t.Fatal("no logoUrl after upload")
	}

	wantAcme := brandPublic{EnterpriseName: acme.Name, PrimaryColor: "#aa0000", Mode: "DARK", Slogan: "Acme meets", LogoURL: logo}
	wantDefault := brandPublic{EnterpriseName: brandDefaultName, PrimaryColor: brandDefaultColor, Mode: "LIGHT"}
	same := func(a, b brandPublic) bool {
		return a.EnterpriseName == b.EnterpriseName && a.PrimaryColor == b.PrimaryColor && a.Mode == b.Mode && a.Slogan == b.Slogan &&
			(a.LogoURL == nil) == (b.LogoURL == nil) && (a.LogoURL == nil || *a.LogoURL == *b.LogoURL)
	}
	for _, c := range []struct {
		host string
		want brandPublic
	}{
		{"meet.acme.example", wantAcme},
		{"meet.acme.example:8443", wantAcme},
		{"MEET.Acme.Example", wantAcme},
		{"meet.acme.example.", wantAcme},
		{"", wantDefault}, // the server's own address
		{"unknown.example.com", wantDefault},
		{"acme.example", wantDefault},
		{"x.meet.acme.example", wantDefault},
		{"127.0.0.1:80", wantDefault},
		{"[::1]:8080", wantDefault},
		{"bad host!", wantDefault},
	} {
		if got := brandForHost(t, srv, c.host); !same(got, c.want) {
			t.Errorf("host %q: %+v, want %+v", c.host, got, c.want)
		}
	}

	// The anonymous branding's logo is fetchable anonymously.
	resp, _ := srv.Client().Get(t, *logo)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("anonymous logo fetch: %d", resp.StatusCode)
	}

	// A frozen enterprise's domain shows the platform default.
	root.Do(t, `mutation($id:ID!){updateEnterprise(id:$id,input:{frozen:true}){frozen}}`, map[string]any{"id": acme.ID}).Decode(t, &struct{}{})
	if got := brandForHost(t, srv, "meet.acme.example"); !same(got, wantDefault) {
		t.Errorf("frozen enterprise's domain: %+v", got)
	}
	root.Do(t, `mutation($id:ID!){updateEnterprise(id:$id,input:{frozen:false}){frozen}}`, map[string]any{"id": acme.ID}).Decode(t, &struct{}{})
	if got := brandForHost(t, srv, "meet.acme.example"); !same(got, wantAcme) {
		t.Errorf("unfrozen enterprise's domain: %+v", got)
	}
	// A renamed enterprise shows its new name.
	root.Do(t, `mutation($id:ID!){updateEnterprise(id:$id,input:{name:"Acme 新名"}){name}}`, map[string]any{"id": acme.ID}).Decode(t, &struct{}{})
	if got := brandForHost(t, srv, "meet.acme.example"); got.EnterpriseName != "Acme 新名" {
		t.Errorf("renamed enterprise: %+v", got)
	}
}

// brandPNG encodes a w×h PNG of one colour.
func brandPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// brandNoisePNG encodes a w×h PNG of random pixels, which does not compress.
func brandNoisePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// brandWebP is a 1×1 lossless WebP (the one browsers' feature tests use).
const brandWebP = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="

func TestBrandingLogo(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	acme := dirNewTenant(t, srv, root, "acme")
	admin := acme.Admin
	anon := srv.Client()

	jpg := func() []byte {
		img := image.NewRGBA(image.Rect(0, 0, 40, 20))
		for x := range 40 {
			for y := range 20 {
				img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 12), 200, 255})
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, nil); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()
	wp, err := base64.StdEncoding.DecodeString(brandWebP)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := webp.Decode(bytes.NewReader(wp)); err != nil || img.Bounds().Dx() != 1 {
		t.Fatalf("the WebP literal does not decode: %v", err)
	}

	var urls []string
	for _, c := range []struct {
		file, ctype string
		data        []byte
	}{
		{"logo.png", "image/png", brandPNG(t, 64, 32)},
		{"logo.jpg", "image/jpeg", jpg},
		{"logo.webp", "image/webp", wp},
	} {
		t.Run(c.ctype, func(t *testing.T) {
			var out struct {
				UploadLogo struct{ Branding brandBranding }
			}
			admin.Upload(t, brandUploadDoc, nil, "f", c.file, c.data).Decode(t, &out)
			u := out.UploadLogo.Branding.LogoURL
			if u == nil {
				t.Fatal("no logoUrl")
			}
			urls = append(urls, *u)
			resp, body := anon.Get(t, *u)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, c.data) {
				t.Fatalf("GET %s: status %d, %d bytes", *u, resp.StatusCode, len(body))
			}
			if got := resp.Header.Get("Content-Type"); got != c.ctype {
				t.Errorf("Content-Type %q, want %q", got, c.ctype)
			}
			if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control %q", got)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if mine := brandMine(t, admin); mine.LogoURL == nil || *mine.LogoURL != *u {
				t.Errorf("myEnterprise logoUrl %v, want %s", mine.LogoURL, *u)
			}
		})
	}
	if len(urls) != 3 {
		t.FailNow()
	}
	// A replaced logo's URL is gone.
	for _, old := range urls[:2] {
		if resp, _ := anon.Get(t, old); resp.StatusCode != http.StatusNotFound {
			t.Errorf("replaced logo %s: status %d, want 404", old, resp.StatusCode)
		}
	}

	gifData := func() []byte {
		var buf bytes.Buffer
		gif.Encode(&buf, image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.Black, color.White}), nil)
		return buf.Bytes()
	}()
	big := brandNoisePNG(t, 600, 600)
	if len(big) <= 1<<20 {
		t.Fatalf("noise PNG is only %d bytes", len(big))
	}
	for _, c := range []struct {
		name, file string
		data       []byte
	}{
		{"gif", "logo.gif", gifData},
		{"svg", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`)},
		{"text named png", "logo.png", []byte("this is not an image, just text\n")},
		{"png magic then garbage", "logo.png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0xAB}, 100)...)},
		{"html", "logo.png", []byte("<html><script>alert(1)</script></html>")},
		{"empty", "logo.png", nil},
		{"oversized png", "big.png", big},
		{"too many pixels", "wide.png", brandPNG(t, 5000, 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			dirWantErr(t, admin.Upload(t, brandUploadDoc, nil, "f", c.file, c.data), "BAD_USER_INPUT", "")
		})
	}
	// Refused uploads left the WebP logo in place.
	mine := brandMine(t, admin)
	if mine.LogoURL == nil || *mine.LogoURL != urls[2] {
		t.Fatalf("logo after refused uploads %v, want %s", mine.LogoURL, urls[2])
	}

	// Members cannot change the logo.
	dirCreate(t, admin, map[string]any{"name": "M", "email": "m@acme.example.com", "password": "member-password"})
	mc := srv.Login(t, "m@acme.example.com", "member-password")
	dirWantErr(t, mc.Upload(t, brandUploadDoc, nil, "f", "logo.png", brandPNG(t, 8, 8)), "FORBIDDEN", "")
	dirWantErr(t, mc.Do(t, `mutation{removeLogo{id}}`, nil), "FORBIDDEN", "")

	// Paths that name another enterprise or another file are not found.
	for _, p := range []string{
		"/branding/logo/" + acme.ID + "/nope.png",
		"/branding/logo/000000000000000000000000/" + urls[2][len(urls[2])-29:],
		"/branding/logo/..%2F..%2Fetc/passwd",
	} {
		if resp, _ := anon.Get(t, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
		}
	}

	var rm struct {
		RemoveLogo struct{ Branding brandBranding }
	}
	admin.Do(t, `mutation{removeLogo{`+brandFields+`}}`, nil).Decode(t, &rm)
	if rm.RemoveLogo.Branding.LogoURL != nil {
		t.Fatalf("logoUrl after removeLogo: %s", *rm.RemoveLogo.Branding.LogoURL)
	}
	if resp, _ := anon.Get(t, urls[2]); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("removed logo: status %d, want 404", resp.StatusCode)
	}
	// Removing again is harmless.
	admin.Do(t, `mutation{removeLogo{id}}`, nil).Decode(t, &struct{}{})
}
