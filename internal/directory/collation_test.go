package directory

import (
	"slices"
	"strings"
	"testing"
)

func TestNameSortKeyOrder(t *testing.T) {
	// The order a Chinese reader expects: by initial letter, Han by pinyin, Latin
	// under its first letter among them, others last.
	want := []string{
		"Alice", "阿明", "安琪",
		"bob", "Brown", "白洁", "包拯",
		"蔡文", "陈晨",
		"Émile", "鄂",
		"李四", "刘备",
		"王五", "吴", "Zoe", "张三", "赵六", "周", "123 测试",
	}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortStableFunc(got, func(a, b string) int { return strings.Compare(nameSortKey(a), nameSortKey(b)) })
	if !slices.Equal(got, want) {
		t.Errorf("order:\n got %q\nwant %q", got, want)
	}
}

func TestInitialOf(t *testing.T) {
	c := collators.Get().(*nameCollator).loose
	for name, want := range map[string]byte{
		"阿明": 'A', "八": 'B', "簿": 'B', "擦": 'C', "做": 'Z', "挖": 'W', "我": 'W', "群": 'Q',
		"alice": 'A', " Bob": 'B', "Émile": 'E', "1号": '~', "": '~',
	} {
		if got := initialOf(c, name); got != want {
			t.Errorf("initialOf(%q) = %c, want %c", name, got, want)
		}
	}
}
