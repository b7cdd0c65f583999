package layout

import "image"

// Role is the part a pane plays in its layout. It is geometry, fixed by the layout; what a
// pane shows (a camera, a screen share, a rotation) is in its Assignment.
type Role int

// Roles.
const (
	RoleUnknown Role = iota
	Big              // a main pane: the big panes of 1+7, 1+21 and 2+21, and every pane of single and 2x2
	Small            // a pane of the small strip of 1+7, 1+21 and 2+21
)

// String returns "big", "small" or "unknown".
func (r Role) String() string {
	switch r {
	case Big:
		return "big"
	case Small:
		return "small"
	}
	return "unknown"
}

// Cell is a rectangle of whole cells of its layout's grid: columns Col to Col+ColSpan-1 and
// rows Row to Row+RowSpan-1, counted from 0 at the top left. Browsers can use it as is
// with CSS grid (grid-column: Col+1 / span ColSpan).
type Cell struct {
	Col, Row         int
	ColSpan, RowSpan int
}

// Rect is a rectangle in fractions of the canvas: X and Y of the top-left corner, width W
// and height H, all between 0 and 1.
type Rect struct {
	X, Y, W, H float64
}

// Pane is one rectangle of a layout.
type Pane struct {
	// Index is the pane's position in Layout.Panes and the key of pins, polling and
	// Result.Panes.
	Index int
	Role  Role
	Cell  Cell
	// GridCols and GridRows are the layout's grid, so that a pane converts itself to
	// fractions and pixels.
	GridCols, GridRows int
}

// Rect returns the pane in fractions of the canvas. They are exact ratios of small
// integers; use Pixels when panes must meet without a gap.
func (p Pane) Rect() Rect {
	if p.GridCols <= 0 || p.GridRows <= 0 {
		return Rect{}
	}
	c, r := float64(p.GridCols), float64(p.GridRows)
	return Rect{
		X: float64(p.Cell.Col) / c,
		Y: float64(p.Cell.Row) / r,
		W: float64(p.Cell.ColSpan) / c,
		H: float64(p.Cell.RowSpan) / r,
	}
}

// Pixels returns the pane's rectangle on a canvas of canvasW x canvasH pixels.
//
// Every grid line is placed on the even pixel nearest to its exact position, and a pane's
// edges are grid lines, so neighbouring panes share their edges exactly and the panes of
// a layout cover the canvas without gap or overlap. On an even-sized canvas every pane
// starts and ends on even pixels, as H.264 4:2:0 chroma needs; on an odd-sized canvas
// only the last column or row of panes ends on the odd edge. Panes of one grid differ in
// size by at most 2 pixels per dimension. A non-positive canvas gives an empty rectangle.
func (p Pane) Pixels(canvasW, canvasH int) image.Rectangle {
	if canvasW <= 0 || canvasH <= 0 || p.GridCols <= 0 || p.GridRows <= 0 {
		return image.Rectangle{}
	}
	c := p.Cell
	return image.Rect(
		gridLine(c.Col, p.GridCols, canvasW),
		gridLine(c.Row, p.GridRows, canvasH),
		gridLine(c.Col+c.ColSpan, p.GridCols, canvasW),
		gridLine(c.Row+c.RowSpan, p.GridRows, canvasH),
	)
}

// gridLine returns the pixel position of line i of a grid of n cells across size pixels:
// the even pixel nearest to i*size/n (ties upward), the canvas edge for the last line.
func gridLine(i, n, size int) int {
	switch {
	case i <= 0:
		return 0
	case i >= n:
		return size
	}
	// round(i*size / 2n) * 2, in integers so that every caller gets the same pixel.
	e := 2 * ((int64(i)*int64(size) + int64(n)) / (2 * int64(n)))
	return int(min(e, int64(size)))
}
