package i18n

import "testing"

func TestParse(t *testing.T) {
	cases := map[string]string{
		"zh-CN": Chinese, "zh": Chinese, "zh-cn": Chinese, "ZH_CN": Chinese, "zh-Hans": Chinese, " zh-SG ": Chinese,
		"en": English, "EN": English, "en-US": English, "en_GB": English,
		"": "", "fr": "", "zh-TW": "", "en-US-x": "", "en-": "", "en-1a": "", "english": "", "klingon": "",
	}
	for tag, want := range cases {
		got, ok := Parse(tag)
		if got != want || ok != (want != "") {
			t.Errorf("Parse(%q) = %q, %v; want %q", tag, got, ok, want)
		}
	}
}
