package contracts

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/jishitong/jishitong/graph"
	"github.com/jishitong/jishitong/internal/layout"
)

const layoutPath = "github.com/jishitong/jishitong/internal/layout"

// layoutGeometry returns frontend/src/rtc/layout.gen.ts: every layout's grid and
// panes from layout.Of, under the GraphQL names of its mode.
func layoutGeometry(src *source) ([]byte, error) {
	var w tsFile
	w.header("internal/layout")
	w.printf("//\n// The pane geometry of every layout mode (internal/layout: grids of equal cells),\n")
	w.printf("// under the GraphQL LayoutMode names (graph.LayoutModeOf). The server decides\n")
	w.printf("// what each pane shows; the browser draws these rectangles with CSS grid.\n")
	w.printf("import type { LayoutMode } from '../gql/schema';\n\n")

	cell := reflect.TypeFor[layout.Cell]()
	w.doc("", src.docs["Cell"])
	w.printf("export interface Cell {\n")
	for i := range cell.NumField() {
		w.printf("  %s: number;\n", lowerFirst(cell.Field(i).Name))
	}
	w.printf("}\n\n")
	w.doc("", src.docs["Role"])
	w.printf("export type Role = %s;\n\n", union(enumNames(reflect.TypeFor[layout.Role]())))
	w.doc("", src.docs["Pane"]+" Index is its position in the layout's panes.")
	w.printf("export interface PaneGeometry extends Cell {\n  index: number;\n  role: Role;\n}\n\n")
	w.doc("", src.docs["Layout"])
	w.printf("export interface LayoutGeometry {\n  mode: LayoutMode;\n  cols: number;\n  rows: number;\n  panes: PaneGeometry[];\n}\n\n")

	modes := layout.Modes()
	gql := make([]string, len(modes))
	for i, m := range modes {
		gql[i] = string(graph.LayoutModeOf(m))
		if gql[i] == "" {
			return nil, fmt.Errorf("contracts: layout mode %s has no GraphQL name", m)
		}
	}
	w.printf("/** Every layout mode, in the server's order (layout.Modes). */\n")
	w.printf("export const LAYOUT_MODES: readonly LayoutMode[] = [%s];\n\n", list(gql))
	w.printf("/** The geometry of every mode (layout.Of). */\n")
	w.printf("export const LAYOUTS: { readonly [M in LayoutMode]: LayoutGeometry } = {\n")
	for i, m := range modes {
		l := layout.Of(m)
		w.printf("  // %s\n", m)
		w.printf("  %s: {\n    mode: %s,\n    cols: %d,\n    rows: %d,\n    panes: [\n", gql[i], quote(gql[i]), l.Cols, l.Rows)
		for _, p := range l.Panes {
			if p.GridCols != l.Cols || p.GridRows != l.Rows || p.Index < 0 {
				return nil, fmt.Errorf("contracts: layout %s: pane %d off its grid", m, p.Index)
			}
			var cs []string
			cv := reflect.ValueOf(p.Cell)
			for j := range cell.NumField() {
				cs = append(cs, fmt.Sprintf("%s: %d", lowerFirst(cell.Field(j).Name), cv.Field(j).Int()))
			}
			w.printf("      { index: %d, role: %s, %s },\n", p.Index, quote(p.Role.String()), strings.Join(cs, ", "))
		}
		w.printf("    ],\n  },\n")
	}
	w.printf("};\n")
	return trimEnd(w.Bytes()), nil
}
