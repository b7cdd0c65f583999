package layout

import "slices"

// Layout is a set of panes on a grid of Cols x Rows equal cells. Panes tile the grid
// exactly. They are ordered big panes first, then small ones, each group in reading order
// (by row, then by column); filling follows that order.
type Layout struct {
	Mode       Mode
	Cols, Rows int
	Panes      []Pane
}

// maxPanes is the largest number of panes of any layout (2+21).
const maxPanes = 23

// layouts holds every layout, indexed by mode. Of hands out copies.
var layouts = [...]Layout{
	Single:  build(Single, 1, 1, []Cell{{0, 0, 1, 1}}, nil),
	Grid2x2: build(Grid2x2, 2, 2, tiles(0, 0, 1, 1, 2, 2), nil),
	// Big: cols 0-2, rows 0-2. Small: the right column (3,0) (3,1) (3,2), then the bottom
	// row (0,3) (1,3) (2,3) (3,3): reading order puts the corner last.
	OnePlus7: build(OnePlus7, 4, 4, []Cell{{0, 0, 3, 3}},
		slices.Concat(tiles(3, 0, 1, 1, 1, 3), tiles(0, 3, 1, 1, 4, 1))),
	// Big: cols 0-1, rows 0-1. Small: 3x2 to its right, then 5x3 below.
	OnePlus21: build(OnePlus21, 5, 5, []Cell{{0, 0, 2, 2}},
		slices.Concat(tiles(2, 0, 1, 1, 3, 2), tiles(0, 2, 1, 1, 5, 3))),
	// 14 = 2x7 columns and 6 = 2x3 rows, so both halves divide the grid exactly: two big
	// panes of 7x3 cells, and 7x3 small panes of 2x1 cells.
	TwoPlus21: build(TwoPlus21, 14, 6, tiles(0, 0, 7, 3, 2, 1), tiles(0, 3, 2, 1, 7, 3)),
}

// Of returns the layout of mode m, or an empty Layout (no panes) for an invalid mode. The
// caller owns the returned Panes.
func Of(m Mode) Layout {
	if !m.Valid() {
		return Layout{}
	}
	l := layouts[m]
	l.Panes = slices.Clone(l.Panes)
	return l
}

// tiles returns nc x nr cells of w x h grid cells each, starting at (col, row), in
// reading order.
func tiles(col, row, w, h, nc, nr int) []Cell {
	cells := make([]Cell, 0, nc*nr)
	for r := range nr {
		for c := range nc {
			cells = append(cells, Cell{Col: col + c*w, Row: row + r*h, ColSpan: w, RowSpan: h})
		}
	}
	return cells
}

func build(m Mode, cols, rows int, big, small []Cell) Layout {
	l := Layout{Mode: m, Cols: cols, Rows: rows}
	add := func(role Role, cells []Cell) {
		for _, c := range cells {
			l.Panes = append(l.Panes, Pane{Index: len(l.Panes), Role: role, Cell: c, GridCols: cols, GridRows: rows})
		}
	}
	add(Big, big)
	add(Small, small)
	return l
}
