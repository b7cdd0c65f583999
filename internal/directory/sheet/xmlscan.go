package sheet

import (
	"errors"
	"strings"
)

// maxXMLDecl bounds the <?xml ...?> declarations xmlScanner inspects.
const maxXMLDecl = 1 << 10

// maxRootName bounds the root element names xmlScanner records.
const maxRootName = 64

// Errors xmlScanner stops with; checkPart wraps them in sentinels.
var (
	errElementBudget = errors.New("too many XML elements")
	errPartBytes     = errors.New("part too large")
	errXMLEncoding   = errors.New("XML declares an encoding other than UTF-8")
)

// xmlScanner is an io.Writer that counts XML start tags in the parts of a
// workbook as they are inflated, and rejects XML declarations naming an
// encoding other than UTF-8.
//
// Why: excelize unmarshals some parts whole into structs at several hundred
// bytes per element, so a few megabytes of varied XML that compresses below
// the ratio limit could otherwise cost hundreds of megabytes of heap.
// Counting every '<' not followed by '/', '!' or '?' over-counts (comments,
// CDATA, binary parts) but never under-counts, as long as the parts are read
// as UTF-8, which is why other declared encodings are refused: encoding/xml
// switches charset on any <?xml encoding=...?> it meets.
//
// Parts whose root element is a worksheet or shared-string table, which
// excelize streams, draw on one budget for the whole workbook (sheetBudget);
// any other part, which excelize may unmarshal whole, may hold at most
// partBudget elements and partBytes bytes. The root element is read from the
// content, so renaming a part cannot move it to the larger budget.
type xmlScanner struct {
	sheetBudget int64 // elements allowed in worksheet and sst parts, in total
	partBudget  int64 // elements allowed in any other part
	partBytes   int64 // bytes allowed in any other part
	sheetUsed   int64

	// Per part, reset by startPart.
	state    int
	matched  int    // bytes of "xml" matched after "<?"
	decl     []byte // content of the current <?xml declaration
	root     []byte // name of the root element, while it is read
	rootDone bool
	streamed bool // the root is a worksheet or sst
	elements int64
	bytes    int64
}

// xmlScanner states.
const (
	scanText = iota
	scanLT   // after '<'
	scanPI   // after "<?", matching "xml"
	scanDecl // inside <?xml ... ?>
	scanRoot // reading the root element name
)

// startPart prepares the scanner for the next part.
func (s *xmlScanner) startPart() {
	s.state, s.matched, s.elements, s.bytes = scanText, 0, 0, 0
	s.decl, s.root = s.decl[:0], s.root[:0]
	s.rootDone, s.streamed = false, false
}

// Write scans p; it fails once a budget is spent or on a bad declaration.
func (s *xmlScanner) Write(p []byte) (int, error) {
	s.bytes += int64(len(p))
	if !s.streamed && s.bytes > s.partBytes {
		return 0, errPartBytes
	}
	for _, c := range p {
		switch s.state {
		case scanText:
			if c == '<' {
				s.state = scanLT
			}
		case scanLT:
			switch c {
			case '/', '!':
				s.state = scanText
			case '?':
				s.state, s.matched = scanPI, 0
			case '<':
			default:
				if err := s.element(); err != nil {
					return 0, err
				}
				s.state = scanText
				if !s.rootDone {
					s.state = scanRoot
					s.root = append(s.root, c)
				}
			}
		case scanRoot:
			switch {
			case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>' || len(s.root) >= maxRootName:
				s.endRoot()
				s.state = scanText
			case c == ':':
				s.root = s.root[:0] // drop a namespace prefix
			default:
				s.root = append(s.root, c)
			}
		case scanPI:
			switch {
			case c == "xml"[s.matched]:
				s.matched++
				if s.matched == len("xml") {
					s.state, s.decl = scanDecl, s.decl[:0]
				}
			case c == '<':
				s.state = scanLT
			default:
				s.state = scanText
			}
		case scanDecl:
			s.decl = append(s.decl, c)
			if strings.HasSuffix(string(s.decl), "?>") {
				if !utf8Declaration(string(s.decl[:len(s.decl)-2])) {
					return 0, errXMLEncoding
				}
				s.state = scanText
			} else if len(s.decl) > maxXMLDecl {
				return 0, errXMLEncoding
			}
		}
	}
	return len(p), nil
}

// endRoot classifies the part by its root element name.
func (s *xmlScanner) endRoot() {
	s.rootDone = true
	switch string(s.root) {
	case "worksheet", "sst":
		s.streamed = true
		s.sheetUsed += s.elements // the root itself
	}
}

// element accounts for one start tag.
func (s *xmlScanner) element() error {
	s.elements++
	if s.streamed {
		s.sheetUsed++
		if s.sheetUsed > s.sheetBudget {
			return errElementBudget
		}
		return nil
	}
	if s.elements > s.partBudget {
		return errElementBudget
	}
	return nil
}

// utf8Declaration reports whether the content of an <?xml ...?> declaration
// names no encoding or UTF-8. It must find exactly the value encoding/xml
// finds, so it is a line-for-line port of the unexported procInst in
// encoding/xml (Go 1.26).
func utf8Declaration(content string) bool {
	enc := procInst("encoding", content)
	return enc == "" || strings.EqualFold(enc, "utf-8")
}

// procInst is encoding/xml's procInst: the value of param in a processing
// instruction's content, or "".
func procInst(param, s string) string {
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}
