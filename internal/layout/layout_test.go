package layout

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/jishitong/jishitong/internal/errs"
)

func TestModeNames(t *testing.T) {
	want := map[Mode]string{Single: "single", Grid2x2: "2x2", OnePlus7: "1+7", OnePlus21: "1+21", TwoPlus21: "2+21"}
	for _, m := range Modes() {
		if m.String() != want[m] {
			t.Errorf("%d.String() = %q, want %q", m, m, want[m])
		}
		got, err := ParseMode(" " + strings.ToUpper(want[m]) + " ")
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", want[m], got, err)
		}
	}
	if len(Modes()) != len(want) {
		t.Errorf("Modes() = %v", Modes())
	}
	for _, m := range []Mode{ModeUnknown, -1, TwoPlus21 + 1} {
		if m.Valid() || m.String() != "unknown" || len(Of(m).Panes) != 0 {
			t.Errorf("mode %d is valid, named %q or has panes", int(m), m)
		}
	}
	for _, s := range []string{"", "unknown", "3x3", "1+8", "2 + 21", strings.Repeat("x", 1000)} {
		_, err := ParseMode(s)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "mode" || !errors.Is(err, errs.ErrInvalid) || len(err.Error()) > 200 {
			t.Errorf("ParseMode(%.20q) = %v", s, err)
		}
	}
	if Big.String() != "big" || Small.String() != "small" || RoleUnknown.String() != "unknown" {
		t.Error("role names")
	}
	if SourceCamera.String() != "camera" || SourceScreen.String() != "screen" || SourceUnknown.String() != "unknown" {
		t.Error("source names")
	}
}

// TestGeometry pins every pane of every layout to its grid cells.
func TestGeometry(t *testing.T) {
	type pane struct {
		role                     Role
		col, row, colSpan, rowSp int
	}
	unit := func(role Role, cr ...[2]int) []pane {
		var ps []pane
		for _, c := range cr {
			ps = append(ps, pane{role, c[0], c[1], 1, 1})
		}
		return ps
	}
	var small21 [][2]int // 1+21: 3x2 right of the big pane, then 5x3 below
	for r := range 5 {
		for c := range 5 {
			if r >= 2 || c >= 2 {
				small21 = append(small21, [2]int{c, r})
			}
		}
	}
	var small2p21 []pane // 2+21: 7x3 panes of 2x1 cells in rows 3-5
	for r := range 3 {
		for c := range 7 {
			small2p21 = append(small2p21, pane{Small, 2 * c, 3 + r, 2, 1})
		}
	}
	tests := []struct {
		mode       Mode
		cols, rows int
		panes      []pane
	}{
		{Single, 1, 1, []pane{{Big, 0, 0, 1, 1}}},
		{Grid2x2, 2, 2, unit(Big, [2]int{0, 0}, [2]int{1, 0}, [2]int{0, 1}, [2]int{1, 1})},
		{OnePlus7, 4, 4, slices.Concat([]pane{{Big, 0, 0, 3, 3}},
			unit(Small, [2]int{3, 0}, [2]int{3, 1}, [2]int{3, 2}, [2]int{0, 3}, [2]int{1, 3}, [2]int{2, 3}, [2]int{3, 3}))},
		{OnePlus21, 5, 5, slices.Concat([]pane{{Big, 0, 0, 2, 2}}, unit(Small, small21...))},
		{TwoPlus21, 14, 6, slices.Concat([]pane{{Big, 0, 0, 7, 3}, {Big, 7, 0, 7, 3}}, small2p21)},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			l := Of(tt.mode)
			if l.Mode != tt.mode || l.Cols != tt.cols || l.Rows != tt.rows {
				t.Fatalf("%s is %dx%d, want %dx%d", l.Mode, l.Cols, l.Rows, tt.cols, tt.rows)
			}
			var got []pane
			for i, p := range l.Panes {
				if p.Index != i || p.GridCols != l.Cols || p.GridRows != l.Rows {
					t.Errorf("pane %d: index %d, grid %dx%d", i, p.Index, p.GridCols, p.GridRows)
				}
				got = append(got, pane{p.Role, p.Cell.Col, p.Cell.Row, p.Cell.ColSpan, p.Cell.RowSpan})
			}
			if !slices.Equal(got, tt.panes) {
				t.Errorf("panes\n got %v\nwant %v", got, tt.panes)
			}
		})
	}
}

// TestLayoutInvariants checks every layout: panes tile the grid exactly, big panes come
// first, each group in reading order, and no layout has more than maxPanes panes.
func TestLayoutInvariants(t *testing.T) {
	wantPanes := map[Mode]int{Single: 1, Grid2x2: 4, OnePlus7: 8, OnePlus21: 22, TwoPlus21: 23}
	most := 0
	for _, m := range Modes() {
		l := Of(m)
		if len(l.Panes) != wantPanes[m] {
			t.Errorf("%s has %d panes, want %d", m, len(l.Panes), wantPanes[m])
		}
		most = max(most, len(l.Panes))
		grid := make([]int, l.Cols*l.Rows)
		for _, p := range l.Panes {
			c := p.Cell
			if c.ColSpan < 1 || c.RowSpan < 1 || c.Col < 0 || c.Row < 0 || c.Col+c.ColSpan > l.Cols || c.Row+c.RowSpan > l.Rows {
				t.Fatalf("%s pane %d %+v is outside the %dx%d grid", m, p.Index, c, l.Cols, l.Rows)
			}
			for y := c.Row; y < c.Row+c.RowSpan; y++ {
				for x := c.Col; x < c.Col+c.ColSpan; x++ {
					grid[y*l.Cols+x]++
				}
			}
		}
		for i, n := range grid {
			if n != 1 {
				t.Errorf("%s: cell (%d,%d) is covered %d times", m, i%l.Cols, i/l.Cols, n)
			}
		}
		order := func(a, b Pane) int {
			return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.Cell.Row, b.Cell.Row), cmp.Compare(a.Cell.Col, b.Cell.Col))
		}
		if !slices.IsSortedFunc(l.Panes, order) {
			t.Errorf("%s panes are not big first, then in reading order", m)
		}
		for _, p := range l.Panes {
			for _, q := range l.Panes {
				if p.Role == Big && q.Role == Small && p.Cell.ColSpan*p.Cell.RowSpan <= q.Cell.ColSpan*q.Cell.RowSpan {
					t.Errorf("%s: big pane %d is not bigger than small pane %d", m, p.Index, q.Index)
				}
			}
		}
	}
	if most != maxPanes {
		t.Errorf("the largest layout has %d panes, maxPanes is %d", most, maxPanes)
	}
}

func TestRect(t *testing.T) {
	tests := []struct {
		mode Mode
		pane int
		want Rect
	}{
		{Single, 0, Rect{0, 0, 1, 1}},
		{Grid2x2, 3, Rect{0.5, 0.5, 0.5, 0.5}},
		{OnePlus7, 0, Rect{0, 0, 0.75, 0.75}},
		{OnePlus7, 7, Rect{0.75, 0.75, 0.25, 0.25}},
		{OnePlus21, 0, Rect{0, 0, 0.4, 0.4}},
		{OnePlus21, 21, Rect{0.8, 0.8, 0.2, 0.2}},
		{TwoPlus21, 1, Rect{0.5, 0, 0.5, 0.5}},
		{TwoPlus21, 2, Rect{0, 0.5, 1.0 / 7, 1.0 / 6}},
		{TwoPlus21, 22, Rect{6.0 / 7, 5.0 / 6, 1.0 / 7, 1.0 / 6}},
	}
	for _, tt := range tests {
		if got := Of(tt.mode).Panes[tt.pane].Rect(); got != tt.want {
			t.Errorf("%s pane %d: %+v, want %+v", tt.mode, tt.pane, got, tt.want)
		}
	}
	if (Pane{}).Rect() != (Rect{}) {
		t.Error("a zero pane has a rectangle")
	}
}

// TestPixelsExact pins pixel rectangles where the grid divides the canvas.
func TestPixelsExact(t *testing.T) {
	tests := []struct {
		mode Mode
		pane int
		w, h int
		want image.Rectangle
	}{
		{Single, 0, 1920, 1080, image.Rect(0, 0, 1920, 1080)},
		{Grid2x2, 3, 1280, 720, image.Rect(640, 360, 1280, 720)},
		{OnePlus7, 0, 1920, 1080, image.Rect(0, 0, 1440, 810)},
		{OnePlus7, 1, 1920, 1080, image.Rect(1440, 0, 1920, 270)},
		{OnePlus7, 4, 1920, 1080, image.Rect(0, 810, 480, 1080)},
		{OnePlus7, 7, 1280, 720, image.Rect(960, 540, 1280, 720)},
		{OnePlus21, 0, 1920, 1080, image.Rect(0, 0, 768, 432)},
		{OnePlus21, 1, 1280, 720, image.Rect(512, 0, 768, 144)},
		{OnePlus21, 21, 1920, 1080, image.Rect(1536, 864, 1920, 1080)},
		{TwoPlus21, 0, 1920, 1080, image.Rect(0, 0, 960, 540)},
		{TwoPlus21, 1, 1280, 720, image.Rect(640, 0, 1280, 360)},
		// 1920/7 is not whole: grid lines at the nearest even pixel (274.3 -> 274).
		{TwoPlus21, 2, 1920, 1080, image.Rect(0, 540, 274, 720)},
		{TwoPlus21, 3, 1920, 1080, image.Rect(274, 540, 548, 720)},
		{TwoPlus21, 22, 1280, 720, image.Rect(1098, 600, 1280, 720)},
		// Degenerate canvases.
		{Single, 0, 0, 1080, image.Rectangle{}},
		{Grid2x2, 0, -4, -4, image.Rectangle{}},
	}
	for _, tt := range tests {
		if got := Of(tt.mode).Panes[tt.pane].Pixels(tt.w, tt.h); got != tt.want {
			t.Errorf("%s pane %d at %dx%d: %v, want %v", tt.mode, tt.pane, tt.w, tt.h, got, tt.want)
		}
	}
	if !(Pane{}).Pixels(1920, 1080).Empty() {
		t.Error("a zero pane has pixels")
	}
}

// TestPixelsTile paints every pane of every layout on canvases of several sizes: each
// pixel is painted exactly once, and on even canvases every edge is even.
func TestPixelsTile(t *testing.T) {
	canvases := [][2]int{{1920, 1080}, {1280, 720}, {3840, 2160}, {854, 480}, {640, 360}, {352, 288}, {1366, 768}, {1279, 719}, {28, 12}, {2, 2}, {1, 1}}
	for _, m := range Modes() {
		for _, c := range canvases {
			w, h := c[0], c[1]
			t.Run(fmt.Sprintf("%s/%dx%d", m, w, h), func(t *testing.T) {
				painted := make([]uint8, w*h)
				for _, p := range Of(m).Panes {
					r := p.Pixels(w, h)
					if r.Min.X < 0 || r.Min.Y < 0 || r.Max.X > w || r.Max.Y > h {
						t.Fatalf("pane %d %v is outside the canvas", p.Index, r)
					}
					for _, e := range []struct {
						v, size int
					}{{r.Min.X, w}, {r.Min.Y, h}, {r.Max.X, w}, {r.Max.Y, h}} {
						if e.v%2 != 0 && e.v != e.size {
							t.Errorf("pane %d %v has an odd edge inside the canvas", p.Index, r)
						}
					}
					for y := r.Min.Y; y < r.Max.Y; y++ {
						for x := r.Min.X; x < r.Max.X; x++ {
							painted[y*w+x]++
						}
					}
				}
				for i, n := range painted {
					if n != 1 {
						t.Fatalf("pixel (%d,%d) is painted %d times", i%w, i/w, n)
					}
				}
			})
		}
	}
}

// TestPixelsEven checks the H.264 4:2:0 promise on common even canvases, and that panes
// of one grid differ by at most 2 pixels from their exact size.
func TestPixelsEven(t *testing.T) {
	for _, m := range Modes() {
		for _, c := range [][2]int{{1920, 1080}, {1280, 720}, {854, 480}, {1366, 768}} {
			for _, p := range Of(m).Panes {
				r := p.Pixels(c[0], c[1])
				if r.Min.X%2|r.Min.Y%2|r.Max.X%2|r.Max.Y%2 != 0 {
					t.Errorf("%s pane %d at %v: %v is not even-aligned", m, p.Index, c, r)
				}
				f := p.Rect()
				if dw, dh := float64(r.Dx())-f.W*float64(c[0]), float64(r.Dy())-f.H*float64(c[1]); dw < -2 || dw > 2 || dh < -2 || dh > 2 {
					t.Errorf("%s pane %d at %v: %v is %.1f x %.1f pixels off its exact size", m, p.Index, c, r, dw, dh)
				}
			}
		}
	}
}
