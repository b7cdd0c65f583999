package directory

import (
	"encoding/hex"
	"sync"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Names are listed in the order a Chinese reader expects: by initial letter, A to
// Z, with Han names by the pinyin of their characters and Latin names under their
// first letter among them (Alice and 阿明 under A, Bob and 白洁 under B), then
// names that start with neither, under #. Within a letter the Unicode collation
// for Chinese (CLDR pinyin tailoring) decides; it puts Latin before Han.

// pinyinBounds are the first characters of each initial letter in pinyin order
// (the index characters of CLDR's zh pinyin collation; there are no syllables
// starting with I, U or V).
var pinyinBounds = []struct {
	letter byte
	first  string
}{
	{'A', "阿"}, {'B', "八"}, {'C', "嚓"}, {'D', "咑"}, {'E', "妸"}, {'F', "发"}, {'G', "旮"}, {'H', "哈"},
	{'J', "丌"}, {'K', "咔"}, {'L', "垃"}, {'M', "呣"}, {'N', "拏"}, {'O', "噢"}, {'P', "妑"}, {'Q', "七"},
	{'R', "呥"}, {'S', "仨"}, {'T', "他"}, {'W', "穵"}, {'X', "夕"}, {'Y', "丫"}, {'Z', "帀"},
}

// collators are reused: a Collator is not safe for concurrent use.
var collators = sync.Pool{New: func() any {
	return &nameCollator{c: collate.New(language.Chinese), loose: collate.New(language.Chinese, collate.Loose)}
}}

// nameCollator is the pinyin collation, and its loose form (blind to accents,
// case and width) for finding a name's initial letter.
type nameCollator struct {
	c, loose *collate.Collator
	buf      collate.Buffer
}

// nameSortKey returns the key that orders name as described above, as a string
// whose byte order is that order (hex, so that it survives JSON in cursors and
// sorts alike in the store).
func nameSortKey(name string) string {
	nc := collators.Get().(*nameCollator)
	defer collators.Put(nc)
	nc.buf.Reset()
	key := nc.c.KeyFromString(&nc.buf, name)
	out := make([]byte, 1, 1+hex.EncodedLen(len(key)))
	out[0] = initialOf(nc.loose, name)
	return string(hex.AppendEncode(out, key))
}

// initialOf returns the letter name is listed under, by c (a loose collator): its
// first letter for Latin, its pinyin initial for Han, '~' (after Z) for anything
// else.
func initialOf(c *collate.Collator, name string) byte {
	for _, r := range name {
		switch {
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			return byte(unicode.ToUpper(r))
		case unicode.Is(unicode.Latin, r):
			// É under E, ß under S: the last letter it does not sort before.
			letter := byte('~')
			for l := byte('A'); l <= 'Z'; l++ {
				if c.CompareString(string(r), string(rune(l))) < 0 {
					break
				}
				letter = l
			}
			return letter
		case unicode.Is(unicode.Han, r):
			letter := byte('~')
			s := string(r)
			for _, b := range pinyinBounds {
				if c.CompareString(s, b.first) < 0 {
					break
				}
				letter = b.letter
			}
			return letter
		case unicode.IsSpace(r) || unicode.IsPunct(r):
			continue
		}
		return '~'
	}
	return '~'
}
